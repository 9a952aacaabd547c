/** Where an atomic write puts its bytes before the rename (private to the package). */

/**
 * The temporary name `writeFileAtomic` writes `path` under (this process's).
 *
 * @example Beside the target, named by the process id
 * ```ts
 * import assert from "node:assert/strict";
 * import { atomicTempPath } from "./_atomic_temp_path.ts";
 *
 * assert.equal(atomicTempPath("runs/x/ckpt.bin"), `runs/x/ckpt.bin.${Deno.pid}.tmp`);
 * ```
 */
export function atomicTempPath(path: string): string {
  return `${path}.${Deno.pid}.tmp`;
}
