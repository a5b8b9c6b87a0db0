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
}

/** Calls `fn` after `ms` milliseconds of running time: time spent paused does not count. */
export function setPausableTimeout(fn: () => void, ms: number): PausableTimer {
  let left = ms;
  let startedAt = performance.now();
  let done = false;
  const fire = (): void => {
    done = true;
    fn();
  };
  let timer: LongTimer | undefined = setLongTimeout(fire, ms);
  return {
    cancel() {
      done = true;
      timer?.cancel();
      timer = undefined;
    },
    pause() {
      if (done || timer === undefined) return;
      timer.cancel();
      timer = undefined;
      left = Math.max(0, left - (performance.now() - startedAt));
    },
    resume() {
      if (done || timer !== undefined) return;
      startedAt = performance.now();
      timer = setLongTimeout(fire, left);
    },
  };
}
