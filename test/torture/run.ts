/**
 * Runs one torture scenario for real and checks what andon promises: the exit code; no
 * process of the scenario left alive (found by a marker in their environment, not by name);
 * the job log parses; a resume finishes exactly the rest (from the tasks' own notes of what
 * ran); and the stop took no longer than grace + termination sequence + a margin.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJobLog } from '../../src/joblog/reader.js';
import { ANDON_BIN } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { RUN_LEASE_MS, RUN_LEASE_RECHECK_MS, RUN_LEASE_RENEW_MS } from '../../src/redis/protocol.js';
import { WATCHDOG_NAME } from '../../src/run/process/watchdog.js';
import { describeScenario, type Scenario } from './scenario.js';

const CHILD = fileURLToPath(new URL('../fixtures/torture-child.js', import.meta.url));
/** The default termination sequence lasts 375 ms; the margin covers a loaded machine. */
const TERMSEQ_MS = 375;
const MARGIN_MS = 3_000;
/** How long the watchdog may take to clean up after andon was killed. */
const WATCHDOG_MS = 2_000;
/** The submitter's reconnect timeout in redis scenarios: its run's lease lives 5 s plus this. */
const RECONNECT_TIMEOUT_MS = 1_000;
/**
 * How long a worker may take to stop the jobs of a killed submitter: the run's lease runs
 * out, a worker's check notices it twice, then the termination sequence.
 */
const LEASE_CLEANUP_MS =
  RUN_LEASE_MS + RECONNECT_TIMEOUT_MS + RUN_LEASE_RECHECK_MS + RUN_LEASE_RENEW_MS + TERMSEQ_MS + WATCHDOG_MS;

/** One redis-server for all the scenarios of a process, started when the first needs it. */
let redis: Promise<RedisServer> | undefined;

/** Stops the scenarios' redis-server, if one was started. */
export async function stopTortureRedis(): Promise<void> {
  const server = redis;
  redis = undefined;
  await (await server)?.stop();
}

/** A worker for a redis scenario, carrying the scenario's marker and events file. */
interface ScenarioWorker {
  readonly url: string;
  readonly queue: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startScenarioWorker(s: Scenario, env: NodeJS.ProcessEnv): Promise<ScenarioWorker> {
  const server = await (redis ??= startRedis());
  const queue = `torture${s.seed}x${process.pid}x${Date.now()}`;
  const child = spawn(
    process.execPath,
    [ANDON_BIN, 'worker', '--redis', server.url, '--queue', queue, '-j', String(s.concurrency), '--lock-duration', '2'],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes('serving queue')) resolve();
    });
    void closed.then(() => reject(new Error(`andon worker exited before serving: ${stderr}`)));
  });
  return {
    url: server.url,
    queue,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await closed;
    },
  };
}

/** The worker itself and its watchdog carry the marker too; only job processes count. */
function isWorkerPart(pid: number, worker: ScenarioWorker | undefined): boolean {
  if (worker === undefined) return false;
  if (pid === worker.pid) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(WATCHDOG_NAME);
  } catch {
    return false;
  }
}

/** A run of andon and what came of it. */
interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** From the first signal to exit, in ms; undefined if none was sent. */
  readonly stopMs: number | undefined;
  /** Whether any signal was sent while andon still ran. */
  readonly signalled: boolean;
}

function exitCodeOf(signal: string): number {
  return { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }[signal] ?? -1;
}

/** Every live process whose environment carries this scenario's marker. */
function markedProcesses(marker: string): number[] {
  const needle = Buffer.from(`ANDON_TORTURE_MARK=${marker}\0`);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      if (readFileSync(`/proc/${entry}/environ`).includes(needle)) found.push(Number(entry));
    } catch {
      // gone, or not readable
    }
  }
  return found;
}

function events(dir: string): { starts: Map<string, number>; dones: Set<string> } {
  const starts = new Map<string, number>();
  const dones = new Set<string>();
  const path = join(dir, 'events');
  if (!existsSync(path)) return { starts, dones };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [what, id] = line.split(' ');
    if (id === undefined) continue;
    if (what === 'start') starts.set(id, (starts.get(id) ?? 0) + 1);
    if (what === 'done') dones.add(id);
  }
  return { starts, dones };
}

