/**
 * The progress line: one status line at the bottom of the terminal, redrawn at most ten times
 * a second, with everything else printed above it as whole lines. While it is up, writes to
 * the terminal's streams (a task's console.log, a worker thread's output, a job's output,
 * andon's notices) are caught: whole lines go out above the line, a partial line waits for
 * its newline, and whatever is still waiting when the line goes away is written then — no
 * line is lost and none is torn through the bar. Off a terminal nothing is drawn or caught.
 */
import { formatDuration } from '../format.js';
import type { LiveCounts, RunPlugin } from '../pool/lifecycle.js';

/** A stream the progress line can draw on and catch writes to. */
export interface TerminalStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean;
}

/** What the line shows: a run's live counts (skipped items took no time, so they do not count in the rate). */
export type ProgressCounts = LiveCounts;

const CLEAR_LINE = '\r\x1b[2K';
const MIN_REDRAW_MS = 100;
const BAR_WIDTH = 24;

type Write = TerminalStream['write'];

/** Renders the status text for a width. */
export function statusText(counts: ProgressCounts, elapsedMs: number, width: number): string {
  const rate = elapsedMs > 0 ? ((counts.settled - counts.skipped) * 1000) / elapsedMs : 0;
  const parts: string[] = [];
  if (counts.total !== undefined) {
    const fraction = counts.total === 0 ? 1 : Math.min(1, counts.settled / counts.total);
    const filled = Math.round(fraction * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${counts.settled}/${counts.total}`);
  } else {
    parts.push(`${counts.settled} settled`);
  }
  parts.push(`${counts.done} done`, `${counts.failed} failed`, `${counts.running} running`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  parts.push(`${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}/s`);
  if (counts.total !== undefined && rate > 0 && counts.settled < counts.total)
    parts.push(`ETA ${formatDuration(((counts.total - counts.settled) / rate) * 1000)}`);
  const text = parts.join(' · ');
  return text.length > width - 1 ? text.slice(0, Math.max(0, width - 1)) : text;
}

/** A progress line on one terminal stream. */
export class ProgressLine {
  readonly #terminal: TerminalStream;
  readonly #counts: () => ProgressCounts;
  readonly #hooked: { stream: TerminalStream; write: Write; pending: string }[] = [];
  readonly #startedAt = performance.now();
  #drawn = false;
  #lastDraw = 0;
  #timer: NodeJS.Timeout | undefined;
  #active = false;
  /** Re-entrancy guard: our own writes go straight out. */
  #writing = false;

  /**
   * @param terminal where the line is drawn (stderr); nothing happens unless it is a TTY.
   * @param streams the streams to catch writes to while the line is up; those that are not
   *   terminals are left alone (output piped to a file never touches the screen).
   */
  constructor(terminal: TerminalStream, counts: () => ProgressCounts, streams: readonly TerminalStream[]) {
    this.#terminal = terminal;
    this.#counts = counts;
    if (terminal.isTTY !== true) return;
    this.#active = true;
    const targets = new Set([terminal, ...streams.filter((stream) => stream.isTTY === true)]);
    for (const stream of targets) {
      const hook = { stream, write: stream.write, pending: '' };
      this.#hooked.push(hook);
      // Replaced on the instance and restored in stop(); the signature stays write's own.
      (stream as { write: Write }).write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        if (this.#writing) return hook.write.call(stream, chunk, ...rest);
        this.#above(hook, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
        if (callback !== undefined) queueMicrotask(callback);
        return true;
      };
    }
    this.#timer = setInterval(() => this.#draw(), 250);
    this.#timer.unref();
    this.#draw();
  }

  /** Asks for a redraw; done at most every 100 ms. */
  update(): void {
    if (!this.#active || performance.now() - this.#lastDraw < MIN_REDRAW_MS) return;
    this.#draw();
  }

  /** Takes the line down, writes out every partial line still waiting, and stops catching writes. */
  stop(): void {
    if (!this.#active) return;
    this.#active = false;
    clearInterval(this.#timer);
    this.#erase();
    this.#writing = true;
    try {
      for (const hook of this.#hooked) {
        if (hook.pending !== '') hook.write.call(hook.stream, `${hook.pending}\n`);
        hook.pending = '';
      }
    } finally {
      this.#writing = false;
    }
    for (const hook of this.#hooked) (hook.stream as { write: Write }).write = hook.write;
    this.#hooked.length = 0;
  }

  #above(hook: { stream: TerminalStream; write: Write; pending: string }, text: string): void {
    const end = text.lastIndexOf('\n');
    if (end === -1) {
      hook.pending += text;
      return;
    }
    const lines = hook.pending + text.slice(0, end + 1);
    hook.pending = text.slice(end + 1);
    this.#erase();
    this.#writing = true;
    try {
      hook.write.call(hook.stream, lines);
    } finally {
      this.#writing = false;
    }
    this.#draw();
  }

  #erase(): void {
    if (!this.#drawn) return;
    this.#writeTerminal(CLEAR_LINE);
    this.#drawn = false;
  }

  #draw(): void {
    if (!this.#active) return;
    this.#lastDraw = performance.now();
    const text = statusText(this.#counts(), this.#lastDraw - this.#startedAt, this.#terminal.columns ?? 80);
    this.#writeTerminal(`${CLEAR_LINE}${text}`);
    this.#drawn = true;
  }

  #writeTerminal(text: string): void {
    const hook = this.#hooked.find((h) => h.stream === this.#terminal);
    this.#writing = true;
    try {
      (hook?.write ?? this.#terminal.write).call(this.#terminal, text);
    } finally {
      this.#writing = false;
    }
  }
}

/**
 * The progress line as a plug-in of a pool's runs: up while a run is in progress, redrawn as
 * tasks settle, down when it ends.
 * @param terminal where the line is drawn (stderr).
 * @param streams the streams whose writes print above the line.
 */
export function progressPlugin(
  terminal: TerminalStream,
  streams: readonly TerminalStream[],
): RunPlugin<unknown, unknown> {
  return () => {
    let line: ProgressLine | undefined;
    return {
      observer: {
        runStarted(_, run) {
          line = new ProgressLine(terminal, () => run.counts(), streams);
        },
        taskSettled() {
          line?.update();
        },
        runEnded() {
          line?.stop();
        },
      },
    };
  };
}
