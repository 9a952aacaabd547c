import assert from "node:assert/strict";
import { sha256Hex, toHex } from "../../src/streams/sha256.ts";

Deno.test("sha256Hex: the FIPS 180-2 test vectors; toHex pads every byte to two digits", async () => {
  const text = (s: string) => new TextEncoder().encode(s);
  assert.equal(
    await sha256Hex(text("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    await sha256Hex(new Uint8Array(0)),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(toHex(Uint8Array.of(0, 15, 16, 255)), "000f10ff");
});
