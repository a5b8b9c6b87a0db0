/**
 * Child script: how long `andon stop` takes to end a run in another process. The run is
 * `andon -j 2` with two `sleep 30` jobs (they end on the first SIGTERM, so the grace period
 * is not waited out and the figure is the stop's own cost); it is stopped, once both jobs
 * run, by
 *   - `library`: `stopRun(id)` in this process (the request itself, no process start),
 *   - `command`: an `andon stop ID` process, started at t0 (its Node start-up included),
 *   - `redis`: `stopQueueRun()` in this process, through a fresh redis-server, the run's
 *     jobs on two `andon worker` processes.
 * The figure is t0 → the run's process has exited. Prints { samples: [ms, ...] }.
 *
 *   node stop-latency.js library|command|redis REPEATS
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns, stopRun } from '../../../src/index.js';
import { readQueueBoard, stopQueueRun } from '../../../src/redis/index.js';
import { report } from '../../lib/child.js';
import { CLI, withRedis, withWorkers } from '../redis/common.js';

type Mode = 'library' | 'command' | 'redis';
const mode = process.argv[2] as Mode;
const repeats = Number(process.argv[3]);
if (!['library', 'command', 'redis'].includes(mode) || !(repeats > 0)) {
  process.stderr.write('usage: stop-latency.js library|command|redis REPEATS\n');
  process.exit(2);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds: a run's registration and its jobs' pid files announce nothing. */
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** One stop: starts the run, waits until both jobs run and it is listed, stops it, times it. */
async function sample(queue: { url: string; name: string } | undefined): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'andon-bench-stop-'));
  // A registry of its own: the run is the only one listed.
  const xdg = join(dir, 'xdg');
  mkdirSync(xdg, { mode: 0o700 });
  const env = { ...process.env, XDG_RUNTIME_DIR: xdg };
  try {
    const onQueue = queue === undefined ? [] : ['--redis', queue.url, '--queue', queue.name];
    const job = `echo $$ > ${dir}/pid.{#}; exec sleep 30`;
    const run = spawn(process.execPath, [CLI, ...onQueue, '-j', '2', job, ':::', '1', '2'], {
      env,
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => run.on('exit', () => resolve()));
    await until('both jobs', () => existsSync(join(dir, 'pid.1')) && existsSync(join(dir, 'pid.2')));
    let id: string | undefined;
    if (queue === undefined) {
      await until('the run listed', async () => {
        id = (await listRuns(env)).find((listed) => listed.pid === run.pid)?.id;
        return id !== undefined;
      });
    } else {
      await until('the run on the queue', async () => {
        const listed = (await readQueueBoard({ connection: queue.url, queue: queue.name })).runs[0];
        id = listed?.counts?.running === 2 ? listed.id : undefined;
        return id !== undefined;
      });
    }
    const t0 = performance.now();
    if (mode === 'library') await stopRun(id!, { env });
    else if (mode === 'redis') await stopQueueRun({ connection: queue!.url, queue: queue!.name }, id!, false);
    else spawn(process.execPath, [CLI, 'stop', id!], { env, stdio: 'ignore' });
    await exited;
    return performance.now() - t0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const samples: number[] = [];
if (mode === 'redis') {
  await withRedis(async (server) => {
    const name = 'stoplatency';
    await withWorkers(server.url, name, 2, 1, undefined, async () => {
      // One untimed run first: the workers' first job pays for their warm-up.
      await sample({ url: server.url, name });
      for (let i = 0; i < repeats; i++) samples.push(await sample({ url: server.url, name }));
    });
  });
} else {
  await sample(undefined);
  for (let i = 0; i < repeats; i++) samples.push(await sample(undefined));
}
report({ samples });
