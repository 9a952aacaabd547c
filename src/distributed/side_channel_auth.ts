/**
 * Authenticated side-channel messages: each line is `<HMAC-SHA-256 hex> <JSON>`, the MAC taken
 * over the JSON text with the job's secret (32 random bytes made by rank 0 at start and sent to
 * the other ranks over MPI, never written anywhere). A line whose MAC does not verify
 * (`crypto.subtle.verify`, which compares in constant time) is not authentic and is ignored.
 * The MAC never reveals the secret, so a listener on the network cannot forge messages
 * from what it sees; replays within one connection are refused by the sequence numbers
 * the channel checks (`side_channel.ts`).
 */

const encoder = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * `n` random bytes as hex (from the system's cryptographic generator): the job secret, and
 * connection ids.
 */
export function randomHex(n: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(n)));
}

/** The job's message key: seals outgoing messages and opens (verifies) incoming lines. */
export class MessageKey {
  #key: CryptoKey;

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /** The key of a hex secret (at least 16 bytes). */
  static async fromSecret(secretHex: string): Promise<MessageKey> {
    const raw = fromHex(secretHex);
    if (!raw || raw.length < 16) {
      throw new RangeError("side channel secret: expected at least 32 hex digits");
    }
    const key = await crypto.subtle.importKey(
      "raw",
      raw,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return new MessageKey(key);
  }

  /** The line (with its newline) carrying `body`. */
  async seal(body: unknown): Promise<string> {
    const json = JSON.stringify(body);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", this.#key, encoder.encode(json)));
    return `${toHex(mac)} ${json}\n`;
  }

  /** The message of an authentic line (without its newline), or null. */
  async open(line: string): Promise<unknown | null> {
    const sp = line.indexOf(" ");
    if (sp !== 64) return null;
    const mac = fromHex(line.slice(0, sp));
    if (!mac) return null;
    const json = line.slice(sp + 1);
    const ok = await crypto.subtle.verify("HMAC", this.#key, mac, encoder.encode(json));
    if (!ok) return null;
    try {
      return JSON.parse(json);
    } catch {
      return null;
    }
  }
}
