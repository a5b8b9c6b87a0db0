/**
 * The processes suite: andon's subprocess jobs (its `andon` command line, and its library's
 * command pool) against xargs, GNU parallel and a bare Node spawn loop. Three questions: what
 * does a job cost (throughput of 2,000 trivial jobs, whole command timed, start-up included),
 * does a SIGINT stop running jobs at once and leave none behind, even jobs that ignore
 * SIGINT and SIGTERM (stop latency against GNU parallel), and does memory stay flat however
 * much input arrives (peak RSS of the input side), with what the watchdog process costs.
 * Every measured command is a fresh process, run one at a time (see throughput.ts,
 * stop-latency.ts and memory.ts next to this file for how each is taken).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../../lib/stats.js';
import type { Row, Suite, Target } from '../../lib/suite.js';
import {
  BARE,
  CONCURRENCY,
  MEMORY,
  NODE_FLOOR,
  onPath,
  PARALLEL,
  PARALLEL_DEFAULT,
  PEERS,
  STARTUP,
  STOP,
  THROUGHPUT,
  XARGS,
} from './common.js';
import { measureMemory, type DryRun } from './memory.js';
import { measureStartup } from './startup.js';
import { measureStops, SETTLE_MS, STOP_CASES, STOP_TOOLS, type StopSample, type StopTool } from './stop-latency.js';
import { measureThroughput, type Runner } from './throughput.js';

const PARALLEL_GOAL = 2;
/** The library against the bare spawn loop (issue #15): a pool should be faster than a naive loop. */
const LIBRARY_GOAL = 1.3;
/** A one-job run against `node -e 0` (issue #15). */
const STARTUP_GOAL = 1.5;
const MIB = 1024;
const thousands = (n: number): string => n.toLocaleString('en-US');
/** 10000 → "10k", 1000000 → "1M". */
const short = (n: number): string => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

async function throughput(dir: string, progress: (line: string) => void): Promise<Row[]> {
  const { rates, wallMs } = await measureThroughput(dir, progress);
  const peers = (figures: ReadonlyMap<Runner, number>): Partial<Record<string, number>> => ({
    [XARGS]: figures.get(XARGS),
    [PARALLEL]: figures.get(PARALLEL),
    [PARALLEL_DEFAULT]: figures.get(PARALLEL_DEFAULT),
    [BARE]: figures.get(BARE),
  });
  const andon = rates.get('andon') ?? NaN;
  // The goal was set against GNU parallel as installed (the issue's ~450 jobs/s); the
  // same-shell column shows how much of that is GNU parallel's shell.
  const parallel = rates.get(PARALLEL_DEFAULT);
  const bare = rates.get(BARE) ?? NaN;
  const xargs = rates.get(XARGS) ?? NaN;
  const target: Target = {
    text: `≥ ${XARGS}, ≥ ${PARALLEL_GOAL}× ${PARALLEL_DEFAULT}${parallel === undefined ? ' (not installed)' : ''}, ≥ ${BARE}`,
    met: parallel !== undefined && andon >= PARALLEL_GOAL * parallel && andon >= bare && andon >= xargs,
  };
  const library = rates.get('andon library') ?? NaN;
  const what = `Throughput: ${thousands(THROUGHPUT.jobs)} × \`true <n>\`, ${CONCURRENCY} at a time (median of ${THROUGHPUT.runs})`;
  return [
    { label: `${what}; andon CLI`, unit: 'jobs/s', better: 'higher', andon, peers: peers(rates), target },
    {
      label: `${what}; andon library (argv, no shell)`,
      unit: 'jobs/s',
      better: 'higher',
      andon: library,
      peers: peers(rates),
      target: { text: `≥ ${LIBRARY_GOAL}× ${BARE}`, met: library >= LIBRARY_GOAL * bare },
    },
    {
      label: 'Throughput, same runs: wall time; andon CLI',
      unit: 'ms',
      better: 'lower',
      andon: wallMs.get('andon') ?? NaN,
      peers: peers(wallMs),
    },
  ];
}

