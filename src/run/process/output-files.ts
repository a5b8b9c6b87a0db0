/**
 * Output files: where a job's stdout and stderr go when they need not stream (GNU parallel
 * does the same). A file per stream, read once the job has exited, spares each job two pipes
 * (socket pairs, in Node) and the two streams that read them. The files are deleted as soon
 * as they are opened: the open descriptors (andon's, and the job's copies) keep them alive,
 * so nothing is left behind however andon ends. They live in the watchdog's directory, which
 * the watchdog removes in any case, should andon die between an open and its delete.
 */
import { closeSync, constants, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import type { CappedBuffer } from './capture.js';

/** One read answers most jobs: they write nothing, or a few lines. */
const SCRATCH = Buffer.allocUnsafe(64 * 1024);
/** Larger output is read, and handed on, in pieces of this size. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Linux's O_TMPFILE: a file with no name at all in `dir`, so nothing to create in the
 * directory and nothing to delete (about a third of the cost). The flag is __O_TMPFILE |
 * O_DIRECTORY; __O_TMPFILE is 0o20000000 on every architecture Node runs Linux on. A kernel
 * or file system without it refuses the open, and then files are named and deleted instead.
 */
let tmpfileFlags: number | undefined =
  process.platform === 'linux' ? 0o20000000 | constants.O_DIRECTORY | constants.O_RDWR | constants.O_APPEND : undefined;

/** How an open with O_TMPFILE fails where it is not supported. */
const UNSUPPORTED = new Set(['EISDIR', 'EOPNOTSUPP', 'ENOTSUP', 'EINVAL']);

function openDeleted(dir: string, name: string): number {
  if (tmpfileFlags !== undefined) {
    try {
      return openSync(dir, tmpfileFlags, 0o600); // also private and appending, as below
    } catch (error) {
      if (!UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      tmpfileFlags = undefined;
    }
  }
  return openNamedDeleted(`${dir}/${name}`);
}

/** Creates `path` (private, for reading and appending), deletes it and returns its descriptor. */
export function openNamedDeleted(path: string): number {
  // Private (0600, in a 0700 directory), and appending: a job that reopens its output
  // (`echo x > /dev/stdout`) truncates the file, as it would under GNU parallel; its other
  // writes then go on at the new end rather than past a hole of zero bytes.
  const fd = openSync(path, 'ax+', 0o600);
  try {
    unlinkSync(path);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** A job's two output files, open and already deleted. */
export class OutputFiles {
  readonly stdout: number;
  readonly stderr: number;
  #open = true;

  /** Creates two files in `dir` without names, or as `name.out` and `name.err`, deleted at once. */
  constructor(dir: string, name: string) {
    this.stdout = openDeleted(dir, `${name}.out`);
    try {
      this.stderr = openDeleted(dir, `${name}.err`);
    } catch (error) {
      closeSync(this.stdout);
      throw error;
    }
  }

  /** False once closed: the descriptor numbers may then belong to something else. */
  get open(): boolean {
    return this.#open;
  }

  /** Closes both; the space goes once the job's processes have closed theirs. Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    closeSync(this.stdout);
    closeSync(this.stderr);
  }
}

/**
 * Reads what a job wrote to one of its output files, from the start: every byte if `deliver`
 * wants them all, else only what `capture` keeps (the rest is counted, not read). Each piece
 * goes to `capture`, then to `deliver`. What is written after the file's size was taken (by a
 * background process of the job) is not read.
 */
export function readOutputFile(
  fd: number,
  capture: CappedBuffer,
  deliver: ((chunk: Buffer) => void) | undefined,
): void {
  const wanted = deliver === undefined ? capture.room : Infinity;
  const take = (chunk: Buffer): void => {
    capture.push(chunk);
    deliver?.(chunk);
  };
  let position = 0;
  if (wanted > 0) {
    const length = Math.min(SCRATCH.length, wanted);
    position = readSync(fd, SCRATCH, 0, length, 0);
    if (position > 0) take(Buffer.from(SCRATCH.subarray(0, position)));
    // A regular file reads short only at its end.
    if (position < length) return;
  }
  const size = fstatSync(fd).size;
  const end = Math.min(size, wanted);
  while (position < end) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, end - position));
    const read = readSync(fd, chunk, 0, chunk.length, position);
    if (read === 0) break;
    take(read < chunk.length ? chunk.subarray(0, read) : chunk);
    position += read;
  }
  if (size > position) capture.skip(size - position);
}
