/**
 * Where a job log goes: a file that andon reads back (to resume) and appends to, or a stream
 * that is only written — standard output (`-`, `/dev/stdout`), standard error, or any file
 * that is not a regular one (a FIFO, `/dev/null`, a terminal). GNU parallel writes to those
 * too; reading one back would wait forever (a pipe) or read what the user typed (a terminal).
 */
import { statSync } from 'node:fs';

/** A job log's destination. */
export type JobLogTarget =
  /** A regular file (or one not there yet): read back to resume, appended to. */
  | { readonly kind: 'file' }
  /** Written only, through this descriptor (shared with andon's own output, so one offset). */
  | { readonly kind: 'descriptor'; readonly fd: 1 | 2 }
  /** Written only: a FIFO, a device, a terminal. */
  | { readonly kind: 'stream' };

const DESCRIPTORS: Readonly<Record<string, 1 | 2>> = {
  '-': 1,
  '/dev/stdout': 1,
  '/dev/fd/1': 1,
  '/proc/self/fd/1': 1,
  '/dev/stderr': 2,
  '/dev/fd/2': 2,
  '/proc/self/fd/2': 2,
};

/** Where `path` sends a job log. */
export function jobLogTarget(path: string): JobLogTarget {
  const fd = DESCRIPTORS[path];
  if (fd !== undefined) return { kind: 'descriptor', fd };
  try {
    const stats = statSync(path);
    return stats.isFile() || stats.isDirectory() ? { kind: 'file' } : { kind: 'stream' };
  } catch {
    return { kind: 'file' };
  }
}

/** True if the job log is written only: nothing in it is read back, and no sidecar is kept beside it. */
export function isWriteOnly(target: JobLogTarget): boolean {
  return target.kind !== 'file';
}
