/** Downloading a file as a stream, with checksum verification and progress. */
import { createHash } from "node:crypto";
import { DataError } from "./errors.ts";
import type { ProgressFn } from "./progress.ts";

/**
 * Options of {@link downloadFile}.
 */
export interface DownloadOptions {
  /** Expected MD5 (hex) of the file as downloaded. */
  md5?: string;
  /** Expected SHA-256 (hex). */
  sha256?: string;
  /** Progress callback (see `progressBar`). */
  onProgress?: ProgressFn;
}

/**
 * Streams `url` into `dest` (through `dest.part`, renamed at the end), hashing as it goes;
 * a checksum mismatch deletes the partial file and throws. HTTP and network errors are
 * DataErrors naming the URL.
 */
export async function downloadFile(
  url: string,
  dest: string,
  options: DownloadOptions = {},
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (error) {
    throw new DataError(url, `cannot download: ${(error as Error).message}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new DataError(url, `cannot download: HTTP ${res.status} ${res.statusText}`.trim());
  }
  const length = Number(res.headers.get("content-length"));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  const md5 = options.md5 ? createHash("md5") : undefined;
  const sha = options.sha256 ? createHash("sha256") : undefined;
  const part = `${dest}.part`;
  const dir = dest.slice(0, dest.lastIndexOf("/"));
  if (dir) await Deno.mkdir(dir, { recursive: true });
  const file = await Deno.open(part, { write: true, create: true, truncate: true });
  let received = 0;
  try {
    for await (const chunk of res.body) {
      md5?.update(chunk);
      sha?.update(chunk);
      let off = 0;
      while (off < chunk.length) off += await file.write(chunk.subarray(off));
      received += chunk.length;
      options.onProgress?.(received, total);
    }
  } catch (error) {
    file.close();
    await Deno.remove(part).catch(() => {});
    throw new DataError(
      url,
      `download interrupted after ${received} bytes: ${(error as Error).message}`,
    );
  }
  file.close();
  if (total !== undefined && received !== total) {
    await Deno.remove(part).catch(() => {});
    throw new DataError(url, `download incomplete: ${received} of ${total} bytes`);
  }
  const checks: [string, string | undefined, ReturnType<typeof createHash> | undefined][] = [
    ["md5", options.md5, md5],
    ["sha256", options.sha256, sha],
  ];
  for (const [name, want, hash] of checks) {
    if (!want || !hash) continue;
    const got = hash.digest("hex");
    if (got !== want.toLowerCase()) {
      await Deno.remove(part).catch(() => {});
      throw new DataError(
        url,
        `checksum mismatch: ${name} ${got}, expected ${want}`,
        "the download is damaged or the file changed upstream; nothing was kept, try again",
      );
    }
  }
  await Deno.rename(part, dest);
}
