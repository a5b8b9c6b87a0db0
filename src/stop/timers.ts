/** Timers that accept any delay: Node's own silently turn anything over 2^31-1 ms into 1 ms. */

const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** A cancellable timer; `cancel()` is safe to call more than once. */
export interface LongTimer {
  cancel(): void;
}

/**
 * Calls `fn` after `ms` milliseconds, for any finite or infinite `ms`. Infinity never fires but
 * still keeps the event loop alive, as a sleeping task expects its process to wait for it.
 */
export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  let handle: NodeJS.Timeout | undefined;
  let remaining = ms;
  const arm = (): void => {
    if (remaining === Infinity) {
      handle = setTimeout(arm, MAX_TIMER_DELAY);
      return;
    }
    const step = Math.min(remaining, MAX_TIMER_DELAY);
    remaining -= step;
    handle = setTimeout(remaining > 0 ? arm : fn, step);
  };
  arm();
  return {
    cancel() {
      if (handle !== undefined) clearTimeout(handle);
      handle = undefined;
      remaining = 0;
    },
  };
}

/** A timer that can be paused (while the process is suspended) and resumed with the time it had left. */
export interface PausableTimer extends LongTimer {
  /** Stops the clock: the time left is kept. Idempotent. */
  pause(): void;
  /** Starts the clock again with the time that was left. Idempotent. */
  resume(): void;
  /** The running time so far, in ms: time spent paused does not count. */
  ran(): number;
  /** Fires once the running time reaches `ms` instead (at once if it has); nothing once fired or cancelled. */
  reschedule(ms: number): void;
}

/** Calls `fn` after `ms` milliseconds of running time: time spent paused does not count. */
export function setPausableTimeout(fn: () => void, ms: number): PausableTimer {
  let total = ms;
  // Running time before the clock last started, and when it did.
  let ranBefore = 0;
  let startedAt = performance.now();
  let done = false;
  const fire = (): void => {
    done = true;
    fn();
  };
  let timer: LongTimer | undefined = setLongTimeout(fire, ms);
  const ran = (): number => ranBefore + (timer === undefined ? 0 : performance.now() - startedAt);
  return {
    cancel() {
      // The running time stops here too: ran() after a cancel says how long it ran.
      ranBefore = ran();
      done = true;
      timer?.cancel();
      timer = undefined;
    },
    pause() {
      if (done || timer === undefined) return;
      ranBefore = ran();
      timer.cancel();
      timer = undefined;
    },
    resume() {
      if (done || timer !== undefined) return;
      startedAt = performance.now();
      timer = setLongTimeout(fire, Math.max(0, total - ranBefore));
    },
    ran,
    reschedule(newTotal) {
      total = newTotal;
      if (done || timer === undefined) return;
      ranBefore = ran();
      startedAt = performance.now();
      timer.cancel();
      timer = setLongTimeout(fire, Math.max(0, total - ranBefore));
    },
  };
}
