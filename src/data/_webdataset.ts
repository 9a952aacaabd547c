/**
 * The WebDataset layout: consecutive tar members `key.ext` form one sample; the image is
 * the member with an image extension, the label the integer text in `key.cls`.
 */
import { DataError } from "./errors.ts";
import { IMAGE_EXTENSIONS } from "./_image_format.ts";
import type { EncodedSample } from "./sample.ts";
import type { TarMember } from "./_tar.ts";

/**
 * The members of one sample, by extension (lower case, e.g. `jpg`, `cls`, `json`).
 */
export interface MemberGroup {
  /** Member path without the extension (`dir/000123`). */
  key: string;
  files: Map<string, Uint8Array>;
}

/**
 * Splits a member path into key and extension at the first dot of its base name.
 */
export function splitMemberName(name: string): { key: string; ext: string } {
  const slash = name.lastIndexOf("/");
  const dot = name.indexOf(".", slash + 1);
  if (dot < 0) return { key: name, ext: "" };
  return { key: name.slice(0, dot), ext: name.slice(dot + 1).toLowerCase() };
}

/**
 * Groups consecutive tar members with the same key.
 */
export function groupMembers(members: ReadableStream<TarMember>): ReadableStream<MemberGroup> {
  const reader = members.getReader();
  let current: MemberGroup | undefined;
  let done = false;
  return new ReadableStream<MemberGroup>({
    async pull(c) {
      for (;;) {
        if (done) {
          if (current) {
            c.enqueue(current);
            current = undefined;
          }
          return c.close();
        }
        const r = await reader.read();
        if (r.done) {
          done = true;
          continue;
        }
        const { key, ext } = splitMemberName(r.value.name);
        if (current && current.key === key) {
          current.files.set(ext, r.value.data);
          continue;
        }
        const finished = current;
        current = { key, files: new Map([[ext, r.value.data]]) };
        if (finished) return c.enqueue(finished);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

/**
 * Turns a member group into an encoded sample keyed `shard:key`; throws a DataError naming
 * the shard and member when it has no image or a bad `.cls`.
 */
export function groupToSample(
  group: MemberGroup,
  shard: string,
  imageExtensions: readonly string[] = IMAGE_EXTENSIONS,
): EncodedSample {
  const where = `${shard}:${group.key}`;
  const ext = imageExtensions.find((e) => group.files.has(e));
  if (!ext) {
    const found = [...group.files.keys()].map((e) => `.${e}`).join(", ");
    throw new DataError(
      where,
      `sample has no image member (found ${found}; want one of ${imageExtensions.join(", ")})`,
    );
  }
  const sample: EncodedSample = { key: where, bytes: group.files.get(ext)! };
  const cls = group.files.get("cls");
  if (cls) {
    const text = new TextDecoder().decode(cls).trim();
    if (!/^\d+$/.test(text)) {
      throw new DataError(
        `${shard}:${group.key}.cls`,
        `holds ${JSON.stringify(text.slice(0, 20))}, not a class index`,
      );
    }
    sample.label = Number(text);
  }
  return sample;
}
