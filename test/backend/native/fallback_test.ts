import assert from "node:assert/strict";

const start = new URL("../../../src/backend/start.ts", import.meta.url).href;

Deno.test("without --allow-ffi, --backend native falls back to wasm and says why in one line", async () => {
  const code = `
    import { startBackend } from ${JSON.stringify(start)};
    const a = await startBackend("native");
    const b = await startBackend("native");
    console.log(JSON.stringify({ a: a.name, b: b.name, notes: a.notes }));
  `;
  const root = new URL("../../../", import.meta.url).pathname;
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(script, code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-check",
      "--config",
      `${root}deno.json`,
      "--allow-read",
      "--allow-env",
      script,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(script));
  const stderr = new TextDecoder().decode(out.stderr);
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, stderr);
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
  assert.equal(result.a, "wasm");
  assert.equal(result.b, "wasm");
  const warnings = stderr.split("\n").filter((l) => /native kernels unavailable/.test(l));
  assert.equal(warnings.length, 1, `expected one warning line, got:\n${stderr}`);
  assert.match(warnings[0], /--allow-ffi/);
  assert.match(result.notes[0], /--allow-ffi/);
});
