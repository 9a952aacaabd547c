/**
 * Finding a named dataset: the explicit path, the cache, the system folders, a download (checksums
 * verified, archives unpacked), and an error that lists every place tried and how to fix it.
 */
import { downloadFile } from "./_download.ts";
import { DATASETS } from "./_dataset_table.ts";
import { DataError } from "./errors.ts";
import { progressBar } from "./_progress_bar.ts";
import type { DatasetSpec, Located, LocateOptions } from "./registry.ts";
import { tarMembers } from "./_tar.ts";

/**
 * The dataset cache: `$SIMCLR_CACHE`, else `~/.cache/simclr-streams/datasets`.
 */
export function defaultCacheDir(): string {
  const env = Deno.env.get("SIMCLR_CACHE");
  if (env) return env;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  return `${home}/.cache/simclr-streams/datasets`;
}

/**
 * Finds a named dataset: the explicit `path` when one is given (and only there: a path that
 * does not hold the dataset is an error, never a fall-back to another copy), else
 * `<cache>/<name>`, then the system folders (e.g. `/usr/share/datasets/fashion-mnist`), then a
 * download into the cache (checksums verified, with progress). When nothing works the
 * DataError lists every place tried and the commands that fix it.
 */
export async function locateDataset(name: string, options: LocateOptions = {}): Promise<Located> {
  const spec = getSpec(name);
  const tried: string[] = [];
  const check = async (dir: string) => {
    for (const d of [dir, ...(spec.subfolders ?? []).map((s) => `${dir}/${s}`)]) {
      const missing = await missingFiles(d, spec.required);
      if (missing.length === 0) return d;
      if (d === dir) {
        tried.push(
          `${dir}: ${missing === NO_DIR ? "no such folder" : `missing ${missing.join(", ")}`}`,
        );
      }
    }
    return undefined;
  };
  if (options.path) {
    // An explicit path is what the run records (config.yaml, the report): never fall back from
    // it to another copy.
    const d = await check(options.path);
    if (d) return { dir: d, source: "path" };
    const system = options.systemDirs ?? spec.systemDirs ?? [];
    throw new DataError(
      `dataset '${spec.name}'`,
      `not found at the given path: ${tried.join("; ")}`,
      `Fix: point the path (data.path) at the folder that holds ${spec.required.join(", ")}, ` +
        `or leave it out to use the cache (${options.cacheDir ?? defaultCacheDir()}/` +
        `${spec.name})${system.length ? `, ${system.join(", ")}` : ""}` +
        `${spec.downloads?.length && options.download !== false ? " or a download" : ""}`,
    );
  }
  tried.push("explicit path: none given");
  const cache = `${options.cacheDir ?? defaultCacheDir()}/${spec.name}`;
  const inCache = await check(cache);
  if (inCache) return { dir: inCache, source: "cache" };
  for (const sys of options.systemDirs ?? spec.systemDirs ?? []) {
    const d = await check(sys);
    if (d) return { dir: d, source: "system" };
  }
  if (spec.downloads?.length && options.download !== false) {
    try {
      for (const f of spec.downloads) {
        const dest = `${cache}/${f.name}`;
        if ((await missingFiles(cache, [f.name])).length > 0) {
          await downloadFile(f.url, dest, {
            md5: f.md5,
            sha256: f.sha256,
            onProgress: (options.onProgress ?? progressBar)(f.name),
          });
        }
        if (f.unpack) await unpack(dest, cache);
      }
      const d = await check(cache);
      if (d) return { dir: d, source: "download" };
      tried.push(
        `download into ${cache}: the files arrived but ${
          spec.required.join(", ")
        } are not all there`,
      );
    } catch (error) {
      tried.push(`download: ${(error as Error).message}`);
    }
  } else if (spec.downloads?.length) {
    tried.push("download: turned off");
  }
  throw new DataError(
    `dataset '${spec.name}'`,
    `not found. Looked in:\n${tried.map((t) => `  - ${t}`).join("\n")}`,
    fixHint(spec, cache),
  );
}

function fixHint(spec: DatasetSpec, cache: string): string {
  const lines: string[] = [];
  if (spec.install) lines.push(`Install it: ${spec.install}`);
  if (spec.downloads?.length) {
    const get = spec.downloads.map((f) => `curl -fLo ${f.name} ${f.url}`).join(" && ");
    const unpack = spec.downloads.filter((f) => f.unpack).map((f) => ` && tar xzf ${f.name}`).join(
      "",
    );
    lines.push(`Or fetch it by hand: mkdir -p ${cache} && cd ${cache} && ${get}${unpack}`);
  }
  lines.push("Or pass the folder that holds it as the dataset path");
  return `Fix:\n  ${lines.join("\n  ")}`;
}

const NO_DIR = ["(no folder)"];

async function missingFiles(dir: string, files: readonly string[]): Promise<string[]> {
  try {
    if (!(await Deno.stat(dir)).isDirectory) return NO_DIR;
  } catch {
    return NO_DIR;
  }
  const missing: string[] = [];
  for (const f of files) {
    try {
      await Deno.stat(`${dir}/${f}`);
    } catch {
      missing.push(f);
    }
  }
  return missing;
}

/** Unpacks a (gzipped) tar archive into `dir`, refusing paths that leave it. */
async function unpack(archive: string, dir: string): Promise<void> {
  const file = await Deno.open(archive, { read: true });
  for await (const m of tarMembers(file.readable, archive)) {
    if (m.name.startsWith("/") || m.name.split("/").includes("..")) {
      throw new DataError(
        `${archive}:${m.name}`,
        "member path leaves the target folder; refusing to unpack",
      );
    }
    const dest = `${dir}/${m.name}`;
    await Deno.mkdir(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(dest, m.data);
  }
}

/** The registered dataset `name`; a DataError listing the known names otherwise. */
export function getSpec(name: string): DatasetSpec {
  const spec = DATASETS.get(name);
  if (!spec) {
    throw new DataError(
      `dataset '${name}'`,
      "unknown",
      `choose one of ${[...DATASETS.keys(), "imagefolder", "tar"].join(", ")}`,
    );
  }
  return spec;
}
