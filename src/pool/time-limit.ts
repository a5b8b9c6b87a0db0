/**
 * A run's time limit per task: a fixed number of ms, or — GNU parallel's `--timeout 200%` — a
 * share of the median run time of the tasks that have succeeded so far, with no limit until
 * one has. The median is exact (two heaps), the lower one of an even count, as GNU's.
 */

/** A binary heap of numbers, the top being the least by `before`. */
class NumberHeap {
  readonly #items: number[] = [];
  constructor(readonly before: (a: number, b: number) => boolean) {}

  get size(): number {
    return this.#items.length;
  }

  get top(): number | undefined {
    return this.#items[0];
  }

  push(value: number): void {
    const items = this.#items;
    let at = items.push(value) - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.before(items[at]!, items[parent]!)) break;
      [items[at], items[parent]] = [items[parent]!, items[at]!];
      at = parent;
    }
  }

  pop(): number | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let at = 0; ; ) {
      const left = 2 * at + 1;
      const right = left + 1;
      let first = at;
      if (left < items.length && this.before(items[left]!, items[first]!)) first = left;
      if (right < items.length && this.before(items[right]!, items[first]!)) first = right;
      if (first === at) return top;
      [items[at], items[first]] = [items[first]!, items[at]!];
      at = first;
    }
  }
}

/** The median of the numbers added so far: the lower one of an even count. */
export class RunningMedian {
  /** The lower half, the greatest on top; it holds the median. */
  readonly #lower = new NumberHeap((a, b) => a > b);
  readonly #upper = new NumberHeap((a, b) => a < b);

  get value(): number | undefined {
    return this.#lower.top;
  }

  add(value: number): void {
    if (this.#lower.size === 0 || value <= this.#lower.top!) this.#lower.push(value);
    else this.#upper.push(value);
    if (this.#lower.size > this.#upper.size + 1) this.#upper.push(this.#lower.pop()!);
    else if (this.#upper.size > this.#lower.size) this.#lower.push(this.#upper.pop()!);
  }
}

/** How long a task may run. */
export class TimeLimit {
  readonly #fixed: number;
  readonly #share: number | undefined;
  readonly #median: RunningMedian | undefined;

  /** @param share when given, the limit is this share of the median success (2 for 200%), not `fixed`. */
  constructor(fixed: number, share: number | undefined) {
    this.#fixed = fixed;
    this.#share = share;
    this.#median = share === undefined ? undefined : new RunningMedian();
  }

  /** True when tasks may run for ever. */
  get unlimited(): boolean {
    return this.#share === undefined && this.#fixed === Infinity;
  }

  /** The limit now, in ms. */
  get ms(): number {
    if (this.#share === undefined) return this.#fixed;
    const median = this.#median!.value;
    return median === undefined ? Infinity : this.#share * median;
  }

  /** A task succeeded after running `ms`: true if the limit changed. */
  succeeded(ms: number): boolean {
    if (this.#median === undefined) return false;
    const before = this.ms;
    this.#median.add(ms);
    return this.ms !== before;
  }
}
