/**
 * The threads suite: andon's worker-thread pool against piscina and tinypool, the usual
 * worker-thread pools for Node, and against a hand-written loop over raw `worker_threads`
 * Workers (the ideal a pool's overhead is measured from). Three questions: how much does a
 * task cost (tiny-task throughput), does the pool keep its threads busy on CPU-bound work
 * (efficiency against the ideal), and does a stop reach threads stuck in busy loops at once
 * while still letting every task's `finally` run (stop latency). Every measurement of every
 * library runs in its own fresh child process (the scripts next to this file), one at a time.
 */
import { numberField, numbersField, runChild, type JsonRecord } from '../../lib/child.js';
import { max, median } from '../../lib/stats.js';
import type { Row, Suite, Target } from '../../lib/suite.js';
import { CPU, CPU_LIBRARIES, STOP, STOP_LIBRARIES, THREADS, THROUGHPUT, THROUGHPUT_LIBRARIES } from './common.js';

const HAND = 'hand-written loop';
const PEERS = ['piscina', 'tinypool', HAND] as const;
/** The table column of each library a child script is named by ('hand' is the hand-written loop). */
const COLUMN = { piscina: 'piscina', tinypool: 'tinypool', hand: HAND } as const;

/** Issue #15: tiny tasks at least as fast as the hand-written loop, and twice piscina. */
const THROUGHPUT_GOAL = 2;
const HAND_GOAL = 1;
const EFFICIENCY_GOAL = 0.95;
const STOP_TARGET_MS = 5;

const script = (name: string): URL => new URL(`./${name}.js`, import.meta.url);
const thousands = (n: number): string => n.toLocaleString('en-US');

/** Runs `measure` for each library, one after the other, in the order given. */
async function perLibrary<L extends string, T>(
  libraries: readonly L[],
  progress: (line: string) => void,
  what: string,
  measure: (library: L) => Promise<T>,
): Promise<Map<L, T>> {
  const figures = new Map<L, T>();
  for (const library of libraries) {
    progress(`threads: ${what}, ${library}`);
    figures.set(library, await measure(library));
  }
  return figures;
}

/** A figure that must be there: `perLibrary` measured every library it was given. */
function get<L, T>(figures: ReadonlyMap<L, T>, library: L): T {
  const figure = figures.get(library);
  if (figure === undefined) throw new Error(`No figure for ${String(library)}`);
  return figure;
}

/** The peer columns of a row, from figures keyed by child-script library name. */
function peers(figures: ReadonlyMap<string, number>): Partial<Record<string, number>> {
  const columns: Partial<Record<string, number>> = {};
  for (const [library, column] of Object.entries(COLUMN)) {
    const figure = figures.get(library);
    if (figure !== undefined) columns[column] = figure;
  }
  return columns;
}

async function throughput(progress: (line: string) => void): Promise<Row[]> {
  const rates = await perLibrary(THROUGHPUT_LIBRARIES, progress, 'tiny tasks', async (library) =>
    median(numbersField(await runChild(script('throughput'), [library], { nodeArgs: ['--expose-gc'] }), 'rates')),
  );
  const piscina = get(rates, 'piscina');
  const hand = get(rates, 'hand');
  const target = (andon: number): Target => ({
    text: `≥ ${HAND_GOAL}× ${HAND}, ≥ ${THROUGHPUT_GOAL}× piscina`,
    met: andon >= THROUGHPUT_GOAL * piscina && andon >= HAND_GOAL * hand,
  });
  const collecting = get(rates, 'andon-collect');
  const plain = get(rates, 'andon');
  // The goal is held to the like-for-like row (results collected, as the peers do); if that
  // row misses it, the row without collecting is held to it too, so both are shown honestly.
  const collectingTarget = target(collecting);
  const what = `Tiny tasks: ${thousands(THROUGHPUT.items)} × \`x => x + 1\`, ${THREADS} threads (median of ${THROUGHPUT.runs})`;
  const row = (label: string, andon: number, withTarget: Target | undefined): Row => ({
    label,
    unit: 'tasks/s',
    better: 'higher',
    andon,
    peers: peers(rates),
    ...(withTarget === undefined ? {} : { target: withTarget }),
  });
  return [
    row(`${what}, results collected (andon: \`onResult\` into an array)`, collecting, collectingTarget),
    row(
      `${what}, andon \`pool.run()\` without collecting results`,
      plain,
      collectingTarget.met ? undefined : target(plain),
    ),
  ];
}

