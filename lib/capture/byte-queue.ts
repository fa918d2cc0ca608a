/**
 * A FIFO of byte chunks that hands out exact-length slices without concatenating on every push.
 *
 * TCP delivers a BGP stream in arbitrary pieces: usually several whole messages per segment, sometimes one message
 * across dozens of segments. Taking a slice that lies inside one chunk returns a view (no copy); only a slice that
 * straddles chunks is copied, once, into a buffer of exactly its length. Consumed chunks are released by index
 * rather than `shift()`, so a message spread over thousands of tiny segments stays linear.
 */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  /** Index of the first unconsumed chunk in #chunks. */
  #head = 0;
  #length = 0;

  /** Bytes currently queued. */
  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /**
   * The first `n` bytes without consuming them: a view when they lie in one chunk, otherwise copied into
   * `scratch` (which must hold at least `n` bytes). The caller guarantees `n <= length`.
   */
  peek(n: number, scratch: Uint8Array): Uint8Array {
    const first = this.#chunks[this.#head];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    this.#copyOut(scratch, n, false);
    return scratch.subarray(0, n);
  }

  /** Removes and returns the first `n` bytes (`n <= length`): a view when possible, else an exact-size copy. */
  take(n: number): Uint8Array {
    const first = this.#chunks[this.#head];
    if (first !== undefined && first.length >= n) {
      this.#consumeFromFirst(first, n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    this.#copyOut(out, n, true);
    return out;
  }

  /** Removes and returns everything queued. */
  takeAll(): Uint8Array {
    return this.take(this.#length);
  }

  /** Discards the first `n` bytes (`n <= length`). */
  skip(n: number): void {
    let remaining = n;
    while (remaining > 0) {
      const first = this.#chunks[this.#head];
      if (first === undefined) break;
      const used = Math.min(remaining, first.length);
      this.#consumeFromFirst(first, used);
      remaining -= used;
    }
  }

  /** Makes the queue one contiguous chunk (copying only if it holds several) and returns it without consuming. */
  coalesce(): Uint8Array {
    const all = this.takeAll();
    this.push(all);
    return all;
  }

  /** Copies the first `n` queued bytes into `target`, consuming them when `consume` is set. */
  #copyOut(target: Uint8Array, n: number, consume: boolean): void {
    let written = 0;
    let index = this.#head;
    while (written < n) {
      // Consuming moves #head (and may compact #chunks), so read through it rather than a stale index.
      const chunk = this.#chunks[consume ? this.#head : index];
      if (chunk === undefined) break;
      const used = Math.min(n - written, chunk.length);
      target.set(used === chunk.length ? chunk : chunk.subarray(0, used), written);
      written += used;
      if (consume) this.#consumeFromFirst(chunk, used);
      else index += 1;
    }
  }

  /** Consumes `n` bytes of the head chunk `first` (which must be #chunks[#head]). */
  #consumeFromFirst(first: Uint8Array, n: number): void {
    this.#length -= n;
    if (n < first.length) {
      this.#chunks[this.#head] = first.subarray(n);
      return;
    }
    this.#head += 1;
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#chunks.length) {
      // Drop the consumed prefix now and then so the array does not grow without bound.
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
