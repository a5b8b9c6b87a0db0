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

/** Ctrl+Z before the interrupting signals: SIGTSTP, wait until andon is stopped, hold, SIGCONT. */
export interface Suspension {
  /** Sent once this many tasks started (0: right after start), or just before the signals if they come first. */
  readonly afterStarts: number;
  /** How long andon stays stopped before SIGCONT. */
  readonly holdMs: number;
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
  /** A SIGTSTP (and SIGCONT) before the signals, if any. */
  readonly suspend: Suspension | undefined;
  /**
   * Command kinds (with a job log): andon runs as round 1 of a bash loop of two rounds, round 2
   * a resume; the loop must stop when andon dies of the signal.
   */
  readonly shellLoop: boolean;
  /**
   * Command kinds: the jobs print a line, and after the interrupted run comes one more (the
   * resume; without a job log, a fresh run) whose standard output the harness closes after the
   * first chunk; andon must die of SIGPIPE. The last resume then runs the rest.
   */
  readonly closedPipe: boolean;
  /**
   * Command kinds: how the items reach the jobs — as values after `:::`; run here (not through
   * Redis), as lines of standard input cut into one-line blocks by `--pipe -N1`, each job
   * reading its item from its block; or two items per job (`-X -n 2`), run one after the other.
   */
  readonly input: 'values' | 'pipe' | 'several';
}

/** mulberry32: a small, good enough PRNG with a 32-bit seed. */
export function random(seed: number): () => number {
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
  // Drawn for every command scenario, with or without Redis, so that the draws after it do not
  // depend on whether redis-server is installed.
  const remoteDraw = kind === 'commands' ? next() : 1;
  const remote = options.redis === true && remoteDraw < 0.5;
  // The dimensions added later are drawn after all the others (and always all of them), so that
  // every older seed keeps the rest of its scenario.
  const suspendDraw = next();
  const suspendAfter = Math.floor(next() * (count + 1));
  const holdMs = Math.floor(next() * 301);
  const shellLoopDraw = next();
  const closedPipeDraw = next();
  const pipeDraw = next();
  const severalDraw = next();
  const suspend = suspendDraw < 0.3 ? { afterStarts: suspendAfter, holdMs } : undefined;
  const commands = kind === 'commands';
  // In a loop, SIGINT goes to the whole process group (as a terminal sends it), any other signal
  // to andon alone; so a loop whose first signal is SIGINT takes only SIGINTs.
  const signals = interruption.signals;
  const loopable = signals[0] !== 'SIGINT' || signals.every((signal) => signal === 'SIGINT');
  const shellLoop = commands && jobLog && loopable && shellLoopDraw < 0.35;
  const closedPipe = commands && closedPipeDraw < 0.3;
  return {
    seed,
    kind: remote ? 'redis' : kind,
    concurrency,
    withChildren,
    behaviours,
    graceMs,
    jobLog,
    interruption,
    suspend,
    shellLoop,
    closedPipe,
    input: commands && !remote && pipeDraw < 0.3 ? 'pipe' : commands && severalDraw < 0.25 ? 'several' : 'values',
  };
}

/** One line describing a scenario, for reports. */
export function describeScenario(s: Scenario): string {
  const i = s.interruption;
  const what = `seed ${s.seed}: ${s.kind}${(s.kind === 'commands' || s.kind === 'redis') && s.withChildren ? ' (shells with children)' : ''}, -j ${s.concurrency}, ${s.behaviours.join(' ')}, grace ${s.graceMs} ms, ${s.jobLog ? 'job log' : 'no job log'}`;
  const suspend =
    s.suspend === undefined
      ? ''
      : `; Ctrl+Z (SIGTSTP) after ${s.suspend.afterStarts} starts, held ${s.suspend.holdMs} ms, then SIGCONT`;
  const signals = `${i.signals.join('+')} ${i.gapMs} ms apart at ${i.at}${i.at === 'midway' ? ` (after ${i.afterStarts} starts)` : ''}`;
  const loop = s.shellLoop
    ? `; in a bash loop of 2 rounds${i.signals[0] === 'SIGINT' ? ' (SIGINT to its process group, no || exit)' : ' (signals to andon alone, [ $s -eq 0 ] || exit $s)'}`
    : '';
  const pipe = s.closedPipe
    ? `; jobs print, and the next run (${s.jobLog ? 'the resume' : 'a fresh one'}) has its standard output closed after the first chunk`
    : '';
  const input =
    s.input === 'pipe' ? '; items on stdin, --pipe -N1' : s.input === 'several' ? '; two items per job, -X -n 2' : '';
  return `${what}${input}${suspend}; ${signals}${loop}${pipe}`;
}
