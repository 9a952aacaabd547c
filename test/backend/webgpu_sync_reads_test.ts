/**
 * No synchronous device reads in the training and evaluation path: `dataSync()`,
 * `arraySync()` and `bufferSync()` fail on `webgpu` (and stall any accelerator). The sources of
 * `src/train`, `src/model`, `src/eval`, `src/pipeline` and `src/backend/webgpu` must read with
 * `await t.data()` / `await t.array()`. Distributed hooks (`src/distributed/`, or a `dist_*` file)
 * may read synchronously, since they must refuse `webgpu` anyway; they are not scanned.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCANNED = ["src/train", "src/model", "src/eval", "src/pipeline", "src/backend/webgpu"];
const SYNC_READ = /\b(dataSync|arraySync|bufferSync)\s*\(/g;

/** `.ts` files under `dir` (recursively); none when it does not exist. */
async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) out.push(...await sources(path));
      else if (e.isFile && e.name.endsWith(".ts")) out.push(path);
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out;
}

/** Blanks comments (keeping line numbers), so prose that names the calls does not count. */
function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`])\/\/.*$/gm, (_, pre) => pre);
}

/** `path:line: text` for every synchronous read in `text`. */
function syncReads(path: string, text: string): string[] {
  const lines = stripComments(text).split("\n");
  const hits: string[] = [];
  lines.forEach((line, i) => {
    if (SYNC_READ.test(line)) hits.push(`${path}:${i + 1}: ${line.trim()}`);
    SYNC_READ.lastIndex = 0;
  });
  return hits;
}

function exempt(rel: string): boolean {
  return rel.split("/").includes("distributed") || /(^|\/)dist_[^/]*$/.test(rel);
}

Deno.test("the scanner finds sync reads in code and ignores comments", () => {
  const text = [
    "// never call x.dataSync() here",
    "/* nor",
    "   y.arraySync() */",
    "const a = t.dataSync();",
    "const b = await t.data(); const c = u.arraySync ();",
    "const d = v.bufferSync();",
  ].join("\n");
  assert.deepEqual(syncReads("f.ts", text).map((h) => h.split(":").slice(0, 2).join(":")), [
    "f.ts:4",
    "f.ts:5",
    "f.ts:6",
  ]);
  assert.ok(exempt("src/distributed/mpi.ts"));
  assert.ok(exempt("src/train/dist_hooks.ts"));
  assert.ok(!exempt("src/train/distance.ts"));
});

Deno.test("no dataSync/arraySync/bufferSync in the training and evaluation sources", async () => {
  const hits: string[] = [];
  let files = 0;
  for (const dir of SCANNED) {
    for (const path of await sources(join(ROOT, dir))) {
      const rel = relative(ROOT, path);
      if (exempt(rel)) continue;
      files++;
      hits.push(...syncReads(rel, await Deno.readTextFile(path)));
    }
  }
  assert.ok(files > 50, `only ${files} files scanned: wrong root ${ROOT}?`);
  assert.deepEqual(hits, [], `synchronous reads (use await t.data()):\n${hits.join("\n")}`);
});
