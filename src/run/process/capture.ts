/**
 * Collects a job's output up to a cap. Past the cap the rest is read and dropped (the job is
 * not killed for talking too much), and the result says the output was cut.
 */

/** Captured bytes of one stream. */
export class CappedBuffer {
  readonly #cap: number;
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  /** Every byte the stream produced, kept or not. */
  total = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  /** True once bytes were dropped. */
  get truncated(): boolean {
    return this.total > this.#kept;
  }

  /** How many more bytes would be kept. */
  get room(): number {
    return this.#cap - this.#kept;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.#cap - this.#kept;
    if (room <= 0) return;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.#chunks.push(kept);
    this.#kept += kept.length;
  }

  /** Counts bytes the stream produced that were never read (they would be dropped anyway). */
  skip(bytes: number): void {
    this.total += bytes;
  }

  /** The kept bytes. */
  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#kept);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }
}
