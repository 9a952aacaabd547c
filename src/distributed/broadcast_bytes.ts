import type { Communicator } from "./communicator.ts";

/**
 * Collective: rank `root`'s bytes on every rank (any length; the other ranks pass nothing).
 * Used to share what only one rank can read, such as a checkpoint file on its disk or the run
 * directory it chose.
 */
export async function broadcastBytes(
  comm: Communicator,
  bytes: Uint8Array | undefined,
  root = 0,
): Promise<Uint8Array> {
  const mine = comm.rank === root;
  if (mine && !bytes) throw new TypeError(`broadcastBytes: rank ${root} (the root) has no bytes`);
  if (comm.size === 1) return bytes!;
  const length = new Float64Array([mine ? bytes!.length : 0]);
  await comm.broadcast(length, root);
  const out = mine ? bytes! : new Uint8Array(length[0]);
  if (out.length > 0) await comm.broadcast(out, root);
  return out;
}

/**
 * Collective: rank `root`'s text on every rank (see {@linkcode broadcastBytes}).
 */
export async function broadcastText(
  comm: Communicator,
  text: string | undefined,
  root = 0,
): Promise<string> {
  const bytes = text === undefined ? undefined : new TextEncoder().encode(text);
  return new TextDecoder().decode(await broadcastBytes(comm, bytes, root));
}
