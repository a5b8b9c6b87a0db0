/**
 * The shape every benchmark suite has, so that `run.ts` can print and record any of them the
 * same way. A suite compares andon with some peers (p-limit, piscina, GNU parallel, ...) and
 * returns one row per measurement; the table columns follow from the suite's peer list.
 */

/** Which direction is good for a figure; it decides how a ratio reads. */
export type Better = 'higher' | 'lower';

/** The goal a row is held to, and whether andon's figure meets it. */
export interface Target {
  /** Shown in the Target column, e.g. "≥ p-limit (goal 2×)". */
  readonly text: string;
  readonly met: boolean;
}

/** One measurement: andon's figure, each peer's, and the target. */
export interface Row {
  /** What was measured, e.g. "Throughput, 200k tasks, c=16". */
  readonly label: string;
  /** The unit of every figure in the row, e.g. "tasks/s". */
  readonly unit: string;
  readonly better: Better;
  readonly andon: number;
  /** Keyed by peer name; a peer left out (or undefined) gets a dash. */
  readonly peers: Readonly<Partial<Record<string, number>>>;
  /** Left out for a figure shown for context only (Target and Result then get a dash). */
  readonly target?: Target;
  /** Decimal places to print the figures with. @default 0 */
  readonly decimals?: number;
}

/** A group of related measurements, run by name from the command line. */
export interface Suite {
  /** Short name for the command line: `node dist/bench/run.js async`. */
  readonly name: string;
  /** Heading of the suite's table. */
  readonly title: string;
  /** The peers, in column order. */
  readonly peers: readonly string[];
  /** How the figures were obtained, one sentence per line; printed under the table. */
  readonly method: readonly string[];
  /** Runs every measurement; `progress` takes one-line status messages (they go to stderr). */
  run(progress: (line: string) => void): Promise<Row[]>;
}

/** A suite's rows, once run. */
export interface SuiteResult {
  readonly suite: Suite;
  readonly rows: readonly Row[];
  readonly seconds: number;
  /** The 1-minute load average when the suite started and when it ended. */
  readonly load: readonly [number, number];
}
