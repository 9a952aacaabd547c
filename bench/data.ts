/**
 * `deno task bench data`: input pipeline throughput.
 *
 * - 256x256 JPEG and PNG, imagescript and sharp: decoded images/s on this thread, and images/s
 *   through the training input's view workers (src/pipeline/view_worker.ts: decode, then two
 *   224x224 simclr-v1 views) with 1 and 2 workers;
 * - IDX and CIFAR records/s read in epoch (random) order;
 * - parallelMap overhead: items/s through a trivial worker function vs. plain loops.
 *
 * Each figure is the best of `--rounds N` runs (default 3): the machine is shared, and the
 * best run is the one least disturbed. Options: `--images N` (default 48 per case),
 * `--quick` (fewer items, 1 round).
 */
import { Image } from "imagescript";
import { cifarDataset } from "../src/data/cifar.ts";
import { decodeSample } from "../src/data/decoder.ts";
import { createDecoder } from "../src/data/decoders.ts";
import { idxDataset } from "../src/data/idx.ts";
import { indexedSamples } from "../src/data/indexed.ts";
import { map } from "../src/streams/map.ts";
import { parallelMap } from "../src/streams/parallel_map.ts";
import { take } from "../src/streams/take.ts";
import { fromIterable } from "../src/streams/stage.ts";

const args = Deno.args.slice(Deno.args[0] === "data" ? 1 : 0);
const quick = args.includes("--quick");
const imagesArg = args.indexOf("--images");
const IMAGES = imagesArg >= 0 ? Number(args[imagesArg + 1]) : quick ? 16 : 48;
const RECORDS = quick ? 5000 : 20000;
const ITEMS = quick ? 5000 : 20000;
const roundsArg = args.indexOf("--rounds");
const ROUNDS = roundsArg >= 0 ? Number(args[roundsArg + 1]) : quick ? 1 : 3;

/** The best of ROUNDS runs of a rate measurement. */
async function best(run: () => Promise<number>): Promise<number> {
  let top = 0;
  for (let r = 0; r < ROUNDS; r++) top = Math.max(top, await run());
  return top;
}

const rows: [string, string, string][] = [];
const report = (what: string, value: number, unit: string) => {
  rows.push([what, value >= 100 ? value.toFixed(0) : value.toFixed(1), unit]);
  console.error(`  ${what}: ${value.toFixed(1)} ${unit}`);
};

async function drain(stream: ReadableStream<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of stream) n++;
  return n;
}

async function timed(fn: () => Promise<number>): Promise<number> {
  const t0 = performance.now();
  const n = await fn();
  return (n * 1000) / (performance.now() - t0);
}

// ---- test images: a smooth gradient with texture, like a photo more than a flat fill
function photo(seed: number): Image {
  const img = new Image(256, 256);
  const bm = img.bitmap;
  let s = seed * 2654435761 >>> 0;
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      const n = (s >>> 24) & 31;
      const i = (y * 256 + x) * 4;
      bm[i] = (x + n + seed * 13) & 255;
      bm[i + 1] = (y + n) & 255;
      bm[i + 2] = ((x ^ y) + n) & 255;
      bm[i + 3] = 255;
    }
  }
  return img;
}

console.error("data benchmark: preparing inputs ...");
const jpegs: Uint8Array[] = [];
const pngs: Uint8Array[] = [];
for (let i = 0; i < 4; i++) {
  const p = photo(i);
  jpegs.push(await p.encodeJPEG(90));
  pngs.push(await p.encode(1));
}

let hasSharp = true;
try {
  await import("sharp");
} catch {
  hasSharp = false;
}

/** Items/s of `stream` after its first `warm` items (so pool start-up is not counted). */
async function steadyRate(stream: ReadableStream<unknown>, warm: number): Promise<number> {
  let n = 0;
  let t0 = performance.now();
  for await (const _ of stream) {
    if (++n === warm) t0 = performance.now();
  }
  return ((n - warm) * 1000) / (performance.now() - t0);
}

