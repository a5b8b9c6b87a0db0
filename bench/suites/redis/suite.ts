/**
 * The redis suite (issue #7): what running jobs through the Redis backend costs next to
 * running them with the local backend, on one machine. Three questions: how many tiny
 * function tasks per second go through Redis to `andon worker --module` processes (against a
 * local worker-thread pool and an async pool), how many `true` commands per second (against
 * the local command pool and `andon -j 2`), and how fast a Ctrl+C on the submitter ends jobs
 * running on workers (against the same jobs run locally). Every figure comes from fresh
 * processes: a fresh redis-server, fresh workers, a fresh submitter (see measure-throughput.ts
 * and cancel.ts next to this file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { max, median } from '../../lib/stats.js';
import type { Row, Suite } from '../../lib/suite.js';
import { CANCEL_CASES, LATE_START_MS, measureCancels, type CancelBackend, type CancelSample } from './cancel.js';
import {
  ASYNC,
  BULLMQ,
  CANCEL,
  CANCEL_JOBS,
  CANCEL_RUNNING,
  COMMANDS,
  FUNCTIONS,
  LOCAL,
  LOCAL_CONCURRENCY,
  PEERS,
  redisHelper,
  redisVersion,
  SUBMIT_CONCURRENCY,
  WIDE_WORKER_JOBS,
  WORKER_JOBS,
} from './common.js';
import { measureCommands, measureFunctions } from './measure-throughput.js';

const thousands = (n: number): string => n.toLocaleString('en-US');

async function functionRows(progress: (line: string) => void): Promise<Row[]> {
  const rates = await measureFunctions(progress);
  const peers = { [LOCAL]: rates.get('threads'), [ASYNC]: rates.get('async') };
  const what = `Function tasks, ${thousands(FUNCTIONS.tasks)} × \`x => x + 1\` (median of ${FUNCTIONS.rounds}): Redis`;
  const andon = rates.get('redis, 1 worker') ?? NaN;
  const bullmq = rates.get('bullmq') ?? NaN;
  return [
    {
      label: `${what}, 1 worker \`-j ${WORKER_JOBS}\``,
      unit: 'tasks/s',
      better: 'higher',
      andon,
      peers: { ...peers, [BULLMQ]: bullmq },
      target: { text: `≥ ${BULLMQ}`, met: andon >= bullmq },
    },
    {
      label: `${what}, 2 workers \`-j ${WORKER_JOBS}\` each`,
      unit: 'tasks/s',
      better: 'higher',
      andon: rates.get('redis, 2 workers') ?? NaN,
      peers,
    },
    {
      label: `${what}, 1 worker \`-j ${WIDE_WORKER_JOBS}\` (context: more jobs in flight on one worker)`,
      unit: 'tasks/s',
      better: 'higher',
      andon: rates.get('redis, 1 worker -j 8') ?? NaN,
      peers,
    },
  ];
}

async function commandRows(dir: string, progress: (line: string) => void): Promise<Row[]> {
  const rates = await measureCommands(dir, progress);
  const what = (via: string): string =>
    `\`true\` commands, ${thousands(COMMANDS.jobs)} jobs (median of ${COMMANDS.rounds}), ${via}: Redis`;
  const library = { [LOCAL]: rates.get('local library') };
  const cli = { [LOCAL]: rates.get('local CLI') };
  return [
    {
      label: `${what('library')}, 1 worker \`-j ${WORKER_JOBS}\``,
      unit: 'jobs/s',
      better: 'higher',
      andon: rates.get('redis library, 1 worker') ?? NaN,
      peers: library,
    },
    {
      label: `${what('library')}, 2 workers \`-j ${WORKER_JOBS}\` each`,
      unit: 'jobs/s',
      better: 'higher',
      andon: rates.get('redis library, 2 workers') ?? NaN,
      peers: library,
    },
    {
      label: `${what('CLI, whole command')}, 1 worker \`-j ${WORKER_JOBS}\``,
      unit: 'jobs/s',
      better: 'higher',
      andon: rates.get('redis CLI, 1 worker') ?? NaN,
      peers: cli,
    },
    {
      label: `${what('CLI, whole command')}, 2 workers \`-j ${WORKER_JOBS}\` each`,
      unit: 'jobs/s',
      better: 'higher',
      andon: rates.get('redis CLI, 2 workers') ?? NaN,
      peers: cli,
    },
  ];
}

async function cancelRows(progress: (line: string) => void): Promise<Row[]> {
  const results = await measureCancels(progress);
  const all = (backend: CancelBackend): CancelSample[] => results.flatMap((byBackend) => byBackend.get(backend) ?? []);
  const rows: Row[] = [];
  CANCEL_CASES.forEach((stopCase, index) => {
    const samples = (backend: CancelBackend): CancelSample[] => results[index]?.get(backend) ?? [];
    const figure = (backend: CancelBackend, key: 'goneMs' | 'exitMs'): number =>
      median(samples(backend).map((s) => s[key]));
    const worst = (key: 'goneMs' | 'exitMs'): number => max(samples('redis').map((s) => s[key]));
    const target = (key: 'goneMs' | 'exitMs'): Pick<Row, 'target'> =>
      stopCase.deaf
        ? {}
        : {
            target: {
              text: `< ${thousands(CANCEL.targetMs)} ms (every repeat; worst ${worst(key).toFixed(0)} ms)`,
              met: worst(key) < CANCEL.targetMs,
            },
          };
    const where = `${stopCase.label} (${CANCEL.workers} workers \`-j ${CANCEL.perWorker}\`; ${CANCEL_RUNNING} more waiting), median of ${CANCEL.repeats}`;
    rows.push(
      {
        label: `Cancel, SIGINT → every running job's process gone: ${where}`,
        unit: 'ms',
        better: 'lower',
        andon: figure('redis', 'goneMs'),
        peers: { [LOCAL]: figure('local', 'goneMs') },
        decimals: 1,
        ...target('goneMs'),
      },
      {
        label: `Cancel, SIGINT → submitter exit: ${where}`,
        unit: 'ms',
        better: 'lower',
        andon: figure('redis', 'exitMs'),
        peers: { [LOCAL]: figure('local', 'exitMs') },
        decimals: 1,
        ...target('exitMs'),
      },
    );
  });
  const stops = CANCEL_CASES.length * CANCEL.repeats;
  type Counted = 'aliveAtExit' | 'startedAfter' | 'takenAfter' | 'leftInQueue';
  const sum = (backend: CancelBackend, key: Counted): number => all(backend).reduce((total, s) => total + s[key], 0);
  const count = (label: string, key: Counted, local: boolean, target: boolean): Row => {
    const andon = sum('redis', key);
    return {
      label,
      unit: 'jobs',
      better: 'lower',
      andon,
      peers: local ? { [LOCAL]: sum('local', key) } : {},
      ...(target ? { target: { text: '0', met: andon === 0 } } : {}),
    };
  };
  const waiting = thousands(stops * (CANCEL_JOBS - CANCEL_RUNNING));
  rows.push(
    count(
      `Cancel: job processes still alive when the submitter exited, of ${thousands(stops * CANCEL_RUNNING)} (all stops above)`,
      'aliveAtExit',
      true,
      true,
    ),
    count(`Cancel: waiting jobs whose process started after the SIGINT, of ${waiting}`, 'startedAfter', true, true),
    count(
      `Cancel: waiting jobs a worker took after the SIGINT (then stopped there, spawned or not), of ${waiting}`,
      'takenAfter',
      false,
      false,
    ),
    count(
      `Cancel: jobs Redis still held as waiting or active after the stop, of ${thousands(stops * CANCEL_JOBS)}`,
      'leftInQueue',
      false,
      true,
    ),
  );
  return rows;
}

/** Facts known only once the suite has run, for the method text. */
let version = 'Redis (not measured)';

