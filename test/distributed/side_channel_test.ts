/**
 * The side channel in one process (rank 0 and its peers as objects): only authenticated
 * ranks count; an idle connection, a stray HTTP request, forged and malformed messages are
 * ignored (logged once) while the ranks connect, and the listener is gone after that.
 */
import assert from "node:assert/strict";
import { type PeerFailure, SideChannel } from "../../src/distributed/side_channel.ts";
import { MessageKey } from "../../src/distributed/side_channel_auth.ts";
import { strayMessages } from "./_strays.ts";

const encoder = new TextEncoder();

async function send(conn: Deno.Conn, text: string) {
  const data = encoder.encode(text);
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

/** Reads until the peer closes (or `ms` pass); true when it closed. */
async function closedWithin(conn: Deno.Conn, ms: number): Promise<boolean> {
  const buf = new Uint8Array(1024);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const n = await Promise.race([
      conn.read(buf).catch(() => null),
      new Promise<"wait">((r) => setTimeout(() => r("wait"), deadline - Date.now())),
    ]);
    if (n === null) return true;
    if (n === "wait") return false;
  }
  return false;
}

function ranks(size: number) {
  const failures: PeerFailure[][] = [...Array(size)].map(() => []);
  const logs: string[][] = [...Array(size)].map(() => []);
  const channels = [...Array(size).keys()].map((r) =>
    SideChannel.create(r, size, (f) => failures[r].push(f), () => 42, (l) => logs[r].push(l))
  );
  return { channels, failures, logs };
}

Deno.test("side channel: strays and forgeries during the rendezvous leave the job unharmed", async () => {
  const { channels: [zero, one], failures, logs } = ranks(2);
  const info = await zero.listen("127.0.0.1", ["127.0.0.1"]);
  assert.match(info.secret, /^[0-9a-f]{64}$/);
  const accepted = zero.accept(info, 20_000);
  const port = info.port;
  const right = await MessageKey.fromSecret(info.secret);
  const strays: Deno.Conn[] = [];
  const stray = async (text: string) => {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    strays.push(c);
    if (text) await send(c, text);
    return c;
  };
  const idle = await stray(""); // connects, says nothing
  const messages = await strayMessages();
  const http = await stray(messages.http);
  const forgedHello = await stray(messages.hello);
  const forgedFail = await stray(messages.fail);
  const badMac = await stray(`${"0".repeat(64)} {"t":"hello","from":1,"c":"x","n":0}\n`);
  // authentic, but not a hello, or from a rank that does not exist
  const notHello = await stray(await right.seal({ t: "fail", from: 1, c: "y", n: 0, step: 1 }));
  const noSuchRank = await stray(await right.seal({ t: "hello", from: 5, c: "z", n: 0 }));
  const huge = await stray("x".repeat(70_000)); // no newline
  for (const c of [http, forgedHello, forgedFail, badMac, notHello, noSuchRank, huge]) {
    assert.ok(await closedWithin(c, 5_000), "rank 0 closes a connection that did not authenticate");
  }
  await one.connect(info);
  await accepted;
  assert.ok(await closedWithin(idle, 2_000), "pending strays are closed once every rank is in");
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port }),
    "the listener is closed after the rendezvous",
  );
  assert.deepEqual(failures, [[], []], "no failure was reported");
  assert.equal(logs[0].length, 1, logs[0].join("\n"));
  assert.match(
    logs[0][0],
    /^side channel \(rank 0\): ignored .* from 127\.0\.0\.1:\d+; the job goes on/,
  );

  // the real ranks still talk: rank 1 reports its failure, rank 0 hears it with the step
  await one.reportOwnFailure(7, "Error: real");
  for (let i = 0; i < 100 && failures[0].length === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(failures[0], [{ rank: 1, step: 7, reason: "Error: real" }]);
  assert.deepEqual(failures[1], []);
  await one.close();
  await zero.close();
  for (const c of strays) {
    try {
      c.close();
    } catch { /* closed by rank 0 */ }
  }
});

Deno.test("side channel: a second hello for a connected rank is ignored; a peer's end is a failure", async () => {
  const { channels: [zero, one], failures, logs } = ranks(3);
  const info = await zero.listen("127.0.0.1", ["127.0.0.1"]);
  const accepted = zero.accept(info, 20_000);
  await one.connect(info);
  // someone who knows the secret but not rank 1's connection: a duplicate rank 1
  const right = await MessageKey.fromSecret(info.secret);
  const dup = await Deno.connect({ hostname: "127.0.0.1", port: info.port });
  await send(dup, await right.seal({ t: "hello", from: 1, c: "dup", n: 0 }));
  assert.ok(await closedWithin(dup, 5_000));
  assert.match(logs[0].join("\n"), /a second hello from rank 1/);
  // rank 2, by hand: introduces itself, then goes away without bye (as a killed process does)
  const two = await Deno.connect({ hostname: "127.0.0.1", port: info.port });
  await send(two, await right.seal({ t: "hello", from: 2, c: "two", n: 0 }));
  await accepted;
  two.close();
  for (let i = 0; i < 100 && failures[1].length === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(failures[0][0]?.rank, 2);
  assert.equal(failures[0][0]?.step, 42);
  assert.match(failures[0][0]?.reason, /the process ended without closing its communicator/);
  assert.deepEqual(failures[1], failures[0], "rank 0 relays it to rank 1");
  dup.close();
  await one.close();
  await zero.close();
});

Deno.test("side channel: a rank whose connection ends during the rendezvous may connect again", async () => {
  const { channels: [zero, one, two], failures } = ranks(3);
  const info = await zero.listen("127.0.0.1", ["127.0.0.1"]);
  const accepted = zero.accept(info, 20_000);
  let done = false;
  accepted.then(() => (done = true));
  // rank 1's first connection introduces itself, is welcomed, and drops (a client that gave up)
  const right = await MessageKey.fromSecret(info.secret);
  const first = await Deno.connect({ hostname: "127.0.0.1", port: info.port });
  await send(first, await right.seal({ t: "hello", from: 1, c: "first", n: 0 }));
  const welcome = new Uint8Array(4096);
  const n = await first.read(welcome);
  assert.match(new TextDecoder().decode(welcome.subarray(0, n ?? 0)), /"t":"welcome"/);
  first.close();
  await new Promise((r) => setTimeout(r, 100));
  await two.connect(info);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(done, false, "rank 1, dropped, is not counted as in");
  await one.connect(info);
  await accepted;
  assert.deepEqual(failures, [[], [], []]);
  await Promise.all([one.close(), two.close()]);
  await zero.close();
});