async function stopLatency(progress: (line: string) => void): Promise<Row[]> {
  const tools = STOP_TOOLS.filter((tool) => tool !== 'parallel' || onPath('parallel'));
  const results = await measureStops(tools, progress);
  const samples = (index: number, tool: StopTool): readonly StopSample[] => results[index]?.get(tool) ?? [];
  /** A figure of one tool over some cases' samples, or undefined if it has none (not installed, no /proc). */
  const figure = (
    tool: StopTool,
    cases: readonly number[],
    f: (all: StopSample[]) => number | undefined,
  ): number | undefined => {
    const all = cases.flatMap((index) => samples(index, tool));
    return all.length === 0 ? undefined : f(all);
  };
  const medianOf =
    (key: 'latencyMs' | 'mainRssKiB' | 'watchdogRssKiB') =>
    (all: StopSample[]): number | undefined => {
      const values = all.flatMap((sample) => (sample[key] === undefined ? [] : [sample[key]]));
      return values.length === 0 ? undefined : median(values);
    };
  const rows: Row[] = STOP_CASES.map((stopCase, index) => {
    const andon = figure('andon', [index], medianOf('latencyMs')) ?? NaN;
    const parallel = figure('parallel', [index], medianOf('latencyMs'));
    // Issue #15 holds the first case (jobs that die of the signal) to GNU parallel's figure.
    const target: Target | undefined =
      index === 0 ? { text: `≤ ${PARALLEL}`, met: parallel !== undefined && andon <= parallel } : undefined;
    return {
      label: `Stop latency, SIGINT → exit: ${stopCase.label} (median of ${STOP.repeats})`,
      unit: 'ms',
      better: 'lower',
      andon,
      peers: { [PARALLEL]: parallel },
      decimals: 1,
      ...(target === undefined ? {} : { target }),
    };
  });
  const allCases = STOP_CASES.map((_, index) => index);
  const leftOver = (all: StopSample[]): number => all.reduce((sum, sample) => sum + sample.leftOver, 0);
  const andonLeft = figure('andon', allCases, leftOver) ?? NaN;
  const started = STOP_CASES.length * STOP.repeats * CONCURRENCY;
  rows.push({
    label: `Stop: jobs still alive ${SETTLE_MS} ms after the tool exited, of ${started} (all stops above)`,
    unit: 'jobs',
    better: 'lower',
    andon: andonLeft,
    peers: { [PARALLEL]: figure('parallel', allCases, leftOver) },
    target: { text: '0', met: andonLeft === 0 },
  });
  // RSS is read from /proc while the jobs of the first case run (after the tools went quiet);
  // without /proc these rows are left out.
  const rss = (tool: StopTool, key: 'mainRssKiB' | 'watchdogRssKiB'): number | undefined => {
    const kib = figure(tool, [0], medianOf(key));
    return kib === undefined ? undefined : kib / MIB;
  };
  const rssRow = (label: string, andon: number | undefined, peers: Row['peers']): Row[] =>
    andon === undefined
      ? []
      : [
          {
            label: `RSS while ${CONCURRENCY} jobs run: ${label} (median of ${STOP.repeats})`,
            unit: 'MB',
            better: 'lower',
            andon,
            peers,
            decimals: 1,
          },
        ];
  rows.push(
    ...rssRow("the tool's own process", rss('andon', 'mainRssKiB'), { [PARALLEL]: rss('parallel', 'mainRssKiB') }),
    ...rssRow("andon's watchdog process", rss('andon', 'watchdogRssKiB'), {}),
  );
  return rows;
}

async function memory(dir: string, progress: (line: string) => void): Promise<Row[]> {
  const figures = await measureMemory(dir, progress);
  const row = (label: string, run: DryRun, target?: Target): Row => ({
    label: `${label} (young generation ${run.newSpaceMiB.toFixed(0)} MB)`,
    unit: 'MB',
    better: 'lower',
    andon: run.peakRssMiB,
    peers: {},
    decimals: 1,
    ...(target === undefined ? {} : { target }),
  });
  const what = (lines: number): string => `Peak RSS: \`seq ${short(lines)} | andon --dry-run echo\``;
  // Flat means: more lines, no more memory. Below ~1M lines V8's young generation is still
  // growing to its working size, so the comparison is between the two large inputs.
  const limit = figures.large.peakRssMiB + MEMORY.slack;
  return [
    row(`${what(MEMORY.small)}, context`, figures.small),
    row(what(MEMORY.large), figures.large),
    row(what(MEMORY.larger), figures.larger, {
      text: `flat: ≤ ${short(MEMORY.large)} lines + ${MEMORY.slack} MB`,
      met: figures.larger.peakRssMiB <= limit,
    }),
    row(`${what(MEMORY.large)}, \`node --max-semi-space-size=1\`, context`, figures.largeCapped),
  ];
}

