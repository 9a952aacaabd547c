/** A tiny tmpfs for disk-full tests, where this process may mount one (root, Linux). */

/** A mounted tmpfs of `bytes`, or why there is none (the test then says it skipped). */
export async function tinyTmpfs(
  bytes: number,
): Promise<{ dir: string; unmount: () => Promise<void> } | string> {
  if (Deno.build.os !== "linux") return "tmpfs needs Linux";
  if (Deno.uid() !== 0) return "mounting a tmpfs needs root";
  const dir = await Deno.makeTempDir({ prefix: "simclr-full-" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir],
    stderr: "piped",
  }).output().catch((err) => ({ success: false, stderr: new TextEncoder().encode(String(err)) }));
  if (!mount.success) {
    await Deno.remove(dir);
    return `mount -t tmpfs failed: ${new TextDecoder().decode(mount.stderr).trim()}`;
  }
  return {
    dir,
    unmount: async () => {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir);
    },
  };
}