async function cpuBound(progress: (line: string) => void): Promise<Row[]> {
  progress('threads: CPU-bound, calibrating');
  const calibration = await runChild(script('calibrate'), []);
  const iterations = numberField(calibration, 'iterations');
  const serialMs = numberField(calibration, 'serialMs');
  const perCallMs = numberField(calibration, 'perCallMs');
  const idealMs = serialMs / THREADS;
  const reports = await perLibrary(CPU_LIBRARIES, progress, 'CPU-bound', (library) =>
    runChild(script('cpu-bound'), [library, String(iterations)], { nodeArgs: ['--expose-gc'] }),
  );
  /** A per-batch figure from each library's report, as the median over its timed batches. */
  const perBatch = (f: (wallMs: number, taskMs: number) => number): Map<string, number> =>
    new Map(
      [...reports].map(([library, report]) => {
        const wallMs = numbersField(report, 'wallMs');
        const taskMs = numbersField(report, 'taskMs');
        return [library, median(wallMs.map((wall, i) => f(wall, taskMs[i] ?? NaN)))];
      }),
    );
  const walls = perBatch((wall) => wall);
  const efficiencies = perBatch((wall) => idealMs / wall);
  // efficiency = (serial ÷ Σ task time) × (Σ task time ÷ (threads × wall)): how fast the
  // tasks themselves ran, times how much of the threads' time they filled.
  const speeds = perBatch((_wall, task) => serialMs / task);
  const busyShares = perBatch((wall, task) => task / (THREADS * wall));
  const andonEfficiency = get(efficiencies, 'andon');
  const what = `CPU-bound: ${CPU.items} tasks × ${perCallMs.toFixed(2)} ms, ${THREADS} threads (median of ${CPU.runs})`;
  return [
    {
      label: `${what}: efficiency = ideal ÷ wall`,
      unit: 'ideal/wall',
      better: 'higher',
      andon: andonEfficiency,
      peers: peers(efficiencies),
      decimals: 3,
      target: { text: `≥ ${EFFICIENCY_GOAL} (within 5% of ideal)`, met: andonEfficiency >= EFFICIENCY_GOAL },
    },
    {
      label: `CPU-bound, same batches: wall time; ideal ${idealMs.toFixed(0)} ms = ${serialMs.toFixed(0)} ms serial ÷ ${THREADS}`,
      unit: 'ms',
      better: 'lower',
      andon: get(walls, 'andon'),
      peers: peers(walls),
    },
    {
      label: `CPU-bound, same batches: thread time inside tasks = Σ task time ÷ (${THREADS} × wall)`,
      unit: 'share',
      better: 'higher',
      andon: get(busyShares, 'andon'),
      peers: peers(busyShares),
      decimals: 3,
    },
    {
      label: `CPU-bound, same batches: task speed = serial time ÷ Σ task time on the threads`,
      unit: 'ratio',
      better: 'higher',
      andon: get(speeds, 'andon'),
      peers: peers(speeds),
      decimals: 3,
    },
  ];
}

async function stopLatency(progress: (line: string) => void): Promise<Row[]> {
  const reports = await perLibrary(STOP_LIBRARIES, progress, 'stop latency', (library) =>
    runChild(script('stop-latency'), [library]),
  );
  const andon = get(reports, 'andon');
  const piscina = get(reports, 'piscina');
  const latencies = (report: JsonRecord): number[] => numbersField(report, 'latenciesMs');
  const stopped = numberField(andon, 'stopped');
  const andonFinally = numberField(andon, 'finallyAtSettle');
  const allFinally = andonFinally === stopped && numberField(andon, 'finallyTotal') === numberField(andon, 'started');
  const what = `Stop latency: ${THREADS} threads in busy loops (piscina: abort)`;
  const latencyRow = (label: string, f: (samples: readonly number[]) => number): Row => {
    const figure = f(latencies(andon));
    return {
      label,
      unit: 'ms',
      better: 'lower',
      andon: figure,
      peers: { piscina: f(latencies(piscina)) },
      decimals: 2,
      target: { text: `< ${STOP_TARGET_MS} ms, every \`finally\` run`, met: figure < STOP_TARGET_MS && allFinally },
    };
  };
  return [
    latencyRow(`${what}, median of ${STOP.repeats}`, median),
    latencyRow(`${what}, max of ${STOP.repeats}`, max),
    {
      label: `Stop: \`finally\` blocks run by the time the batch settled, of ${stopped} stopped tasks`,
      unit: 'blocks',
      better: 'higher',
      andon: andonFinally,
      peers: { piscina: numberField(piscina, 'finallyAtSettle') },
      target: { text: `all ${stopped}`, met: allFinally },
    },
  ];
}

