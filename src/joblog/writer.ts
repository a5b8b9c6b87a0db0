/**
 * Appends records to the job log as jobs finish: one `write` per record, straight to the
 * kernel, so a crash of andon (even SIGKILL) loses nothing that was written. Flushed to disk
 * (fsync) at most a second after a write and when the log is closed: a power cut may lose
 * the last second of records, and those jobs then run again on resume.
 */
import { closeSync, fsyncSync, openSync, statSync, writeSync } from 'node:fs';
import { JobLogError } from './job-log-error.js';
import { headerLine, recordLine, type JobRecord } from './format.js';
import type { JobLogTarget } from './target.js';

const FSYNC_EVERY_MS = 1_000;

/** An open job log. */
export class JobLogWriter {
  readonly path: string;
  readonly #fd: number;
  /** False for standard output or error, which stay open after the log is closed. */
  readonly #owned: boolean;
  #syncTimer: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * Opens (or creates) the job log for appending and writes the header if it is new.
   * @throws JobLogError if it cannot be opened — before any job starts.
   */
  constructor(path: string, identity: string | undefined, target: JobLogTarget = { kind: 'file' }) {
    this.path = path;
    this.#owned = target.kind !== 'descriptor';
    try {
      this.#fd = target.kind === 'descriptor' ? target.fd : openSync(path, 'a');
      // A stream has no size to look at: it gets its header, as GNU parallel writes one.
      if (target.kind !== 'file' || statSync(path).size === 0) writeSync(this.#fd, headerLine(identity));
    } catch (error) {
      throw new JobLogError(
        path,
        `Cannot write the job log ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check the directory exists and is writable`,
        undefined,
        error as Error,
      );
    }
  }

  /** Appends one record. */
  write(record: JobRecord): void {
    if (this.#closed) return;
    writeSync(this.#fd, recordLine(record));
    if (this.#syncTimer === undefined) {
      this.#syncTimer = setTimeout(() => this.#sync(), FSYNC_EVERY_MS);
      this.#syncTimer.unref();
    }
  }

  /** Flushes to disk and closes. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#sync();
    this.#closed = true;
    if (this.#owned) closeSync(this.#fd);
  }

  #sync(): void {
    clearTimeout(this.#syncTimer);
    this.#syncTimer = undefined;
    try {
      fsyncSync(this.#fd);
    } catch {
      // A job log on a file system without fsync (a pipe, /dev/stdout) is still written.
    }
  }
}
