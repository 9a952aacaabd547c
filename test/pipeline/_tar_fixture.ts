/**
 * WebDataset tar shards of the fixture's labelled 12x12 gray PNGs (the images of `_fixture.ts`),
 * with shard sizes chosen by the test, some of them cut short (undecodable) if it asks.
 */
import { makeTar } from "../data/fixtures/tar.ts";
import { fixturePng } from "./_fixture.ts";

/** Shards written by {@link writeTarShards}: the folder, their paths, a brace pattern of them. */
export interface TarShards {
  dir: string;
  paths: string[];
  /** `<dir>/part-{00..NN}.tar` */
  pattern: string;
  /** Samples in all shards. */
  total: number;
}

/**
 * Writes one shard per entry of `sizes` (that many samples each), sample `n` of class (7n) % 4;
 * the PNGs of the samples numbered in `bad` are cut short (decoding them fails).
 */
export async function writeTarShards(
  sizes: number[],
  bad: ReadonlySet<number> = new Set(),
): Promise<TarShards> {
  const dir = await Deno.makeTempDir({ prefix: "simclr-tar-fixture-" });
  const paths: string[] = [];
  let n = 0;
  for (let s = 0; s < sizes.length; s++) {
    const entries = [];
    for (let i = 0; i < sizes[s]; i++, n++) {
      const label = (n * 7) % 4;
      const key = `s${s}/${String(i).padStart(4, "0")}`;
      const data = await fixturePng(n, label, bad.has(n));
      entries.push({ name: `${key}.png`, data }, { name: `${key}.cls`, data: `${label}\n` });
    }
    const path = `${dir}/part-${String(s).padStart(2, "0")}.tar`;
    await Deno.writeFile(path, makeTar(entries));
    paths.push(path);
  }
  const last = String(sizes.length - 1).padStart(2, "0");
  return { dir, paths, pattern: `${dir}/part-{00..${last}}.tar`, total: n };
}