export const threadsSuite: Suite = {
  name: 'threads',
  title: 'Worker threads: andon vs piscina, tinypool and a hand-written loop',
  peers: PEERS,
  method: [
    "Every measurement of every library runs in its own fresh `node` child process, one at a time, so no library inherits another's heap or JIT state. Every pool has exactly 2 threads (andon `threads: 2`; piscina and tinypool `minThreads: 2, maxThreads: 2`), started by an untimed warm-up before anything is timed.",
    `"${HAND}": the ideal a pool is measured from, not a library: 2 raw \`worker_threads\` Workers, each with one task in flight, the next item posted to a worker as soon as its result message arrives; results collected into an array; no queue, errors or stop.`,
    `Tiny tasks: ${thousands(THROUGHPUT.items)} tasks \`x => x + 1\` (the default export of one module, loaded by every library); one untimed warm-up batch, then ${THROUGHPUT.runs} timed batches (GC forced before each), the figure is the median rate. piscina / tinypool: \`Promise.all(items.map(x => pool.run(x)))\`, which is how those libraries are used, and which collects every result. andon: \`pool.run(items)\`, which resolves with a summary and does not collect result values, so the like-for-like row is andon with \`onResult\` pushing each value into an array; the target (≥ ${HAND_GOAL}× the ${HAND}, ≥ ${THROUGHPUT_GOAL}× piscina) is held to that row (and to the non-collecting row as well only if the collecting row misses it).`,
    `CPU-bound: a deterministic busy computation (a loop of integer hashing), calibrated once in its own child to ~${CPU.taskMs} ms a call on the main thread; the iteration count is passed to every library, so all do identical work. The ideal is the serial time of the same ${CPU.items} calls on one thread (timed in the calibration child) ÷ ${THREADS}; efficiency = ideal ÷ wall time of the batch (median of ${CPU.runs} timed batches after a warm-up of ${CPU.warmupItems} tasks). Target ≥ ${EFFICIENCY_GOAL}. Each task also writes how long its own loop ran into a shared Float64Array, which splits the efficiency in two context rows: efficiency = task speed (serial time ÷ Σ task time on the threads; below 1 when the loop runs slower on the threads than alone, e.g. because the CPUs are shared) × thread time inside tasks (Σ task time ÷ (${THREADS} × wall); below 1 by the time threads spend between tasks: dispatch, messages, bookkeeping, and waiting for a CPU).`,
    `Stop latency: ${THREADS} tasks spin in \`while (!stop.stopped) {}\` with a \`finally\` that increments a counter in a SharedArrayBuffer passed in the item. Each task also increments a "started" counter; the main thread waits (Atomics.waitAsync, no fixed sleeps) until both are in their loops, then stops, and the figure is the time until the batch settles. andon: \`pool.stop()\` until \`pool.run()\` resolves (with both tasks cancelled). piscina, for contrast: \`abort()\` of the AbortSignal passed to \`piscina.run(item, { signal })\` until both promises reject — piscina rejects and terminates the thread, so the task's \`finally\` never runs (under piscina the task spins on a shared cell that is never set, since it has no stop token). One untimed warm-up, then ${STOP.repeats} timed repeats on the same pool. The last row counts the \`finally\` blocks that had run when each batch settled; andon must have run all of them (also checked once more after the pool is closed).`,
    `Targets apply to andon's figure: tiny-task throughput ≥ the ${HAND}'s and ≥ ${THROUGHPUT_GOAL}× piscina's, CPU-bound efficiency ≥ ${EFFICIENCY_GOAL}, stop latency < ${STOP_TARGET_MS} ms (median and worst) with every \`finally\` run.`,
  ],
  async run(progress) {
    return [...(await throughput(progress)), ...(await cpuBound(progress)), ...(await stopLatency(progress))];
  },
};
