/**
 * The async suite: andon's main-thread pool against p-limit and p-queue, the usual ways to
 * bound concurrency of async functions in Node. Three questions: is the per-task overhead at
 * least as low (throughput), does lazy input keep memory flat for large inputs (peak RSS), and
 * does a stop take effect at once (stop latency). Every measurement of every library runs in
 * its own fresh child process (see the child scripts next to this file), one at a time.
 */
import { numbersField, numberField, runChild } from '../../lib/child.js';
import { max, median } from '../../lib/stats.js';
import type { Row, Suite } from '../../lib/suite.js';
import {
  LIBRARIES,
  MEMORY,
  STOP,
  THROUGHPUT,
  THROUGHPUT_RUNNERS,
  type Library,
  type ThroughputRunner,
} from './common.js';

const PEERS = LIBRARIES.filter((l): l is Exclude<Library, 'andon'> => l !== 'andon');
const MIB = 1024 * 1024;
const STOP_TARGET_MS = 20;
const MEMORY_TARGET_MB = 100;

const script = (name: string): URL => new URL(`./${name}.js`, import.meta.url);
/** 200000 → "200k", 1000000 → "1M". */
const short = (n: number): string => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

/** A figure per library, from `f` applied to each name. */
function byLibrary<T>(f: (library: Library) => T): Record<Library, T> {
  const figures: Partial<Record<Library, T>> = {};
  for (const library of LIBRARIES) figures[library] = f(library);
  // Every key was set by the loop over LIBRARIES.
  return figures as Record<Library, T>;
}

/** Runs `measure` for every library, one after the other, andon first. */
async function perLibrary<T>(
  progress: (line: string) => void,
  what: string,
  measure: (library: Library) => Promise<T>,
): Promise<Record<Library, T>> {
  const figures = new Map<Library, T>();
  for (const library of LIBRARIES) {
    progress(`async: ${what}, ${library}`);
    figures.set(library, await measure(library));
  }
  // The loop above set every library's figure.
  return byLibrary((library) => figures.get(library) as T);
}

function row(
  label: string,
  unit: string,
  better: Row['better'],
  figures: Record<Library, number>,
  decimals: number,
  target?: (andon: number) => Row['target'],
): Row {
  const peers: Partial<Record<string, number>> = {};
  for (const peer of PEERS) peers[peer] = figures[peer];
  return {
    label,
    unit,
    better,
    andon: figures.andon,
    peers,
    decimals,
    ...(target === undefined ? {} : { target: target(figures.andon) }),
  };
}

async function throughput(progress: (line: string) => void): Promise<Row[]> {
  const rates = new Map<ThroughputRunner, number>();
  for (const runner of THROUGHPUT_RUNNERS) {
    progress(`async: throughput, ${runner}`);
    const result = await runChild(script('throughput'), [runner], { nodeArgs: ['--expose-gc'] });
    rates.set(runner, median(numbersField(result, 'rates')));
  }
  // The loop above measured every runner.
  const rate = (runner: ThroughputRunner): number => rates.get(runner)!;
  const figures = (andon: ThroughputRunner): Record<Library, number> => ({
    andon: rate(andon),
    'p-limit': rate('p-limit'),
    'p-queue': rate('p-queue'),
  });
  const what = `Throughput: ${short(THROUGHPUT.items)} trivial tasks, concurrency ${THROUGHPUT.concurrency} (median of ${THROUGHPUT.runs})`;
  // The target is held to the like-for-like row: andon collecting every result, as the peers do.
  const target = (andon: number): Row['target'] => ({ text: '≥ p-limit (goal 2×)', met: andon >= rate('p-limit') });
  return [
    row(
      `${what}, results collected (andon: \`onResult\` into an array)`,
      'tasks/s',
      'higher',
      figures('andon-collect'),
      0,
      target,
    ),
    row(
      `${what}, results collected (andon: \`for await\` over \`pool.stream()\`)`,
      'tasks/s',
      'higher',
      figures('andon-stream'),
      0,
    ),
    row(`${what}, andon \`pool.run()\` without collecting results`, 'tasks/s', 'higher', figures('andon'), 0),
  ];
}

