/**
 * The torture run through a network of namespaces (see helpers/netns.ts): seeded scenarios,
 * each a run of andon's Redis backend with two or three workers on hosts of their own and one
 * fault at a random moment — a worker's link cut for a few seconds or for good, a worker host
 * killed outright, Redis restarted, the submitter's link cut, Ctrl+C at the submitter (with a
 * worker cut off, or not), or latency and loss on every link. Each checks the exit code, that
 * no job process is left on any host, that the job log has no job twice, and that a resume
 * runs exactly the rest. Needs root, `ip` and `nft`.
 *
 *   npm run build && node dist/test/torture/netns.js [--seed N] [--count N] [--minutes M]
 *
 * Ends with "N passed, M failed", and the failing seeds (rerun one with --seed N --count 1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ANDON_BIN } from '../helpers/cli.js';
import { random } from './scenario.js';
import {
  type HostProcess,
  type HostRedis,
  Network,
  netnsSkip,
  REDIS_PORT,
  startIn,
  startRedisOn,
  startRelay,
} from '../helpers/netns.js';
import { eventsOf, job, jobLog, range, until, WORKERS, type WorkerHost } from '../helpers/netns-jobs.js';

/** The faults a scenario can meet. */
const FAULTS = [
  'none',
  'cut-worker',
  'cut-worker-for-good',
  'kill-worker-host',
  'restart-redis',
  'cut-submitter',
  'ctrl-c',
  'ctrl-c-worker-cut',
  'ctrl-c-submitter-cut',
  'sigterm-worker-cut',
  'latency-and-loss',
] as const;
type Fault = (typeof FAULTS)[number];

/** One scenario, drawn from its seed. */
interface NetScenario {
  readonly seed: number;
  readonly jobs: number;
  readonly sleep: string;
  readonly workers: readonly { readonly host: WorkerHost; readonly slots: number }[];
  readonly fault: Fault;
  /** The fault comes once this many jobs are logged. */
  readonly afterLogged: number;
  /** How long a cut lasts, in ms. */
  readonly cutMs: number;
}

function scenarioOf(seed: number): NetScenario {
  const next = random(seed);
  const jobs = 10 + Math.floor(next() * 31);
  const count = 2 + Math.floor(next() * 2);
  return {
    seed,
    jobs,
    sleep: ['0', '0.05', '0.2', '0.5'][Math.floor(next() * 4)]!,
    workers: WORKERS.slice(0, count).map((host) => ({ host, slots: 1 + Math.floor(next() * 3) })),
    fault: FAULTS[Math.floor(next() * FAULTS.length)]!,
    afterLogged: Math.floor(next() * (jobs / 2)),
    cutMs: 1_000 + Math.floor(next() * 9_000),
  };
}