function commandFor(s: Scenario): string {
  // Each job notes its start and end, like the library tasks; stubborn ones ignore INT and TERM.
  const body =
    'b=${1%%:*}; id=${1#*:}; echo "start $id" >> "$ANDON_TORTURE_EVENTS"; ' +
    'case $b in quick) sleep 0.01;; slow) sleep 0.3;; stubborn) trap "" INT TERM; sleep 1.5;; esac; ' +
    'echo "done $id" >> "$ANDON_TORTURE_EVENTS"';
  const inner = s.withChildren ? `sh -c '${body.replaceAll("'", `'"'"'`)}' job "$1" & wait` : body;
  return `sh -c '${inner.replaceAll("'", `'"'"'`)}' job {}`;
}

function scenarioEnv(dir: string, marker: string): NodeJS.ProcessEnv {
  return { ...process.env, ANDON_TORTURE_MARK: marker, ANDON_TORTURE_EVENTS: join(dir, 'events') };
}

function start(
  s: Scenario,
  dir: string,
  marker: string,
  resume: boolean,
  worker: ScenarioWorker | undefined,
): ReturnType<typeof spawn> {
  const items = s.behaviours.map((behaviour, i) => `${behaviour}:${i}`);
  const env = scenarioEnv(dir, marker);
  const jobLog = join(dir, 'run.log');
  if (s.kind === 'commands' || s.kind === 'redis') {
    const remote =
      worker === undefined
        ? []
        : ['--redis', worker.url, '--queue', worker.queue, '--reconnect-timeout', String(RECONNECT_TIMEOUT_MS / 1000)];
    const args = [
      ANDON_BIN,
      ...remote,
      '-j',
      String(s.concurrency),
      '--grace',
      String(s.graceMs / 1000),
      ...(s.jobLog ? ['--joblog', jobLog] : []),
      ...(resume ? ['--resume'] : []),
      commandFor(s),
      ':::',
      ...items,
    ];
    return spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return spawn(process.execPath, [CHILD], {
    env: {
      ...env,
      ANDON_TORTURE_KIND: s.kind,
      ANDON_TORTURE_ITEMS: items.join(','),
      ANDON_TORTURE_GRACE: String(s.graceMs),
      ANDON_TORTURE_CONCURRENCY: String(s.concurrency),
      ...(s.jobLog ? { ANDON_TORTURE_JOBLOG: jobLog } : {}),
      ...(resume ? { ANDON_TORTURE_RESUME: '1' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function interrupted(
  s: Scenario,
  dir: string,
  marker: string,
  worker: ScenarioWorker | undefined,
): Promise<Exit> {
  const child = start(s, dir, marker, false, worker);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.resume();
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  const { at, afterStarts, signals, gapMs } = s.interruption;
  const count = s.behaviours.length;
  const ready = (): boolean => {
    const { starts, dones } = events(dir);
    if (at === 'startup') return true;
    if (at === 'midway') return starts.size >= Math.min(afterStarts, count);
    if (at === 'last-task') return starts.size >= count;
    return dones.size >= count;
  };
  while (!exited && !ready()) await new Promise((resolve) => setTimeout(resolve, 5));
  let firstAt: number | undefined;
  let signalled = false;
  for (const signal of signals) {
    if (exited) break;
    firstAt ??= performance.now();
    try {
      process.kill(child.pid!, signal);
      signalled = true;
    } catch {
      break;
    }
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  const { code, signal } = await exit;
  return { code, signal, stderr, stopMs: firstAt === undefined ? undefined : performance.now() - firstAt, signalled };
}

async function completed(s: Scenario, dir: string, marker: string, worker: ScenarioWorker | undefined): Promise<Exit> {
  const child = start(s, dir, marker, true, worker);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.resume();
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (c, sig) => resolve({ code: c, signal: sig })),
  );
  return { code, signal, stderr, stopMs: undefined, signalled: false };
}

/** Runs the scenario; returns what went wrong (nothing, if all promises held). */
export async function runScenario(s: Scenario): Promise<string[]> {
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), `andon-torture-${s.seed}-`));
  const marker = `torture-${s.seed}-${process.pid}-${Date.now()}`;
  let worker: ScenarioWorker | undefined;
  try {
    if (s.kind === 'redis') worker = await startScenarioWorker(s, scenarioEnv(dir, marker));
    const first = await interrupted(s, dir, marker, worker);
    const killed = s.interruption.signals[0] === 'SIGKILL';
    // 1. The exit code: the first signal's, or 0 if the run had finished before it landed.
    const { dones } = events(dir);
    const allDone = dones.size === s.behaviours.length;
    if (killed && first.signalled) {
      if (first.signal !== 'SIGKILL' && !(first.code === 0 && allDone))
        problems.push(`exit after SIGKILL: ${first.code ?? first.signal}`);
    } else if (first.signalled) {
      // Signals sent at the same instant reach andon in the kernel's order (the lower number
      // first), so then the first andon saw may be any of them; with a gap, it is the first.
      const firsts = s.interruption.gapMs === 0 ? s.interruption.signals : s.interruption.signals.slice(0, 1);
      const expected = exitCodeOf(firsts[0]!);
      const codeOk = firsts.some((signal) => first.code === exitCodeOf(signal));
      // Killed by the signal itself is fine too: it landed before the pool ran (start-up) or
      // after it ended (nothing was running), and a shell reports 128+n either way.
      const killedByIt = firsts.some((signal) => first.signal === signal);
      // A later signal that lands after the run has ended (its summary printed) meets no
      // listener any more and has its default effect, as andon documents.
      const killedAfterTheEnd =
        s.interruption.signals.some((signal) => first.signal === signal) &&
        /andon: (to run the rest|to be able to resume)/.test(first.stderr);
      if (!codeOk && !killedByIt && !killedAfterTheEnd && !(first.code === 0 && allDone))
        problems.push(
          `exit code ${first.code ?? first.signal}, expected ${expected}${allDone ? ' or 0' : ''}: ${first.stderr.trim().split('\n').at(-1) ?? ''}`,
        );
    } else if (first.code !== 0) {
      problems.push(`exit code ${first.code ?? first.signal} with no signal sent: ${first.stderr.trim()}`);
    }
    // 2. Time from the first signal to exit.
    const bound = s.graceMs + TERMSEQ_MS + MARGIN_MS;
    if (first.stopMs !== undefined && first.stopMs > bound)
      problems.push(`took ${Math.round(first.stopMs)} ms to stop, more than grace + termseq + margin (${bound} ms)`);
    // 3. Nothing of the scenario alive (after SIGKILL, once the watchdog has had its time, or
    // through Redis, once the run's lease has run out).
    const deadline = performance.now() + (killed ? (worker === undefined ? WATCHDOG_MS : LEASE_CLEANUP_MS) : 500);
    const jobProcesses = (): number[] => markedProcesses(marker).filter((pid) => !isWorkerPart(pid, worker));
    let alive = jobProcesses();
    while (alive.length > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      alive = jobProcesses();
    }
    if (alive.length > 0) {
      problems.push(`left alive: ${alive.join(', ')}`);
      for (const pid of alive) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (!s.jobLog) return problems;
    // 4. The job log parses, and says nothing ran that did not finish.
    const log = join(dir, 'run.log');
    const before = events(dir);
    let loggedDone: string[] = [];
    try {
      // The item ends every key: "slow:3" (library), or quoted at the end of a command line.
      loggedDone = [...readJobLog(log).outcomes.keys()].map((key) => /:(\d+)'?$/.exec(key)?.[1] ?? key);
    } catch (error) {
      problems.push(`job log does not parse: ${(error as Error).message}`);
      return problems;
    }
    for (const id of loggedDone)
      if (!before.dones.has(id)) problems.push(`job ${id} is logged as done but never finished`);
    // 5. A resume finishes exactly the rest: nothing logged as done runs again, nothing is skipped.
    const resumed = await completed(s, dir, marker, worker);
    if (resumed.code !== 0)
      problems.push(
        `resume exited ${resumed.code ?? resumed.signal}: ${resumed.stderr.trim().split('\n').at(-1) ?? ''}`,
      );
    const after = events(dir);
    for (const id of loggedDone) {
      if ((after.starts.get(id) ?? 0) !== (before.starts.get(id) ?? 0))
        problems.push(`job ${id} was logged as done, yet ran again on resume`);
    }
    for (let id = 0; id < s.behaviours.length; id++)
      if (!after.dones.has(String(id))) problems.push(`job ${id} never finished, even after the resume`);
    return problems;
  } catch (error) {
    return [...problems, `harness error: ${(error as Error).stack ?? String(error)}`];
  } finally {
    await worker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export { describeScenario };
