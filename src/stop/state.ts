/**
 * The main-thread stop token. A child reads its parent lazily, and only links itself to the
 * parent while something (a sleep, an `onStop` listener, the `signal`) needs to be told. A pool
 * makes one per task, so a task that never looks at its token costs one small object.
 */
import { StoppedError } from '../errors.js';
import { reportUncaught } from '../uncaught.js';
import { expectDuration } from '../options/validate.js';
import { setLongTimeout } from './timers.js';
import type { SleepOutcome, StopReason, StopToken } from './token.js';

type Listener = (reason: StopReason) => void;

/** A stop token that can be stopped; the engine's form of {@link StopToken}. */
export class StopState implements StopToken {
  #reason: StopReason | undefined;
  readonly #parent: StopToken | undefined;
  #listeners: Set<Listener> | undefined;
  #unlinkParent: (() => void) | undefined;
  #abort: AbortController | undefined;

  constructor(parent?: StopToken) {
    this.#parent = parent;
  }

  get stopped(): boolean {
    return this.#reason !== undefined || this.#parent?.stopped === true;
  }

  get reason(): StopReason | undefined {
    return this.#reason ?? this.#parent?.reason;
  }

  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      const abort = new AbortController();
      this.#abort = abort;
      const reason = this.reason;
      if (reason !== undefined) abort.abort(new StoppedError(reason));
      else this.onStop((r) => abort.abort(new StoppedError(r)));
    }
    return this.#abort.signal;
  }

  throwIfStopped(): void {
    const reason = this.reason;
    if (reason !== undefined) throw new StoppedError(reason);
  }

  sleep(ms: number): Promise<SleepOutcome> {
    try {
      expectDuration('ms', ms);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.stopped) return Promise.resolve('stopped');
    return new Promise((resolve) => {
      // The timer first: onStop may call its listener at once (a parent backed by shared
      // memory can be stopped by another thread at any moment).
      let off: (() => void) | undefined;
      const timer = setLongTimeout(() => {
        off?.();
        resolve('elapsed');
      }, ms);
      off = this.onStop(() => {
        timer.cancel();
        resolve('stopped');
      });
    });
  }

  onStop(listener: Listener): () => void {
    const reason = this.reason;
    if (reason !== undefined) {
      listener(reason);
      return () => {};
    }
    (this.#listeners ??= new Set()).add(listener);
    if (this.#parent !== undefined && this.#unlinkParent === undefined) {
      this.#unlinkParent = this.#parent.onStop((parentReason) => this.#fire(parentReason));
    }
    return () => {
      const listeners = this.#listeners;
      if (listeners === undefined) return;
      listeners.delete(listener);
      if (listeners.size === 0) this.#unlink();
    };
  }

  /**
   * Requests the stop. The first reason wins.
   *
   * @returns true if this call stopped the token, false if it was already stopped.
   */
  request(reason: StopReason): boolean {
    if (this.stopped) return false;
    return this.#fire(reason);
  }

  /** Unlinks from the parent and drops listeners; the engine calls it when a task settles. */
  dispose(): void {
    this.#listeners = undefined;
    this.#unlink();
  }

  #fire(reason: StopReason): boolean {
    if (this.#reason !== undefined) return false;
    this.#reason = reason;
    this.#unlink();
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) {
      for (const listener of listeners) {
        try {
          listener(reason);
        } catch (error) {
          reportUncaught(error);
        }
      }
    }
    return true;
  }

  #unlink(): void {
    const unlink = this.#unlinkParent;
    this.#unlinkParent = undefined;
    unlink?.();
  }
}