function describe(s: NetScenario): string {
  const workers = s.workers.map((w) => `${w.host} -j ${w.slots}`).join(', ');
  return `seed ${s.seed}: ${s.jobs} jobs of sleep ${s.sleep} on ${workers}; ${s.fault} after ${s.afterLogged} logged${s.fault.startsWith('cut') ? ` (${s.cutMs} ms)` : ''}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What one scenario has running. */
interface Running {
  readonly s: NetScenario;
  readonly queue: string;
  readonly work: string;
  readonly log: string;
  readonly command: string;
  readonly url: string;
  readonly workers: Map<WorkerHost, HostProcess>;
  readonly all: HostProcess[];
}

/** The network, its Redis and the relay that slows its links, for every scenario of the run. */
interface Lab {
  readonly network: Network;
  readonly redis: HostRedis;
  readonly slowUrl: string;
}

async function startWorker(lab: Lab, r: Running, host: WorkerHost, slots: number, extra: string[] = []) {
  const child = startIn(
    lab.network.host(host).namespace,
    process.execPath,
    [ANDON_BIN, 'worker', '--redis', r.url, '--queue', r.queue, '-j', String(slots), '--lock-duration', '3', ...extra],
    { ANDON_NETNS_HOST: host },
  );
  r.all.push(child);
  r.workers.set(host, child);
  await child.waitForStderrLine('serving queue');
}

function submit(lab: Lab, r: Running, extra: string[]): HostProcess {
  const child = startIn(lab.network.host('sub').namespace, process.execPath, [
    ANDON_BIN,
    '--redis',
    r.url,
    '--queue',
    r.queue,
    '--joblog',
    r.log,
    '--grace',
    '1',
    ...extra,
    r.command,
    ':::',
    ...range(r.s.jobs),
  ]);
  r.all.push(child);
  return child;
}

/** Applies the fault; returns the exit codes the submitter may end with, and what undoes the fault. */
async function applyFault(
  lab: Lab,
  r: Running,
  submitter: HostProcess,
): Promise<{ codes: number[]; undo: () => Promise<void> }> {
  const { network } = lab;
  const nothing = async (): Promise<void> => {};
  switch (r.s.fault) {
    case 'cut-worker': {
      network.cut('w1');
      // Restored after the cut's time, whether or not the run has ended: the next scenario must not meet it.
      const restored = sleep(r.s.cutMs).then(() => network.restore('w1'));
      return { codes: [0], undo: () => restored };
    }
    case 'cut-worker-for-good':
      // w1 gives up after its reconnect timeout; the link comes back only for the next scenario.
      network.cut('w1');
      return { codes: [0], undo: nothing };
    case 'kill-worker-host':
      await network.killHost('w1');
      r.workers.delete('w1');
      return { codes: [0], undo: nothing };
    case 'restart-redis':
      await lab.redis.restart();
      return { codes: [0], undo: nothing };
    case 'cut-submitter':
      network.cut('sub');
      // Shorter than its reconnect timeout (20 s): the run goes on once the link is back.
      return {
        codes: [0],
        undo: (
          (restored) => () =>
            restored
        )(sleep(r.s.cutMs).then(() => network.restore('sub'))),
      };
    case 'ctrl-c-worker-cut':
      network.cut('w1');
      submitter.kill('SIGINT');
      // Exit 0 if every job had finished before the signal landed.
      return { codes: [130, 0], undo: async () => network.restore('w1') };
    case 'ctrl-c-submitter-cut':
      // Its stop reaches no worker: its lease (5 s + its reconnect timeout of 3 s) stops its jobs.
      network.cut('sub');
      submitter.kill('SIGINT');
      return { codes: [130, 0], undo: async () => network.restore('sub') };
    case 'sigterm-worker-cut':
      // w1 cannot hand its jobs back: it ends them and exits; they return through the stalled check.
      network.cut('w1');
      r.workers.get('w1')?.kill('SIGTERM');
      return { codes: [0], undo: async () => network.restore('w1') };
    case 'ctrl-c':
      submitter.kill('SIGINT');
      return { codes: [130, 0], undo: nothing };
    default:
      return { codes: [0], undo: nothing };
  }
}

/** Rejects if `promise` takes longer than `ms`: a hung run is a failure, not a hung harness. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The job log: no job twice, each with exit 0 and finished; all of them if the run ended 0. */
function loggedProblems(r: Running, status: number): string[] {
  const problems: string[] = [];
  const records = jobLog(r.log);
  const seqs = records.map((record) => record.seq);
  const twice = seqs.filter((seq, i) => seqs.indexOf(seq) !== i);
  if (twice.length > 0) problems.push(`logged twice: ${twice.join(', ')}`);
  const { dones } = eventsOf(r.work);
  for (const record of records) {
    if (record.exit !== 0) problems.push(`job ${record.seq} logged with exit ${record.exit}`);
    if (!dones.has(record.seq)) problems.push(`job ${record.seq} logged done but never finished`);
  }
  if (status === 0 && new Set(seqs).size !== r.s.jobs)
    problems.push(`exit 0 with ${new Set(seqs).size} of ${r.s.jobs} jobs logged`);
  return problems;
}

/** Waits until no job process is left on any worker host (only workers and their watchdogs). */
async function leftRunning(lab: Lab, r: Running): Promise<string[]> {
  const problems: string[] = [];
  const w1 = r.workers.get('w1');
  if (r.s.fault === 'cut-worker-for-good' && w1 !== undefined) {
    const gone = await within(w1.exited, 30_000, 'w1 giving up');
    if (gone.code !== 1) problems.push(`w1, cut off for good, exited ${gone.code ?? gone.signal}, expected 1`);
    r.workers.delete('w1');
  }
  if (r.s.fault === 'sigterm-worker-cut' && w1 !== undefined) {
    // 0 if it had no job to hand back, 1 if it had to end some it could not hand back.
    const gone = await within(w1.exited, 30_000, 'w1 stopping while cut off');
    if (gone.code !== 0 && gone.code !== 1)
      problems.push(`w1, stopped while cut off, exited ${gone.code ?? gone.signal}`);
    r.workers.delete('w1');
  }
  const except = [...r.workers.values()].map((child) => child.pid);
  const left = (): number[] => WORKERS.flatMap((host) => lab.network.jobProcesses(host, except));
  // A worker cut off learns it lost its jobs only once its link is back (up to 10 s) and a
  // lock renewal fails; the bound is generous for a loaded machine.
  await until('no job process left', () => left().length === 0, 30_000).catch(() =>
    problems.push(`left running: ${left().join(', ')}`),
  );
  return problems;
}

/** A resume runs exactly the rest: no job logged done runs again, every job ends up logged once. */
async function resumeProblems(lab: Lab, r: Running): Promise<string[]> {
  const before = eventsOf(r.work);
  const logged = new Set(jobLog(r.log).map((record) => record.seq));
  const exit = await within(submit(lab, r, ['--resume']).exited, 120_000, 'the resume');
  const problems: string[] = [];
  if (exit.code !== 0)
    problems.push(`resume exited ${exit.code ?? exit.signal}: ${exit.stderr.trim().split('\n').at(-1)}`);
  const after = eventsOf(r.work);
  for (const seq of logged)
    if (after.starts.get(seq)?.length !== before.starts.get(seq)?.length)
      problems.push(`job ${seq} was logged done, yet ran again on resume`);
  const seqs = jobLog(r.log).map((record) => record.seq);
  if (seqs.length !== r.s.jobs || new Set(seqs).size !== r.s.jobs)
    problems.push(
      `after the resume the job log has ${seqs.length} records of ${new Set(seqs).size} jobs, of ${r.s.jobs}`,
    );
  return problems;
}

/** Stops the scenario's workers: each still serving exits 0 on SIGTERM. */
async function stopWorkers(r: Running): Promise<string[]> {
  const problems: string[] = [];
  for (const [host, child] of r.workers) {
    child.kill('SIGTERM');
    const exit = await within(child.exited, 20_000, `${host} stopping`);
    if (exit.code !== 0)
      problems.push(`${host} exited ${exit.code ?? exit.signal} on SIGTERM: ${exit.stderr.trim().split('\n').at(-1)}`);
  }
  r.workers.clear();
  return problems;
}

/** w1's own options: a short reconnect timeout when it is cut off for good, a short grace when stopped while cut off. */
function w1Args(fault: Fault): string[] {
  if (fault === 'cut-worker-for-good') return ['--reconnect-timeout', '3'];
  return fault === 'sigterm-worker-cut' ? ['--grace', '1'] : [];
}

/** Runs one scenario; returns what went wrong. */
async function runOne(lab: Lab, s: NetScenario, dir: string): Promise<string[]> {
  const work = mkdtempSync(join(dir, `seed${s.seed}-`));
  const r: Running = {
    s,
    queue: `netnst${process.pid}s${s.seed}x${Date.now()}`,
    work,
    log: join(work, 'run.log'),
    command: job(work, `sleep ${s.sleep}`),
    url: s.fault === 'latency-and-loss' ? lab.slowUrl : lab.redis.url,
    workers: new Map(),
    all: [],
  };
  const problems: string[] = [];
  try {
    if (s.fault === 'latency-and-loss') lab.network.lossy(1);
    for (const { host, slots } of s.workers)
      await startWorker(lab, r, host, slots, host === 'w1' ? w1Args(s.fault) : []);
    const reconnect = {
      'cut-submitter': ['--reconnect-timeout', '20'],
      'ctrl-c-submitter-cut': ['--reconnect-timeout', '3'],
    };
    const submitter = submit(lab, r, reconnect[s.fault as keyof typeof reconnect] ?? []);
    let ended = false;
    void submitter.exited.then(() => (ended = true));
    await until('the moment of the fault', () => ended || jobLog(r.log).length >= s.afterLogged, 60_000);
    const { codes, undo } = await applyFault(lab, r, submitter);
    const exit = await within(submitter.exited, 120_000, 'the run');
    // A shell's status: 130 is death by SIGINT, as andon dies of its first signal.
    if (!codes.includes(exit.status))
      problems.push(
        `submitter exited ${exit.code ?? exit.signal}, expected ${codes.join(' or ')}: ${exit.stderr.trim().split('\n').at(-1)}`,
      );
    await undo();
    problems.push(...loggedProblems(r, exit.status));
    problems.push(...(await leftRunning(lab, r)));
    lab.network.lossy(0);
    problems.push(...(await resumeProblems(lab, r)));
    problems.push(...(await stopWorkers(r)));
  } catch (error) {
    problems.push(`harness error: ${(error as Error).message}`);
  } finally {
    for (const child of r.all) child.kill('SIGKILL');
    await Promise.all(r.all.map((child) => child.exited));
    lab.network.lossy(0);
    for (const host of ['sub', ...WORKERS]) lab.network.restore(host);
    rmSync(work, { recursive: true, force: true });
  }
  return problems;
}

function commandLine(): { seed: number; count: number; minutes: number } {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      count: { type: 'string', default: '20' },
      minutes: { type: 'string', default: '10' },
    },
  });
  const positive = (name: 'seed' | 'count' | 'minutes'): number => {
    const value = Number(values[name]);
    if (!Number.isSafeInteger(value) || value < 1) {
      process.stderr.write(`torture-netns: --${name} must be a positive integer\n`);
      process.exit(2);
    }
    return value;
  };
  return { seed: positive('seed'), count: positive('count'), minutes: positive('minutes') };
}

async function main(): Promise<void> {
  const { seed: first, count, minutes } = commandLine();
  if (netnsSkip !== false) {
    process.stderr.write(`torture-netns: cannot run: ${netnsSkip}\n`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'andon-torture-netns-'));
  const network = Network.create(['redis', 'sub', ...WORKERS]);
  const deadline = performance.now() + minutes * 60_000;
  const failed: string[] = [];
  let passed = 0;
  try {
    const redis = await startRedisOn(network.host('redis'), join(dir, 'redis.sock'));
    const relay = await startRelay(network.host('redis'), REDIS_PORT + 1, REDIS_PORT, 50, 20);
    const lab: Lab = { network, redis, slowUrl: `redis://${network.host('redis').address}:${REDIS_PORT + 1}` };
    for (let seed = first; seed < first + count && performance.now() < deadline; seed++) {
      const s = scenarioOf(seed);
      const problems = await runOne(lab, s, dir);
      if (problems.length === 0) passed++;
      else failed.push(`${describe(s)}\n    ${problems.join('\n    ')}`);
      process.stderr.write(problems.length === 0 ? '.' : 'F');
    }
    relay.kill('SIGKILL');
    await redis.stop();
  } finally {
    network.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write('\n');
  for (const failure of failed) console.log(`FAIL ${failure}`);
  if (failed.length > 0) console.log('rerun one with: node dist/test/torture/netns.js --seed N --count 1');
  console.log(`${passed} passed, ${failed.length} failed`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

await main();
