/**
 * `--pipepart`: a file (not a stream) cut into parts on record boundaries without reading it
 * through: the boundaries are looked for only near each `--block` border, as GNU parallel
 * does, and each job reads its part when it starts.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { shellQuote } from '../command/quote.js';
import { UsageError } from '../errors.js';
import { type HeaderRule, headerIn, type PipeBlock, withoutSeparators } from './pipe-blocks.js';

/** How the file is cut. */
export interface PartRules {
  /** Bytes per part, at least (a part ends at the first boundary after it); negative: parts per job slot. */
  readonly blockSize: number;
  readonly recstart: Buffer;
  readonly recend: Buffer;
  readonly header: HeaderRule | undefined;
  readonly removeSeparators: boolean;
}

/** How far past a border to read at a time looking for a boundary: GNU parallel's 128 KiB. */
const LOOK_AHEAD = 128 * 1024;

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const read = readSync(fd, buffer, got, length - got, position + got);
    if (read === 0) break;
    got += read;
  }
  return buffer.subarray(0, got);
}

/** Opens `path` for --pipepart. @throws UsageError if it is not a regular file that can be read */
function openPart(path: string): { fd: number; size: number } {
  const cannotRead = (error: unknown): UsageError =>
    new UsageError(
      `--pipepart: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  // Looked at before it is opened: opening a FIFO with no writer would wait forever.
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    throw cannotRead(error);
  }
  if (!isFile)
    throw new UsageError(`--pipepart needs a regular file, and ${path} is not one; use --pipe with < ${path} instead`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw cannotRead(error);
  }
  return { fd, size: fstatSync(fd).size };
}

/** Checks before the run that `path` can be cut. @throws UsageError */
export function checkPartFile(path: string): void {
  closeSync(openPart(path).fd);
}

/**
 * A part of the file. Its `data` (the header, then the records) is read by andon only where
 * the job cannot read the bytes itself: with --header or --rrs, or without a `dd` that counts
 * bytes. Otherwise `data` is undefined and the job reads `start`..`end` of the file through
 * `dd`, as GNU parallel's jobs do through Perl: the copy runs beside andon, not in it.
 */
export type FilePart = Omit<PipeBlock, 'data'> & { readonly data: Buffer | undefined };

/** True if this machine's `dd` is GNU's, which can skip and count bytes (iflag=skip_bytes,count_bytes). */
const ddCountsBytes = (() => {
  let known: boolean | undefined;
  return (): boolean => {
    known ??= /coreutils/.test(spawnSync('dd', ['--version'], { encoding: 'utf8' }).stdout ?? '');
    return known;
  };
})();

/** The shell words that write bytes `start`..`end` of `path` to standard output. */
export function partReader(path: string, start: number, end: number): string {
  return `dd if=${shellQuote(path)} bs=128K iflag=skip_bytes,count_bytes skip=${start} count=${end - start} status=none`;
}

/** The file's parts; `jobs` sizes a negative --block. @throws UsageError */
export function* fileParts(path: string, rules: PartRules, jobs: number): Generator<FilePart> {
  const { fd, size } = openPart(path);
  try {
    let header: Buffer = Buffer.alloc(0);
    if (rules.header !== undefined) {
      for (let length = LOOK_AHEAD; ; length *= 2) {
        const start = readAt(fd, 0, Math.min(length, size));
        const found = headerIn(start, rules.header);
        if (found !== undefined || start.length >= size) {
          header = Buffer.from(found ?? Buffer.alloc(0));
          break;
        }
      }
    }
    const block = rules.blockSize > 0 ? rules.blockSize : 1 + Math.floor(size / jobs / -rules.blockSize);
    const positions = splitPositions(
      fd,
      size,
      block,
      header.length,
      Buffer.concat([rules.recend, rules.recstart]),
      rules.recend.length,
    );
    const direct = header.length === 0 && !rules.removeSeparators && ddCountsBytes();
    for (let i = 0; i + 1 < positions.length; i++) {
      const start = positions[i]!;
      const end = positions[i + 1]!;
      if (direct) {
        yield { seq: i + 1, start, end, data: undefined };
        continue;
      }
      const records = readAt(fd, start, end - start);
      const data = rules.removeSeparators ? withoutSeparators(records, rules.recstart, rules.recend) : records;
      yield { seq: i + 1, start, end, data: header.length === 0 ? data : Buffer.concat([header, data]) };
    }
  } finally {
    closeSync(fd);
  }
}

/** Where the parts begin and end: GNU parallel's find_split_positions. */
function splitPositions(
  fd: number,
  size: number,
  block: number,
  skip: number,
  boundary: Buffer,
  recendLength: number,
): number[] {
  const positions = [skip];
  for (let position = block + skip; position < size; position += block) {
    if (boundary.length === 0) {
      positions.push(position);
      continue;
    }
    // Read on from the border until a boundary turns up (or the file ends).
    let seen = Buffer.alloc(0);
    for (;;) {
      const more = readAt(fd, position + seen.length, LOOK_AHEAD);
      if (more.length === 0) break;
      seen = Buffer.concat([seen, more]);
      const at = seen.indexOf(boundary);
      if (at !== -1) {
        position += at + recendLength;
        positions.push(position);
        break;
      }
    }
  }
  if (positions[positions.length - 1] !== size) positions.push(size);
  return positions;
}
