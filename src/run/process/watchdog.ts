/**
 * andon's side of the watchdog: starts it once, before the first job, and tells it about
 * every job group. The pipe is its only link to andon; see `watchdog-main.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const WATCHDOG_MAIN = fileURLToPath(new URL('./watchdog-main.js', import.meta.url));

/** The name of the environment variable that marks a job as belonging to a watchdog. */
export const WATCHDOG_ENV = 'ANDON_WATCHDOG';

/** A running watchdog. */
export class Watchdog {
  /** The marker value jobs carry in `ANDON_WATCHDOG`. */
  readonly marker = randomUUID();
  readonly #process: ChildProcess;
  #closed = false;

  constructor() {
    this.#process = spawn(process.execPath, [WATCHDOG_MAIN, this.marker], {
      // Its own session: the terminal's Ctrl+C and hang-up never reach it.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    // andon may exit without closing the pool; the watchdog must not keep it alive, and the
    // closing pipe is then exactly the signal it waits for.
    this.#process.unref();
    // A pipe's stream is a net.Socket at run time, though typed as a plain Writable.
    (this.#process.stdin as unknown as { unref?: () => void }).unref?.();
    this.#process.stdin!.on('error', () => {
      // The watchdog is gone (killed by hand): nothing to tell it any more.
    });
  }

  /** Registers a job's process group. */
  add(pgid: number): void {
    this.#send(`+${pgid}\n`);
  }

  /** Forgets a job's process group once it has exited. */
  remove(pgid: number): void {
    this.#send(`-${pgid}\n`);
  }

  /** Says goodbye: the watchdog exits without killing anything. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => {
      this.#process.stdin!.end('bye\n', () => resolve());
    });
  }

  #send(line: string): void {
    if (!this.#closed) this.#process.stdin!.write(line);
  }
}
