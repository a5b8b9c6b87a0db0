/**
 * andon's side of the watchdog. The watchdog holds a pipe to andon: the pipe closing without
 * a goodbye means andon died. Which process groups to kill is written to a registry file,
 * synchronously, right after each spawn: a write to a file wakes nobody, while a write to the
 * pipe would wake the watchdog process every time (dearer than spawning a small job).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A POSIX shell script, not a Node process: it only waits for a pipe to close and then kills,
 * and a shell does that in about 1 MB where Node takes 40 MB and 40 ms to start. Its text is
 * here, run with `/bin/sh -c`, rather than in a file beside the compiled code: a file only a
 * build step copies is one a plain `tsc` leaves out, and andon would then run every job with
 * no watchdog at all, silently.
 *
 * andon appends "+PGID" to the registry file when it starts a job's process group and "-PGID"
 * when the group is gone, and writes "bye" on the script's stdin when it shuts down cleanly.
 * If stdin closes without "bye", andon died (SIGKILL, a crash): kill every group still on
 * record, and (Linux) every process carrying this run's marker in its environment, TERM first
 * and KILL 200 ms later. Runs in its own session and ignores INT and HUP, so neither a Ctrl+C
 * at the terminal nor a hang-up removes it before the cleanup. Then remove the registry's
 * directory, whether andon died or said goodbye.
 *
 *   /bin/sh -c WATCHDOG_SCRIPT andon-watchdog MARKER REGISTRY
 */
export const WATCHDOG_SCRIPT = String.raw`trap '' INT HUP
marker=$1
registry=$2
clean=
while IFS= read -r line; do
  [ "$line" = bye ] && clean=1
done

cleanup() {
  if [ -z "$clean" ]; then
    # Groups still on record: every "+PGID" without a later "-PGID".
    groups=$(awk '/^\+/ { live[substr($0, 2)] = 1 } /^-/ { delete live[substr($0, 2)] } END { for (g in live) print g }' "$registry" 2>/dev/null)
    marked=
    if [ -d /proc/self ]; then
      marked=$(grep -l -a "ANDON_WATCHDOG=$marker" /proc/[0-9]*/environ 2>/dev/null | sed -e 's#^/proc/##' -e 's#/environ$##' | grep -v "^$$\$")
    fi
    for signal in TERM KILL; do
      for g in $groups; do kill -s "$signal" -- "-$g" 2>/dev/null; done
      for p in $marked; do kill -s "$signal" "$p" 2>/dev/null; done
      [ "$signal" = TERM ] && sleep 0.2
    done
  fi
  rm -rf "$(dirname "$registry")"
}
cleanup
`;

/**
 * The watchdog's name, its `$0`: what `ps` shows after `/bin/sh -c <script>`, and how a test
 * or benchmark tells it apart from andon's jobs in /proc/PID/cmdline.
 */
export const WATCHDOG_NAME = 'andon-watchdog';

/** The name of the environment variable that marks a job as belonging to a watchdog. */
export const WATCHDOG_ENV = 'ANDON_WATCHDOG';

/** A running watchdog. */
export class Watchdog {
  /** The marker value jobs carry in `ANDON_WATCHDOG`. */
  readonly marker = randomUUID();
  /**
   * The run's private temporary directory (mode 0700), holding the registry. The watchdog
   * removes it, and whatever else is in it, when it exits: after a goodbye or after andon died.
   */
  readonly dir: string;
  readonly #process: ChildProcess;
  readonly #registry: number;
  #closed = false;
  /** Removals not written yet. */
  #removals = '';
  readonly #flush = (): void => {
    const lines = this.#removals;
    this.#removals = '';
    if (lines !== '') this.#record(lines);
  };

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'andon-watchdog-'));
    const registryPath = join(this.dir, 'groups');
    let registry: number | undefined;
    try {
      registry = openSync(registryPath, 'a');
      this.#process = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, WATCHDOG_NAME, this.marker, registryPath], {
        // Its own session: the terminal's Ctrl+C and hang-up never reach it.
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
    } catch (error) {
      // No watchdog to remove the directory: the next job will try again with a new one.
      if (registry !== undefined) closeSync(registry);
      rmSync(this.dir, { recursive: true, force: true });
      throw error;
    }
    this.#registry = registry;
    // andon may exit without closing the pool; the watchdog must not keep it alive, and the
    // closing pipe is then exactly the signal it waits for.
    this.#process.unref();
    // A pipe's stream is a net.Socket at run time, though typed as a plain Writable.
    (this.#process.stdin as unknown as { unref?: () => void }).unref?.();
    this.#process.stdin!.on('error', () => {
      // The watchdog is gone (killed by hand): nothing to tell it any more.
    });
  }

  /** Registers a job's process group; on return it is on record. */
  add(pgid: number): void {
    const lines = `${this.#removals}+${pgid}\n`;
    this.#removals = '';
    this.#record(lines);
  }

  /**
   * Forgets a job's process group once it has exited. Written with the next registration (a
   * lane starts its next job in the same turn of the event loop), or at the next turn: one
   * write per job instead of two. Meanwhile the watchdog could only signal a group that is
   * gone; its id cannot be a new group's before the kernel's pids wrap around.
   */
  remove(pgid: number): void {
    if (this.#removals === '') setImmediate(this.#flush);
    this.#removals += `-${pgid}\n`;
  }

  /** Says goodbye: the watchdog removes the registry and exits without killing. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#flush();
    this.#closed = true;
    closeSync(this.#registry);
    return new Promise((resolve) => {
      this.#process.stdin!.end('bye\n', () => resolve());
    });
  }

  #record(line: string): void {
    if (!this.#closed) writeSync(this.#registry, line);
  }
}
