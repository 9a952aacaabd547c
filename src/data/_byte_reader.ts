/** Reading exact byte counts from a byte stream. */

/**
 * Wraps a byte stream to read exactly `n` bytes at a time (fewer only at the end).
 */
export class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #offset = 0;
  /** Bytes handed out so far. */
  position = 0;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** Reads up to `n` bytes into a fresh buffer; shorter only when the stream ends. */
  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      if (this.#offset >= this.#chunk.length) {
        const r = await this.#reader.read();
        if (r.done) return out.subarray(0, got);
        this.#chunk = r.value;
        this.#offset = 0;
        continue;
      }
      const take = Math.min(n - got, this.#chunk.length - this.#offset);
      out.set(this.#chunk.subarray(this.#offset, this.#offset + take), got);
      this.#offset += take;
      got += take;
    }
    this.position += got;
    return out;
  }

  /** Skips `n` bytes; returns how many were skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.#offset >= this.#chunk.length) {
        const r = await this.#reader.read();
        if (r.done) break;
        this.#chunk = r.value;
        this.#offset = 0;
        continue;
      }
      const take = Math.min(left, this.#chunk.length - this.#offset);
      this.#offset += take;
      left -= take;
    }
    this.position += n - left;
    return n - left;
  }

  /** Stops reading and releases the stream. */
  cancel(reason?: unknown): Promise<void> {
    return this.#reader.cancel(reason);
  }
}