export const redisSuite: Suite = {
  name: 'redis',
  title: 'Redis backend: jobs through a local redis-server vs the local backend',
  peers: PEERS,
  // A getter: the Redis version is known only once the suite has run.
  get method(): readonly string[] {
    return [
      `The "andon" column is andon with the Redis backend; "${LOCAL}" is the same work without it, and "${ASYNC}" (function tasks only) the same function on the main thread. Every sample is fresh processes: a fresh redis-server (${version}, bound to 127.0.0.1 on a free port, \`--save '' --appendonly no\`: no persistence; started by test/helpers/redis.ts), fresh \`andon worker --redis URL --queue Q -j N\` processes (each worker a separate Node process, started before the sample and waited for until it prints "serving queue"), and a fresh submitting process. Everything runs on this one machine: its 2 cores are shared by the submitter, redis-server, the workers and their threads or subprocesses, so these figures are andon's per-job cost through Redis, not what more machines would add.`,
      `Workers run \`-j ${WORKER_JOBS}\`: with one worker that is the same ${LOCAL_CONCURRENCY} jobs at a time as the local peers (the machine has 2 cores); with two workers it is 4 at a time, to show what a second worker process does on the same cores (it adds a Node process that fetches, reports and reads the queue's event stream, but no core). A context row gives one worker \`-j ${WIDE_WORKER_JOBS}\`, i.e. more jobs in flight per worker. The submitter keeps ${SUBMIT_CONCURRENCY} jobs on the queue at once (andon's default with a backend: \`createPool\` without \`concurrency\`, the CLI without \`-j\`), so that jobs are always waiting for the workers.`,
      `Function tasks: ${thousands(FUNCTIONS.tasks)} tasks \`x => x + 1\` (the \`increment\` export of bench/suites/redis/tasks.ts). Redis: \`createPool({ backend: redisBackend({ connection, queue }), module, export: 'increment', concurrency: ${SUBMIT_CONCURRENCY}, onResult })\` in a child script, run by \`andon worker --module tasks.js\` (each job on one of the worker's threads). ${LOCAL}: \`createPool({ module, export: 'increment', threads: ${LOCAL_CONCURRENCY}, onResult })\`. ${ASYNC}: \`createPool({ task: increment, concurrency: ${LOCAL_CONCURRENCY}, onResult })\`. \`onResult\` sums the values, and every batch is checked to have returned each item + 1. In each child one untimed warm-up batch of ${thousands(FUNCTIONS.warmupTasks)} (it starts the threads and warms the JIT of every process involved), then one timed batch on the same pool; the figure is the median of ${FUNCTIONS.rounds} rounds of one fresh sample of each in turn (a noisy spell spreads over all of them).`,
      `${BULLMQ}: what a BullMQ user writes for the same work, in the same rounds as andon's samples, on a fresh redis-server each time: a \`Worker\` (bench/suites/redis/bullmq-worker.ts) in its own Node process, as \`andon worker\` is, with \`concurrency: ${WORKER_JOBS}\` running \`increment\` inline, and a submitter (bullmq-submit.ts) whose \`Queue\` adds one job per item with \`queue.add\`, ${SUBMIT_CONCURRENCY} in flight, the next added as a \`QueueEvents\` 'completed' event brings a return value back (the values summed and checked); completed jobs kept as andon's backend keeps them (\`removeOnComplete: { age: 3600, count: 1000 }\`). Same warm-up and timed batch sizes; the worker's count of jobs run must equal every job submitted.`,
      `Commands: ${thousands(COMMANDS.jobs)} jobs \`true <n>\`. Library: \`createPool({ backend, command: ['true'], concurrency: ${SUBMIT_CONCURRENCY}, maxBuffer: 0 })\` against \`createPool({ command: ['true'], concurrency: ${LOCAL_CONCURRENCY}, maxBuffer: 0 })\` (argv, no shell; each job in its own process group under andon's watchdog, on the worker or locally), one untimed warm-up batch of ${COMMANDS.warmupJobs}, then one timed batch on the same pool. CLI: \`andon --redis URL --queue Q true :::: FILE\` against \`andon -j ${LOCAL_CONCURRENCY} true :::: FILE\` (each job a \`/bin/sh -c\` line), the whole command timed from spawn to exit (start-up, connecting and the run included) after an untimed run of ${COMMANDS.warmupJobs} jobs on the same workers. Median of ${COMMANDS.rounds} rounds of one fresh sample of each in turn. After every Redis sample the workers are stopped with SIGTERM, and their "stopped; N finished" lines must add up to every job submitted (warm-up included), none stopped or handed back.`,
      `Cancel: ${CANCEL.workers} fresh workers \`-j ${CANCEL.perWorker}\`, then \`andon --redis URL --queue Q JOB ::: 1 … ${CANCEL_JOBS}\`: ${CANCEL_RUNNING} jobs run (${CANCEL.perWorker} on each worker), ${CANCEL_JOBS - CANCEL_RUNNING} wait on the queue (Redis is checked to list all ${CANCEL_JOBS} as waiting or active). ${LOCAL}: \`andon -j ${CANCEL_RUNNING} JOB ::: 1 … ${CANCEL_JOBS}\`, ${CANCEL_RUNNING} running and ${CANCEL_JOBS - CANCEL_RUNNING} waiting. JOB is \`echo $$ > DIR/pid.{#}; exec sleep ${CANCEL.sleepSeconds}\` (the exec makes the written pid the sleep's). Once ${CANCEL_RUNNING} pid files exist (polled, no fixed sleeps) and the submitter and workers have gone quiet (no CPU over 3 polls 20 ms apart), SIGINT goes to the submitter alone; /proc is polled every millisecond until all ${CANCEL_RUNNING} sleeps are gone (same pid and start time; a zombie counts as gone), and the submitter's exit (code 130, checked) is timed too. Second case: JOB prefixed with \`trap "" INT TERM; \` (inherited by the sleep) and \`--grace 0\`: the submitter forces at once, and the jobs end only by the final KILL of the termination sequence TERM,200,TERM,100,TERM,50,KILL,25, which each worker runs when the submitter's force reaches it through Redis (locally andon runs it itself). ${CANCEL.repeats} repeats of each case, Redis and local in turn, median. After each stop (and ${LATE_START_MS} ms more): jobs alive at the submitter's exit are counted; so are waiting jobs that started anyway — a pid file beyond the first ${CANCEL_RUNNING}, or, with Redis, a job other than the ${CANCEL_RUNNING} running ones whose return value on the queue is a command result (its worker spawned it) — and, with Redis, waiting jobs a worker took at all (any job other than the running ones in the queue's completed set, e.g. one stopped before its process started) and jobs Redis still lists as waiting, prioritized or active. The workers, stopped with SIGTERM, must report every job they took as stopped by its submitter, none finished or handed back.`,
      `Targets apply to andon's (Redis) figure: with jobs that die of the signal, every repeat under ${thousands(CANCEL.targetMs)} ms from SIGINT to the jobs gone and to the submitter's exit; after every stop no job alive, no waiting job started (as with the local backend, where a job not started before the SIGINT never starts), none left in Redis. Waiting jobs a worker took but stopped before they started are context. Function tasks on 1 worker \`-j ${WORKER_JOBS}\`: at least ${BULLMQ}'s rate (issue #15). The other throughput rows have no target (issue #7 sets none for Redis): they are context for what a job's trip through Redis costs.`,
    ];
  },
  async run(progress) {
    // The helper imports ioredis, an optional dependency; without it (or redis-server) there is nothing to measure.
    const redisServer = await redisHelper().then(
      (helper) => helper.redisServer,
      () => undefined,
    );
    if (redisServer === undefined) {
      progress(
        'redis: redis-server (apt-get install redis-server) or the optional packages bullmq and ioredis are missing; suite skipped',
      );
      return [];
    }
    version = redisVersion(redisServer);
    const dir = mkdtempSync(join(tmpdir(), 'andon-bench-redis-'));
    try {
      const rows = [
        ...(await functionRows(progress)),
        ...(await commandRows(dir, progress)),
        ...(await cancelRows(progress)),
      ];
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
