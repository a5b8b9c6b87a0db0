/**
 * The timeline's time axis, with long idle stretches cut out: a job log that holds a run, an
 * evening's pause and its resume would otherwise be a thin sliver of bars at each edge of an
 * empty page. A gap longer than {@link idleThreshold} in which no job ran shows as a narrow
 * band of fixed width; everywhere else time is linear.
 */

/** A stretch of time with no job running, cut out of the axis. */
export interface IdleGap {
  readonly from: number;
  readonly to: number;
}

/** Pixels a cut-out gap takes on the axis. */
export const GAP_WIDTH = 28;

/** How long a stretch with nothing running must be to be cut out: 5 s, or a quarter of the busy time. */
export function idleThreshold(busySeconds: number): number {
  return Math.max(5, busySeconds / 4);
}

/** The idle gaps between `intervals` ([start, end] pairs) long enough to cut. */
export function idleGaps(intervals: readonly (readonly [number, number])[]): IdleGap[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  const busy = merged.reduce((sum, [start, end]) => sum + (end - start), 0);
  const threshold = idleThreshold(busy);
  const gaps: IdleGap[] = [];
  for (let i = 1; i < merged.length; i++) {
    const from = merged[i - 1]![1];
    const to = merged[i]![0];
    if (to - from > threshold) gaps.push({ from, to });
  }
  return gaps;
}

/** Maps times to x coordinates between `left` and `left + width`, gaps cut to {@link GAP_WIDTH}. */
export class TimeAxis {
  readonly #t0: number;
  readonly #left: number;
  readonly #scale: number;
  readonly gaps: readonly IdleGap[];

  constructor(t0: number, t1: number, gaps: readonly IdleGap[], left: number, width: number) {
    this.#t0 = t0;
    this.#left = left;
    this.gaps = gaps;
    const shown = t1 - t0 - gaps.reduce((sum, gap) => sum + (gap.to - gap.from), 0);
    this.#scale = (width - gaps.length * GAP_WIDTH) / Math.max(shown, 0.001);
  }

  /** The x coordinate of time `t`. */
  x(t: number): number {
    let x = this.#left;
    let from = this.#t0;
    for (const gap of this.gaps) {
      if (t <= gap.from) break;
      x += (gap.from - from) * this.#scale;
      if (t < gap.to) return x + (GAP_WIDTH * (t - gap.from)) / (gap.to - gap.from);
      x += GAP_WIDTH;
      from = gap.to;
    }
    return x + (t - from) * this.#scale;
  }

  /** The time at x coordinate `x`, or undefined inside a cut-out gap. */
  timeAt(x: number): number | undefined {
    let at = this.#left;
    let from = this.#t0;
    for (const gap of this.gaps) {
      const gapX = at + (gap.from - from) * this.#scale;
      if (x <= gapX) break;
      if (x < gapX + GAP_WIDTH) return undefined;
      at = gapX + GAP_WIDTH;
      from = gap.to;
    }
    return from + (x - at) / this.#scale;
  }
}
