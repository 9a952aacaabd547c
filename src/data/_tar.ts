/**
 * A streaming tar reader (ustar, GNU long names, pax path records), one member at a time,
 * with header checksums verified and member sizes limited; gzipped archives are inflated on
 * the fly.
 */
import { ByteReader } from "./_byte_reader.ts";
import { DataError } from "./errors.ts";
import { inflateStream } from "./_inflate.ts";
import { DEFAULT_MAX_FILE_BYTES } from "./limits.ts";

/**
 * A regular file inside a tar archive.
 */
export interface TarMember {
  /** Path inside the archive. */
  name: string;
  /** Contents (a buffer the member owns). */
  data: Uint8Array;
}

/**
 * Reads the regular files of a tar archive from a byte stream, in archive order.
 * `where` names the archive in errors (`shard-0003.tar: ...`). A bad header, checksum
 * mismatch or truncation errors the stream with a {@link DataError}, and so does a member
 * whose header says it is larger than `maxFileBytes` (default {@link DEFAULT_MAX_FILE_BYTES}):
 * members are held whole, so the size is checked before reading (or inflating) it; other
 * entries are skipped as a stream. Gzipped archives are inflated only as far as read.
 */
export function tarMembers(
  bytes: ReadableStream<Uint8Array>,
  where: string,
  options: { maxFileBytes?: number } = {},
): ReadableStream<TarMember> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let reader: ByteReader | undefined;
  let longName: string | undefined;
  let paxPath: string | undefined;
  let ended = false;
  return new ReadableStream<TarMember>({
    async pull(c) {
      try {
        await next(c);
      } catch (error) {
        if (error instanceof DataError) throw error;
        throw new DataError(
          where,
          `cannot read the archive: ${(error as Error).message}`,
          "the file is corrupt or not a (gzipped) tar archive",
        );
      }
    },
    cancel(reason) {
      return reader?.cancel(reason) ?? bytes.cancel(reason);
    },
  }, { highWaterMark: 0 });

  async function next(c: ReadableStreamDefaultController<TarMember>): Promise<void> {
    reader ??= new ByteReader(await maybeGunzip(bytes));
    for (;;) {
      if (ended) return c.close();
      const at = reader.position;
      const header = await reader.read(512);
      if (header.length === 0) {
        ended = true;
        continue; // end of stream without the zero blocks: accept
      }
      if (header.length < 512) {
        throw new DataError(where, `truncated: the stream ends inside a tar header at byte ${at}`);
      }
      if (header.every((b) => b === 0)) {
        ended = true;
        continue;
      }
      const stored = parseOctal(header.subarray(148, 156));
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
      if (stored !== sum) {
        throw new DataError(
          where,
          `bad tar header at byte ${at} (` +
            (Number.isNaN(stored) ? "no checksum field" : `checksum ${stored} != ${sum}`) + ")",
          "the archive is corrupt or not a tar file",
        );
      }
      const size = parseSize(header.subarray(124, 136));
      const type = String.fromCharCode(header[156] || 48);
      const prefix = header[257] === 0x75 ? cString(header.subarray(345, 500)) : ""; // "ustar"
      const plain = cString(header.subarray(0, 100));
      const name = longName ?? paxPath ?? (prefix ? `${prefix}/${plain}` : plain);
      const isData = type === "0" || type === "7" || type === "L" || type === "x";
      if (isData && size > maxFileBytes) {
        throw new DataError(
          `${where}:${name}`,
          `member of ${size} bytes (from its header) is over the limit of ${maxFileBytes} ` +
            `bytes (data.maxFileBytes); refused before reading it`,
          "raise data.maxFileBytes if the member is genuine",
        );
      }
      let data: Uint8Array | undefined;
      if (isData) {
        data = await reader.read(size);
        if (data.length < size) {
          throw new DataError(
            `${where}:${name}`,
            `truncated: member has ${size} bytes in its header, the archive ends after ${data.length}`,
          );
        }
      } else if (await reader.skip(size) < size) {
        throw new DataError(`${where}:${name}`, "truncated: the archive ends inside this entry");
      }
      const pad = (512 - (size % 512)) % 512;
      if (await reader.skip(pad) < pad) {
        throw new DataError(
          `${where}:${name}`,
          "truncated: the archive ends inside this member's padding",
        );
      }
      if (type === "L") {
        longName = cString(data!);
        continue;
      }
      if (type === "x") {
        paxPath = parsePax(data!).path;
        continue;
      }
      longName = undefined;
      paxPath = undefined;
      if (type === "0" || type === "7") return c.enqueue({ name, data: data! });
      // directories, links and other entries are skipped
    }
  }
}

async function maybeGunzip(bytes: ReadableStream<Uint8Array>) {
  // Peek at the first chunk for the gzip magic bytes, then put it back.
  const reader = bytes.getReader();
  const first = await reader.read();
  const head = first.done ? new Uint8Array(0) : first.value;
  const rest = new ReadableStream<Uint8Array>({
    start(c) {
      if (head.length) c.enqueue(head);
    },
    async pull(c) {
      const r = await reader.read();
      if (r.done) c.close();
      else c.enqueue(r.value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    return inflateStream(rest, "gzip");
  }
  return rest;
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? b.subarray(0, end) : b);
}

function parseOctal(b: Uint8Array): number {
  const s = cString(b).trim();
  return s === "" ? 0 : parseInt(s, 8);
}

function parseSize(b: Uint8Array): number {
  if (b[0] & 0x80) {
    // GNU base-256
    let n = b[0] & 0x7f;
    for (let i = 1; i < b.length; i++) n = n * 256 + b[i];
    return n;
  }
  return parseOctal(b);
}

function parsePax(b: Uint8Array): Record<string, string> {
  // Records are "<length in bytes> <key>=<value>\n".
  const out: Record<string, string> = {};
  const dec = new TextDecoder();
  let p = 0;
  while (p < b.length) {
    const sp = b.indexOf(0x20, p);
    if (sp < 0) break;
    const len = parseInt(dec.decode(b.subarray(p, sp)), 10);
    if (!(len > 0)) break;
    const record = dec.decode(b.subarray(sp + 1, p + len - 1));
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    p += len;
  }
  return out;
}
