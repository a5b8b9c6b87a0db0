/**
 * `--pipe`: standard input cut into blocks on record boundaries, one block per job, as GNU
 * parallel cuts it (read from its source, so that `--block 10 wc -c` gives the same sizes):
 * read up to a whole `--block`, cut after the last record end in it, carry the partial record
 * into the next block; at the end of the input, what is left is the last block. Input is read
 * only as jobs take blocks, so a 10 GB stdin never sits in memory: at most one block per
 * running job, and the one being cut.
 */
import { UsageError } from '../errors.js';
import { withUnitPrefix } from './values.js';

/** How the input is cut into blocks. */
export interface BlockRules {
  /** `--block`: bytes to read at a time (a block ends at the last record boundary in them). */
  readonly blockSize: number;
  /** `--recstart` and `--recend`, escapes applied: a boundary is where `recend + recstart` is. */
  readonly recstart: Buffer;
  readonly recend: Buffer;
  /** `-N`: records per block instead of as many as fit in `blockSize`. */
  readonly records: number | undefined;
  /** `-L N`: how many record ends (lines) make one record; 1 without it. */
  readonly recordEnds?: number;
  /** `--header`: what starts the input and is given to every block ahead of its records. */
  readonly header: HeaderRule | undefined;
  /** `--rrs`: the separators removed from each block. */
  readonly removeSeparators: boolean;
  /** `-r`: blank lines removed. */
  readonly skipBlank: boolean;
}

/** `--header N` (lines) or `--header REGEXP`; `:` is one line. */
export type HeaderRule = { readonly lines: number } | { readonly pattern: RegExp };

/** One job's part of the input. */
export interface PipeBlock {
  /** The block's number, from 1: the job's `{#}`. */
  readonly seq: number;
  /** Where its records were in the input, in bytes (the header not counted). */
  readonly start: number;
  readonly end: number;
  /** What the job reads: the header, then the records. */
  readonly data: Buffer;
}

/** GNU parallel's ceiling for a block: 2 GiB less a byte. */
const MAX_BLOCK = 2 ** 31 - 1;

/** `--block SIZE`: a number with K, M, G, T, P (powers of 1024) or k, m, g, t, p (of 1000). */
export function blockSizeOf(text: string, negativeAllowed: boolean): number {
  const size = withUnitPrefix(text);
  if (!Number.isFinite(size) || size === 0 || (size < 0 && !negativeAllowed))
    throw new UsageError(
      `--block needs a size in bytes such as 1M or 64k${negativeAllowed ? ' (or -N: N blocks per job slot)' : ''}, got '${text}'`,
    );
  return size;
}