const WARM = 8;
const viewWorker = new URL("../src/pipeline/view_worker.ts", import.meta.url);
for (const [format, files] of [["JPEG", jpegs], ["PNG", pngs]] as const) {
  for (
    const decoder of ["imagescript", ...(hasSharp ? ["sharp"] : [])] as ("imagescript" | "sharp")[]
  ) {
    const decode = await createDecoder(decoder);
    report(
      `decode 256x256 ${format}, ${decoder}, this thread`,
      await best(() =>
        timed(async () => {
          for (let i = 0; i < IMAGES; i++) {
            await decodeSample(decode, { key: `img${i}`, bytes: files[i % files.length] }, 3);
          }
          return IMAGES;
        })
      ),
      "images/s",
    );
    for (const workers of [1, 2]) {
      const samples = () =>
        fromIterable(
          Array.from({ length: WARM + IMAGES }, (_, i) => ({
            key: `img${i}`,
            bytes: files[i % files.length].slice(),
            epoch: 0,
            index: i,
          })),
        );
      const init = { augment: { preset: "simclr-v1", size: 224 }, decoder, channels: 3 };
      const rate = await best(() =>
        steadyRate(samples().pipeThrough(parallelMap(viewWorker, { workers, init })), WARM)
      );
      report(
        `decode 256x256 ${format} + 2 views 224 (view worker), ${decoder}, ${workers} worker${
          workers > 1 ? "s" : ""
        }`,
        rate,
        "images/s",
      );
    }
  }
}

const dir = await Deno.makeTempDir();
try {
  // IDX: RECORDS 28x28 records, plain file, read in epoch order (seek per record).
  const idx = new Uint8Array(16 + RECORDS * 784);
  const v = new DataView(idx.buffer);
  v.setUint32(0, 0x0803);
  v.setUint32(4, RECORDS);
  v.setUint32(8, 28);
  v.setUint32(12, 28);
  await Deno.writeFile(`${dir}/images.idx`, idx);
  const ds = await idxDataset({ images: `${dir}/images.idx` });
  report(
    "IDX 28x28 records, plain file, shuffled order",
    await best(() => timed(() => drain(indexedSamples(ds, { seed: 1, epochs: 1 })))),
    "records/s",
  );
  const fashion = "/usr/share/datasets/fashion-mnist";
  try {
    const t0 = performance.now();
    const fm = await idxDataset({
      images: `${fashion}/train-images-idx3-ubyte.gz`,
      labels: `${fashion}/train-labels-idx1-ubyte.gz`,
    });
    const openMs = performance.now() - t0;
    report("Fashion-MNIST train .gz: open (inflate 47 MB)", openMs, "ms");
    report(
      "Fashion-MNIST train .gz, shuffled order (in memory)",
      await best(() =>
        timed(() => drain(indexedSamples(fm, { seed: 1, epochs: 1 }).pipeThrough(take(RECORDS))))
      ),
      "records/s",
    );
  } catch {
    // no system copy: skip
  }
  // CIFAR: RECORDS/2 records in two batch files, read in epoch order.
  const half = RECORDS / 4;
  for (const b of [1, 2]) {
    const data = new Uint8Array(half * 3073);
    for (let r = 0; r < half; r++) data[r * 3073] = r % 10;
    await Deno.writeFile(`${dir}/data_batch_${b}.bin`, data);
  }
  const cifar = await cifarDataset({
    files: [`${dir}/data_batch_1.bin`, `${dir}/data_batch_2.bin`],
    variant: 10,
  });
  report(
    "CIFAR-10 32x32x3 records, shuffled order",
    await best(() => timed(() => drain(indexedSamples(cifar, { seed: 1, epochs: 1 })))),
    "records/s",
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}

// parallelMap overhead: trivial function in workers vs. on this thread.
const identity = "data:application/javascript,export function createMapper(){return (x) => x + 1;}";
const numbers = () => fromIterable(Array.from({ length: ITEMS }, (_, i) => i));
report(
  "plain for-loop over an array (x + 1)",
  await best(() =>
    timed(() => {
      let s = 0;
      for (let i = 0; i < ITEMS; i++) s += i + 1;
      return Promise.resolve(s > 0 ? ITEMS : 0);
    })
  ),
  "items/s",
);
report("stream: fromIterable -> drain", await best(() => timed(() => drain(numbers()))), "items/s");
report(
  "stream: map(x + 1) on this thread",
  await best(() => timed(() => drain(numbers().pipeThrough(map((x: number) => x + 1))))),
  "items/s",
);
for (const workers of [1, 2]) {
  for (const inFlight of [4 * workers, 32 * workers]) {
    const label = `${workers} worker${workers > 1 ? "s" : ""}, inFlight ${inFlight}`;
    report(
      `stream: parallelMap(x + 1), ${label}`,
      await best(() =>
        steadyRate(numbers().pipeThrough(parallelMap(identity, { workers, inFlight })), 100)
      ),
      "items/s",
    );
  }
}

const w0 = Math.max(...rows.map((r) => r[0].length), 4);
const w1 = Math.max(...rows.map((r) => r[1].length), 5);
console.log(`${"case".padEnd(w0)}  ${"value".padStart(w1)}  unit`);
console.log(`${"-".repeat(w0)}  ${"-".repeat(w1)}  ----`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
