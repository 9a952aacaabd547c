/**
 * The WebGPU probe points the Vulkan loader at one private runtime folder per user instead of
 * making a temporary folder per process, which every process left behind (issue 17, item 15).
 */
import assert from "node:assert/strict";

const probe = new URL("../../src/backend/webgpu.ts", import.meta.url).href;

Deno.test("probing WebGPU leaves no temporary folder per process behind", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "simclr-tmpdir-" });
  const env: Record<string, string> = { ...Deno.env.toObject(), TMPDIR: tmp };
  delete env.XDG_RUNTIME_DIR;
  const code = `const { probeWebGpu } = await import(${JSON.stringify(probe)});
    await probeWebGpu();
    console.log(Deno.env.get("XDG_RUNTIME_DIR") ?? "unset");`;
  const dirs: string[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
      env,
      clearEnv: true,
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    dirs.push(new TextDecoder().decode(r.stdout).trim());
  }
  const uid = Deno.uid();
  assert.deepEqual(dirs, [`${tmp}/simclr-runtime-${uid}`, `${tmp}/simclr-runtime-${uid}`]);
  assert.deepEqual([...Deno.readDirSync(tmp)].map((e) => e.name), [`simclr-runtime-${uid}`]);
  assert.equal((await Deno.stat(dirs[0])).mode! & 0o777, 0o700);
  await Deno.remove(tmp, { recursive: true });
});