/** `--recstart` / `--recend` as GNU parallel reads them: with `\n`, `\t`, `\r`, `\0`, `\\`, `\'`, `\"`. */
export function separatorOf(text: string): Buffer {
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' };
  return Buffer.from(
    text.replace(/\\([0rnt'"\\])/g, (_, letter: string) => escapes[letter]!),
    'latin1',
  );
}

/** `--header`'s value: `:`, a number of lines, or a regular expression the input starts with. */
export function headerRuleOf(text: string): HeaderRule {
  if (text === ':') return { lines: 1 };
  if (/^\d+$/.test(text)) return { lines: Number(text) };
  try {
    return { pattern: new RegExp(`^(?:${text})`) };
  } catch {
    throw new UsageError(`--header '${text}' is not a regular expression andon can read; give : or a number of lines`);
  }
}

/** Reads an async stream of chunks a given number of bytes at a time. */
class ByteReader {
  readonly #chunks: AsyncIterator<Buffer>;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #ended = false;

  constructor(input: AsyncIterable<Buffer | string>) {
    const chunks = input[Symbol.asyncIterator]();
    this.#chunks = {
      next: async () => {
        const result = await chunks.next();
        return result.done === true
          ? result
          : { value: typeof result.value === 'string' ? Buffer.from(result.value) : result.value };
      },
      return: async () => {
        await chunks.return?.();
        return { done: true, value: undefined };
      },
    };
  }

  /** Up to `size` bytes; `ended` if the input ended before that many came (as a short read does). */
  async read(size: number): Promise<{ bytes: Buffer; ended: boolean }> {
    while (this.#pendingBytes < size && !this.#ended) {
      const result = await this.#chunks.next();
      if (result.done === true) this.#ended = true;
      else if (result.value.length > 0) {
        this.#pending.push(result.value);
        this.#pendingBytes += result.value.length;
      }
    }
    const all = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    const bytes = all.length > size ? all.subarray(0, size) : all;
    const rest = all.subarray(bytes.length);
    this.#pending = rest.length > 0 ? [rest] : [];
    this.#pendingBytes = rest.length;
    return { bytes, ended: bytes.length < size };
  }

  /** Stops reading: the stream is let go. */
  close(): void {
    void this.#chunks.return?.().catch(() => {});
  }
}

/**
 * Where the `n`th boundary after the start is, as GNU parallel's nindex finds it (the first
 * search starts at byte 1, so a boundary at byte 0 is not one), or -1.
 */
function nthBoundary(buffer: Buffer, boundary: Buffer, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) {
    at = buffer.indexOf(boundary, at + 1);
    if (at === -1) break;
  }
  return at;
}

/** Where the last boundary is that ends a whole record of `per` boundaries (`-L`), or -1. */
function lastRecordEnd(buffer: Buffer, boundary: Buffer, per: number): number {
  if (per === 1) return buffer.lastIndexOf(boundary);
  let found = -1;
  let count = 0;
  for (let at = buffer.indexOf(boundary, 1); at !== -1; at = buffer.indexOf(boundary, at + 1))
    if (++count % per === 0) found = at;
  return found;
}

/** `-r`: blank lines (only white space) out, as GNU parallel's `s/^\s*\n//gm`. */
function withoutBlankLines(buffer: Buffer): Buffer {
  const text = buffer.toString('latin1');
  const kept = text.replace(/^[ \t\r\f\v\n]*\n/gm, '');
  return kept.length === text.length ? buffer : Buffer.from(kept, 'latin1');
}

/** `--rrs`: every `recend + recstart` out, and the block's leading recstart and trailing recend. */
export function withoutSeparators(block: Buffer, recstart: Buffer, recend: Buffer): Buffer {
  const boundary = Buffer.concat([recend, recstart]);
  let parts: Buffer[] = [];
  if (boundary.length === 0) parts = [block];
  else
    for (let from = 0; ; ) {
      const at = block.indexOf(boundary, from);
      if (at === -1) {
        parts.push(block.subarray(from));
        break;
      }
      parts.push(block.subarray(from, at));
      from = at + boundary.length;
    }
  let joined = Buffer.concat(parts);
  if (recstart.length > 0 && joined.subarray(0, recstart.length).equals(recstart))
    joined = joined.subarray(recstart.length);
  if (recend.length > 0 && joined.length >= recend.length && joined.subarray(-recend.length).equals(recend))
    joined = joined.subarray(0, joined.length - recend.length);
  return joined;
}

/** The header at the start of `buffer`, if all of it is there yet. */
export function headerIn(buffer: Buffer, rule: HeaderRule): Buffer | undefined {
  if ('lines' in rule) {
    let end = 0;
    for (let line = 0; line < rule.lines; line++) {
      const newline = buffer.indexOf(10, end);
      if (newline === -1) return undefined;
      end = newline + 1;
    }
    return buffer.subarray(0, end);
  }
  const match = rule.pattern.exec(buffer.toString('latin1'));
  return match === null ? undefined : buffer.subarray(0, match[0].length);
}

/**
 * Cuts `input` into blocks by `rules`. `warn` hears when a record is longer than the block
 * size (the size is raised by a third, as GNU parallel does, up to 2 GiB).
 */
export async function* pipeBlocks(
  input: AsyncIterable<Buffer | string>,
  rules: BlockRules,
  warn: (message: string) => void,
): AsyncGenerator<PipeBlock> {
  const reader = new ByteReader(input);
  const boundary = Buffer.concat([rules.recend, rules.recstart]);
  const per = rules.recordEnds ?? 1;
  let blockSize = Math.min(rules.blockSize, MAX_BLOCK);
  let buffer: Buffer = Buffer.alloc(0);
  let offset = 0;
  let seq = 1;
  try {
    let header: Buffer = Buffer.alloc(0);
    if (rules.header !== undefined) {
      for (let ended = false; !ended; ) {
        const read = await reader.read(blockSize);
        ended = read.ended;
        buffer = Buffer.concat([buffer, read.bytes]);
        const found = headerIn(buffer, rules.header);
        if (found !== undefined) {
          header = Buffer.from(found);
          buffer = buffer.subarray(found.length);
          offset = found.length;
          break;
        }
      }
    }
    /** The block of the first `end` bytes of the buffer; they leave the buffer. */
    const cut = (end: number): PipeBlock => {
      const records = rules.removeSeparators
        ? withoutSeparators(buffer.subarray(0, end), rules.recstart, rules.recend)
        : buffer.subarray(0, end);
      const block = { seq: seq++, start: offset, end: offset + end, data: Buffer.concat([header, records]) };
      buffer = buffer.subarray(end);
      offset += end;
      return block;
    };
    for (;;) {
      let cutAny = false;
      const read = await reader.read(blockSize - (buffer.length % blockSize));
      buffer = buffer.length === 0 ? read.bytes : Buffer.concat([buffer, read.bytes]);
      if (rules.skipBlank) buffer = withoutBlankLines(buffer);
      if (rules.records !== undefined) {
        for (;;) {
          const at = buffer.length === 0 ? -1 : nthBoundary(buffer, boundary, rules.records * per);
          if (at === -1) break;
          yield cut(at + rules.recend.length);
          cutAny = true;
        }
      } else if (!read.ended || per > 1) {
        // At the end a short last record of -L lines is a block of its own, as in GNU parallel.
        const at = lastRecordEnd(buffer, boundary, per);
        if (at !== -1 && at + rules.recend.length > 0) {
          yield cut(at + rules.recend.length);
          cutAny = true;
        }
      }
      if (read.ended) break;
      if (!cutAny && blockSize < MAX_BLOCK) {
        const raised = Math.min(Math.ceil(blockSize * 1.3 + 1), MAX_BLOCK);
        warn(`a record was longer than ${blockSize} bytes; --block raised to ${raised}`);
        blockSize = raised;
      }
    }
    if (buffer.length > 0) yield cut(buffer.length);
  } finally {
    reader.close();
  }
}
