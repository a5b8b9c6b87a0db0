/**
 * Torture scenarios, generated from a seed: the same seed always gives the same scenario, so
 * a failure can be rerun alone (`npm run torture -- --seed N --count 1`).
 */

/** Where tasks run: `redis` is commands through a queue, run by an `andon worker`. */
export type Kind = 'async' | 'threads' | 'commands' | 'redis';
/** How a task behaves: done fast, slow but stoppable, or deaf to stop requests. */
export type Behaviour = 'quick' | 'slow' | 'stubborn';
/** What happens to andon, and when. */
export interface Interruption {
  /** The signals sent, in order, `gapMs` apart; SIGKILL kills andon outright. */
  readonly signals: readonly ('SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGKILL')[];
  readonly gapMs: number;
  /** When the first one goes: right after start, once `afterStarts` tasks started, or when all are done. */
  readonly at: 'startup' | 'midway' | 'last-task' | 'after-completion';
  readonly afterStarts: number;
}

/** One scenario. */
export interface Scenario {
  readonly seed: number;
  readonly kind: Kind;
  readonly concurrency: number;
  /** The commands kind: some tasks are shells with children of their own. */
  readonly withChildren: boolean;
  readonly behaviours: readonly Behaviour[];
  readonly graceMs: number;
  readonly jobLog: boolean;
  readonly interruption: Interruption;
}

/** mulberry32: a small, good enough PRNG with a 32-bit seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The scenario of `seed`. With `redis`, half the command scenarios go through a Redis queue;
 * that choice is drawn last, so every other part of a seed's scenario stays the same.
 */
export function scenario(seed: number, options: { redis?: boolean } = {}): Scenario {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const kind = pick<Kind>(['async', 'threads', 'commands', 'commands']);
  const count = 3 + Math.floor(next() * 6);
  const behaviours = Array.from({ length: count }, () =>
    pick<Behaviour>(['quick', 'quick', 'slow', 'slow', 'stubborn']),
  );
  const first = pick(['SIGINT', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL'] as const);
  const repeats = first === 'SIGKILL' ? 1 : pick([1, 1, 2, 3]);
  const at = pick(['startup', 'midway', 'midway', 'midway', 'last-task', 'after-completion'] as const);
  const concurrency = 1 + Math.floor(next() * 3);
  const withChildren = next() < 0.5;
  const graceMs = pick([0, 100, 400]);
  const jobLog = next() < 0.8;
  const interruption: Interruption = {
    signals: Array.from({ length: repeats }, (_, i) => (i === 0 ? first : pick(['SIGINT', 'SIGTERM'] as const))),
    gapMs: pick([0, 20, 150]),
    at,
    afterStarts: 1 + Math.floor(next() * count),
  };
  const remote = options.redis === true && kind === 'commands' && next() < 0.5;
  return { seed, kind: remote ? 'redis' : kind, concurrency, withChildren, behaviours, graceMs, jobLog, interruption };
}

/** One line describing a scenario, for reports. */
export function describeScenario(s: Scenario): string {
  const i = s.interruption;
  return `seed ${s.seed}: ${s.kind}${(s.kind === 'commands' || s.kind === 'redis') && s.withChildren ? ' (shells with children)' : ''}, -j ${s.concurrency}, ${s.behaviours.join(' ')}, grace ${s.graceMs} ms, ${s.jobLog ? 'job log' : 'no job log'}; ${i.signals.join('+')} ${i.gapMs} ms apart at ${i.at}${i.at === 'midway' ? ` (after ${i.afterStarts} starts)` : ''}`;
}