async function memory(progress: (line: string) => void): Promise<Row[]> {
  const reports = await perLibrary(progress, 'peak memory', (library) => runChild(script('memory'), [library]));
  const mb = (key: string): Record<Library, number> =>
    byLibrary((library) => (numberField(reports[library], key) * 1024) / MIB);
  const what = `${short(MEMORY.items)} generated items, concurrency ${MEMORY.concurrency}`;
  return [
    row(`Peak RSS: ${what}`, 'MB', 'lower', mb('peakRssKiB'), 1, (andon) => ({
      text: `< ${MEMORY_TARGET_MB} MB`,
      met: andon < MEMORY_TARGET_MB,
    })),
    row('RSS before that run (same process, for context)', 'MB', 'lower', mb('baselineKiB'), 1),
  ];
}

async function stopLatency(progress: (line: string) => void): Promise<Row[]> {
  const latencies = await perLibrary(progress, 'stop latency', async (library) =>
    numbersField(await runChild(script('stop-latency'), [library]), 'latenciesMs'),
  );
  const summarise = (f: (samples: readonly number[]) => number): Record<Library, number> =>
    byLibrary((library) => f(latencies[library]));
  const what = `Stop latency: ${STOP.tasks.toLocaleString('en-US')} sleeping tasks`;
  const target = (andon: number): Row['target'] => ({ text: `< ${STOP_TARGET_MS} ms`, met: andon < STOP_TARGET_MS });
  return [
    row(`${what}, median of ${STOP.repeats}`, 'ms', 'lower', summarise(median), 2, target),
    row(`${what}, max of ${STOP.repeats}`, 'ms', 'lower', summarise(max), 2, target),
  ];
}

export const asyncSuite: Suite = {
  name: 'async',
  title: 'Async pool (main thread): andon vs p-limit and p-queue',
  peers: PEERS,
  method: [
    "Every measurement of every library runs in its own fresh `node` child process, one at a time, so no library inherits another's heap or JIT state.",
    `Throughput: ${THROUGHPUT.items.toLocaleString('en-US')} tasks \`async (x) => x + 1\` from an array at concurrency ${THROUGHPUT.concurrency}; one untimed warm-up run, then ${THROUGHPUT.runs} timed runs (GC forced before each), the figure is the median rate. p-limit: \`Promise.all(items.map(x => limit(() => task(x))))\`; p-queue: \`queue.addAll(items.map(x => () => task(x)))\`; both resolve with an array of every result. andon, like for like: \`createPool({ concurrency, task, onResult: (r) => values.push(r.value) }).run(items)\` (the row the target is held to), and \`for await (const r of pool.stream(items)) values.push(r.value)\`; for context, \`createPool({ concurrency, task }).run(items)\`, which resolves with a summary and collects no values. Every batch is checked to have produced one result per task.`,
    `Peak RSS: ${MEMORY.items.toLocaleString('en-US')} small objects \`{ id, name }\` from a generator, trivial async task, concurrency ${MEMORY.concurrency}. andon pulls from the generator lazily; p-limit uses \`Promise.all(Array.from(gen, x => limit(() => task(x))))\` and p-queue \`queue.add()\` per item then \`onIdle()\`, i.e. everything enqueued up front, as those libraries are used. Figure: the process's kernel-reported peak RSS (\`process.resourceUsage().maxRSS\`) after the run, in MiB; the context row is the same counter just before the run (Node itself plus the loaded modules).`,
    `Stop latency: ${STOP.tasks.toLocaleString('en-US')} tasks at concurrency ${STOP.tasks}, each sleeping ${STOP.sleepMs / 1000} s; once all have started (counted by the tasks, no fixed sleeps) the batch is stopped, and the figure is the time until it settles. andon: \`pool.stop()\` until \`pool.run()\` resolves, tasks in \`await stop.sleep(60_000)\`. p-limit / p-queue: \`abort()\` of a shared AbortController until \`Promise.allSettled\` of all tasks settles, tasks in \`await setTimeout(60_000, undefined, { signal })\` from \`node:timers/promises\`. One untimed warm-up, then ${STOP.repeats} timed repeats with a fresh pool/limiter/queue each.`,
    "Targets apply to andon's figure: throughput with results collected at least p-limit's (aiming for 2×), peak RSS under 100 MB, stop latency under 20 ms (checked on both the median and the worst of the repeats).",
  ],
  async run(progress) {
    return [...(await throughput(progress)), ...(await memory(progress)), ...(await stopLatency(progress))];
  },
};
