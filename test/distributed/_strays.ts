/** Test helper: what a stranger may send to rank 0's side-channel port. */
import { MessageKey, randomHex } from "../../src/distributed/side_channel_auth.ts";

/**
 * A stray HTTP request, and a hello and a `fail` as rank 1 sealed with a key that is not the
 * job's (the `fail` is what killed a job before the channel was authenticated).
 */
export async function strayMessages(): Promise<{ http: string; hello: string; fail: string }> {
  const wrong = await MessageKey.fromSecret(randomHex(32));
  return {
    http: "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    hello: await wrong.seal({ t: "hello", from: 1, c: "f", n: 0 }),
    fail: await wrong.seal({
      t: "fail",
      from: 1,
      c: "f",
      n: 0,
      rank: 1,
      step: 4242,
      reason: "INJECTED BY ANOTHER LOCAL USER",
    }),
  };
}