async function startup(progress: (line: string) => void): Promise<Row[]> {
  const medians = await measureStartup(progress);
  const andon = medians.get('andon') ?? NaN;
  const node = medians.get(NODE_FLOOR) ?? NaN;
  const parallel = medians.get(PARALLEL);
  return [
    {
      label: `One-job run, whole process: \`andon true ::: 1\` (median of ${STARTUP.runs})`,
      unit: 'ms',
      better: 'lower',
      andon,
      peers: { [NODE_FLOOR]: node, [PARALLEL]: parallel },
      decimals: 1,
      target: {
        text: `≤ ${STARTUP_GOAL}× \`${NODE_FLOOR}\`, < ${PARALLEL}`,
        met: andon <= STARTUP_GOAL * node && parallel !== undefined && andon < parallel,
      },
    },
  ];
}

/** The GNU parallel that was measured, for the method text; set by `run()`. */
let parallelVersion = 'not measured';

function versionOfParallel(): string {
  if (!onPath('parallel')) return 'not installed';
  try {
    return (
      execFileSync('parallel', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(
        '\n',
        1,
      )[0] ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

export const processesSuite: Suite = {
  name: 'processes',
  title: 'Subprocesses: andon vs xargs, GNU parallel and a bare Node spawn loop',
  peers: PEERS,
  // A getter: the GNU parallel version is known only once the suite has run.
  get method(): readonly string[] {
    return [
      `Every figure comes from fresh processes, one measurement at a time: the andon command (\`node dist/src/cli/bin.js\`), small Node scripts for andon's library and for the bare loop, \`xargs\`, and GNU parallel (${parallelVersion}; run with \`--will-cite\`; in the ${PARALLEL} column with \`PARALLEL_SHELL=/bin/sh\`, so that its jobs run under /bin/sh as andon's do, and in the ${PARALLEL_DEFAULT} column as installed, its jobs under the user's shell, here ${process.env.SHELL ?? 'unset'}). A peer that is not installed gets a dash.`,
      `Throughput: ${thousands(THROUGHPUT.jobs)} jobs \`true <n>\`, the values being the lines of a file, ${CONCURRENCY} at a time. andon CLI: \`andon -j ${CONCURRENCY} true :::: FILE\`, started from \`npm run bench\` (its shell is sh, so the jobs' shell is /bin/sh): each job's line \`true N\` is plain words, so andon execs /usr/bin/true directly (direct exec; \`--shell\` would run each as a \`/bin/sh -c\` line), in its own process group, registered with andon's watchdog (a \`/bin/sh\` script per run, started with the first job), its stdout and stderr going to two temporary files that are deleted as soon as they are opened and read when it exits (as GNU parallel does; only \`--line-buffer\` gives jobs pipes), started with posix_spawn by andon's native spawner (built by \`npm install\`; \`ANDON_NATIVE_SPAWN=0\` falls back to \`child_process\`, which forks the whole Node process). andon library: \`createPool({ concurrency: ${CONCURRENCY}, command: ['true'], maxBuffer: 0 }).run(lines)\` in a Node script (argv, no shell; same process groups and watchdog, and a command pool's default output, \`liveOutput: true\`: two pipes per job, which the native spawner makes, \`true\` found on PATH as execvp finds it). xargs: \`xargs -P${CONCURRENCY} -n1 true < FILE\`. GNU parallel: \`parallel -j ${CONCURRENCY} true :::: FILE\`. ${BARE}: a Node script with ${CONCURRENCY} async lanes, each awaiting \`spawn('true', [line], { stdio: 'ignore' })\` until 'close' (no shell, group, output capture or watchdog: the floor for Node; andon library against it is what andon's pool, watchdog and pipes included, costs). The figure is the wall time of the whole command from spawn to exit, process start-up included, as jobs/s. One untimed warm-up of ${THROUGHPUT.warmupJobs} jobs each, then ${THROUGHPUT.runs} rounds of one run of each in turn (a noisy spell spreads over all of them), median.`,
      `Stop latency: a fresh \`andon -j ${CONCURRENCY} --line-buffer JOB ::: 1 2\` (or \`parallel --line-buffer -j ${CONCURRENCY} JOB ::: 1 2\`), JOB being \`echo job $$ {}; exec sleep ${STOP.sleepSeconds}\` (the exec makes the printed pid the sleep's). Both "job" lines are read from the tool's stdout (the handshake: no fixed sleeps); the tool and andon's watchdog are then left to go quiet (no CPU used over 3 polls 20 ms apart) and their RSS is read from /proc; SIGINT goes to the tool alone, and the figure is the time until it exits. Cases: jobs that die of the signal; jobs that ignore it (JOB prefixed with \`trap "" INT TERM; \`, inherited by the sleep), where andon gets \`--grace 0\` so that it goes straight to its termination sequence TERM,200,TERM,100,TERM,50,KILL,25, which is also what GNU parallel sends on SIGINT; and the same with a second SIGINT ${STOP.secondSignalAfterMs} ms after the first (andon forces, carrying on with the sequence under way; GNU parallel blocks SIGINT while it handles the first one, which ends in exit, so the second changes nothing either). ${STOP.repeats} repeats of each case, andon and GNU parallel in turn, median. After each stop every printed pid is checked in /proc (same pid and start time, not a zombie): a job still alive 200 ms after the tool exited counts as left over, and is then killed.`,
      `Memory: a million real jobs would take some 20 minutes at the rates above, so the input side is measured on its own: \`seq N | node dist/src/cli/bin.js --dry-run echo > /dev/null\` (every line read, split and rendered into a command line, nothing spawned), N = ${thousands(MEMORY.small)}, ${thousands(MEMORY.large)} and ${thousands(MEMORY.larger)}, each in a fresh process. The figure is the andon process's kernel-counted peak RSS (\`process.resourceUsage().maxRSS\`, written at exit by a preload, \`node --import rss-probe.js\`), in MiB; each label gives V8's young generation (new space) at exit. The last row repeats ${thousands(MEMORY.large)} lines with the young generation capped (\`node --max-semi-space-size=1\`): what it saves is V8 sizing its young generation for a steady stream of short-lived strings, not data andon keeps. The watchdog's memory is the RSS row above; its cost in time is andon library against ${BARE}.`,
      `One-job run: \`andon true ::: 1\` (node dist/src/cli/bin.js), \`${NODE_FLOOR}\` and \`parallel --will-cite true ::: 1\` (PARALLEL_SHELL=/bin/sh), the whole process timed from spawn to exit; one untimed run of each, then ${STARTUP.runs} rounds of one run of each in turn, median.`,
      `Targets apply to andon's figure: CLI throughput ≥ ${XARGS}'s, ≥ ${PARALLEL_GOAL}× GNU parallel's and ≥ the ${BARE}'s; library throughput ≥ ${LIBRARY_GOAL}× the ${BARE}'s; a one-job run within ${STARTUP_GOAL}× \`${NODE_FLOOR}\` and below GNU parallel's; SIGINT → exit with jobs that die of it ≤ GNU parallel's; no job left over after any stop; peak RSS with ${thousands(MEMORY.large)} lines within ${MEMORY.slack} MB of that with ${thousands(MEMORY.small)}. Other rows are context.`,
    ];
  },
  async run(progress) {
    parallelVersion = versionOfParallel();
    const dir = mkdtempSync(join(tmpdir(), 'andon-bench-processes-'));
    try {
      return [
        ...(await throughput(dir, progress)),
        ...(await startup(progress)),
        ...(await stopLatency(progress)),
        ...(await memory(dir, progress)),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
