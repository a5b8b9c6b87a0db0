/**
 * Runs one torture scenario for real and checks what andon promises: the exit code; no
 * process of the scenario left alive (found by a marker in their environment, not by name);
 * the job log parses; a resume finishes exactly the rest (from the tasks' own notes of what
 * ran); and the stop took no longer than grace + termination sequence + a margin. Some
 * scenarios first suspend andon (SIGTSTP, SIGCONT), run it as round 1 of a bash loop (which
 * must stop when andon dies of the signal), and close the standard output of the run after
 * the interrupted one (andon must die of SIGPIPE).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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
/** How long the longest job (a stubborn one) runs: a closed pipe is noticed at andon's next write. */
const LONGEST_JOB_MS = 1_500;
/** How long SIGTSTP may take to stop andon (it stops its jobs first). */
const SUSPEND_MS = 5_000;
/** Reads of the events file this far apart while andon is stopped must see no change. */
const STILL_MS = 100;
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

/** A run of andon (or of the bash loop around it) and what came of it. */
interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** From the first signal (or the closing of the pipe) to exit, in ms; undefined if none was sent (closed). */
  readonly stopMs: number | undefined;
  /** Whether any signal was sent while andon still ran. */
  readonly signalled: boolean;
  /** What went wrong on the way (the suspension). */
  readonly problems: readonly string[];
}

/** The status a shell reports for a process that died of `signal`. */
function exitCodeOf(signal: string): number {
  return { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGKILL: 137, SIGPIPE: 141 }[signal] ?? -1;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A process's state letter (R, S, T, Z...), parent and start time, from /proc/PID/stat. */
function procStat(pid: number): { state: string; ppid: number; startTime: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), startTime: fields[19]! };
  } catch {
    return undefined;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
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
  // In closed-pipe scenarios each also prints a line, which andon passes on when the job ends.
  // A job's items (two with -X -n 2) run one after the other.
  const body =
    'for item; do b=${item%%:*}; id=${item#*:}; echo "start $id" >> "$ANDON_TORTURE_EVENTS"; ' +
    (s.closedPipe ? 'echo "out $id"; ' : '') +
    'case $b in quick) sleep 0.01;; slow) sleep 0.3;; stubborn) trap "" INT TERM; sleep 1.5;; esac; ' +
    'echo "done $id" >> "$ANDON_TORTURE_EVENTS"; done';
  const inner = s.withChildren ? `sh -c '${body.replaceAll("'", `'"'"'`)}' job "$@" & wait` : body;
  // With --pipe the item is the job's block, one line on its standard input.
  return `sh -c '${inner.replaceAll("'", `'"'"'`)}' job ${s.input === 'pipe' ? '"$(cat)"' : '{}'}`;
}

function scenarioEnv(dir: string, marker: string): NodeJS.ProcessEnv {
  return { ...process.env, ANDON_TORTURE_MARK: marker, ANDON_TORTURE_EVENTS: join(dir, 'events') };
}

/** What the harness started: andon itself, or the bash loop around it. */
interface Started {
  /** andon, or bash. */
  readonly child: ChildProcess;
  /** Whether andon runs as round 1 of a bash loop. */
  readonly loop: boolean;
  /** andon's pid (round 1's, in a loop) while it is alive; undefined before it started and after it ended. */
  andon(): number | undefined;
  /** Whether `child` has exited. */
  exited(): boolean;
}

/**
 * The bash loop of shell-loop scenarios: `node=$1 bin=$2 dir=$3`, then andon's arguments;
 * round 2 resumes. Without `guard` it relies on bash's "wait and cooperative exit": bash, sent
 * SIGINT with its foreground child, aborts the script only if the child died of SIGINT.
 */
function loopScript(guard: boolean): string {
  return (
    'node=$1; bin=$2; dir=$3; shift 3; resume=; ' +
    'for round in 1 2; do echo "begin $round" >> "$dir/rounds"; "$node" "$bin" $resume "$@" < "$dir/stdin"; s=$?; ' +
    `echo "round $round $s" >> "$dir/rounds"; ${guard ? '[ $s -eq 0 ] || exit $s; ' : ''}resume=--resume; done`
  );
}

/** What the bash loop wrote: the rounds it began, and the status of each it saw end. */
function rounds(dir: string): { begun: Set<string>; status: Map<string, number> } {
  const begun = new Set<string>();
  const status = new Map<string, number>();
  const path = join(dir, 'rounds');
  if (!existsSync(path)) return { begun, status };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [what, round, code] = line.split(' ');
    if (what === 'begin' && round !== undefined) begun.add(round);
    if (what === 'round' && round !== undefined) status.set(round, Number(code));
  }
  return { begun, status };
}

/** Round 1's andon among bash's children: found once, then followed by pid and start time. */
function round1Finder(dir: string, bashPid: number): () => number | undefined {
  let found: { pid: number; startTime: string } | undefined;
  return () => {
    if (found === undefined) {
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const pid = Number(entry);
        const stat = procStat(pid);
        if (stat?.ppid !== bashPid || !cmdlineOf(pid).includes(ANDON_BIN)) continue;
        // Round 2 is begun (in the file) before it is forked: read after the scan, no "begin 2"
        // means this is round 1.
        if (!rounds(dir).begun.has('2')) found = { pid, startTime: stat.startTime };
        break;
      }
      if (found === undefined) return undefined;
    }
    const stat = procStat(found.pid);
    return stat !== undefined && stat.startTime === found.startTime && stat.state !== 'Z' ? found.pid : undefined;
  };
}

function start(s: Scenario, dir: string, marker: string, resume: boolean, worker: ScenarioWorker | undefined): Started {
  const items = s.behaviours.map((behaviour, i) => `${behaviour}:${i}`);
  const env = scenarioEnv(dir, marker);
  const jobLog = join(dir, 'run.log');
  let exited = false;
  const started = (child: ChildProcess, loop: boolean, andon: () => number | undefined): Started => {
    child.on('exit', () => (exited = true));
    return { child, loop, andon: () => (exited ? undefined : andon()), exited: () => exited };
  };
  if (s.kind === 'commands' || s.kind === 'redis') {
    const remote =
      worker === undefined
        ? []
        : ['--redis', worker.url, '--queue', worker.queue, '--reconnect-timeout', String(RECONNECT_TIMEOUT_MS / 1000)];
    const args = [
      ...remote,
      '-j',
      String(s.concurrency),
      '--grace',
      String(s.graceMs / 1000),
      ...(s.jobLog ? ['--joblog', jobLog] : []),
      ...(resume ? ['--resume'] : []),
      ...(s.input === 'pipe'
        ? ['--pipe', '-N1', commandFor(s)]
        : [...(s.input === 'several' ? ['-X', '-n', '2'] : []), commandFor(s), ':::', ...items]),
    ];
    // Every run of the scenario reads the same standard input: the items, for --pipe.
    const stdinPath = join(dir, 'stdin');
    writeFileSync(stdinPath, s.input === 'pipe' ? items.map((item) => `${item}\n`).join('') : '');
    if (s.shellLoop && !resume) {
      // detached: bash leads a process group of its own (andon in it), which a SIGINT goes to,
      // as a terminal's Ctrl+C goes to its foreground group.
      const guard = s.interruption.signals[0] !== 'SIGINT';
      const child = spawn('bash', ['-c', loopScript(guard), 'bash', process.execPath, ANDON_BIN, dir, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      return started(child, true, round1Finder(dir, child.pid!));
    }
    const stdin = openSync(stdinPath, 'r');
    try {
      const child = spawn(process.execPath, [ANDON_BIN, ...args], { env, stdio: [stdin, 'pipe', 'pipe'] });
      return started(child, false, () => child.pid);
    } finally {
      closeSync(stdin);
    }
  }
  const child = spawn(process.execPath, [CHILD], {
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
  return started(child, false, () => child.pid);
}

/**
 * The scenario's job processes: not andon, nor the bash loop around it, nor the watchdog (not a
 * job, and never stopped).
 */
function jobProcessesOf(marker: string, notJobs: readonly number[]): number[] {
  return markedProcesses(marker).filter((pid) => !notJobs.includes(pid) && !cmdlineOf(pid).includes(WATCHDOG_NAME));
}

function eventsSize(dir: string): number {
  try {
    return statSync(join(dir, 'events')).size;
  } catch {
    return 0;
  }
}

/**
 * Ctrl+Z: SIGTSTP to andon, wait until it is stopped (state T: it stops its jobs' groups, then
 * itself), hold, SIGCONT. For commands (jobs are processes), nothing may progress meanwhile.
 */
async function suspendAndContinue(s: Scenario, dir: string, marker: string, started: Started): Promise<string[]> {
  const hold = s.suspend!.holdMs;
  const pid = started.andon();
  if (pid === undefined) return [];
  try {
    process.kill(pid, 'SIGTSTP');
  } catch {
    return [];
  }
  const until = performance.now() + SUSPEND_MS;
  let state = procStat(pid)?.state;
  while (state !== 'T' && started.andon() !== undefined && performance.now() < until) {
    await sleep(2);
    state = procStat(pid)?.state;
  }
  if (started.andon() === undefined) return []; // it ended before the SIGTSTP landed
  const problems: string[] = [];
  if (state !== 'T') {
    problems.push(`SIGTSTP did not stop andon within ${SUSPEND_MS} ms (state ${state ?? '?'})`);
  } else if (s.kind === 'commands') {
    const sizeAtStop = eventsSize(dir);
    const notStopped = (pids: number[]): number[] =>
      pids.filter((job) => {
        const jobState = procStat(job)?.state;
        return jobState === 'R' || jobState === 'S';
      });
    // A job that was already exiting when its group got SIGSTOP is not stopped: it ends (a
    // zombie, unreaped while andon is stopped), so look again a little later. D (a shell
    // waiting in vfork for a child the stop caught before its exec) runs no code either.
    let running = notStopped(jobProcessesOf(marker, [pid, started.child.pid!]));
    const waited = running.length > 0 ? Math.max(hold, 50) : hold;
    await sleep(waited);
    running = notStopped(running);
    if (running.length > 0)
      problems.push(
        `andon is stopped, but not all its jobs: ${running.map((job) => `${job} (${procStat(job)?.state}: ${cmdlineOf(job).replaceAll('\0', ' ').trim()})`).join(', ')}`,
      );
    if (waited >= STILL_MS && procStat(pid)?.state === 'T' && eventsSize(dir) !== sizeAtStop)
      problems.push(
        `jobs made progress while andon was stopped (events ${sizeAtStop} -> ${eventsSize(dir)} bytes in ${waited} ms)`,
      );
  } else {
    await sleep(hold);
  }
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // gone
  }
  return problems;
}

async function interrupted(
  s: Scenario,
  dir: string,
  marker: string,
  worker: ScenarioWorker | undefined,
): Promise<Exit> {
  const started = start(s, dir, marker, false, worker);
  const { child } = started;
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  let closed = false;
  void exit.then(() => (closed = true));
  const problems: string[] = [];
  const { at, afterStarts, signals, gapMs } = s.interruption;
  const count = s.behaviours.length;
  let suspendDue = s.suspend !== undefined;
  for (;;) {
    if (closed) break;
    const { starts, dones } = events(dir);
    if (suspendDue && starts.size >= s.suspend!.afterStarts && started.andon() !== undefined) {
      suspendDue = false;
      problems.push(...(await suspendAndContinue(s, dir, marker, started)));
      continue;
    }
    const ready =
      at === 'startup' ||
      (at === 'midway' && starts.size >= Math.min(afterStarts, count)) ||
      (at === 'last-task' && starts.size >= count) ||
      dones.size >= count;
    // In a loop, andon must have started before a signal can be sent to it alone (or the
    // suspension be due); a SIGINT goes to bash's whole group.
    const andonNeeded = started.loop && (signals[0] !== 'SIGINT' || suspendDue);
    if (ready && (!andonNeeded || started.andon() !== undefined || rounds(dir).begun.has('2'))) {
      if (!suspendDue) break;
      // The suspension comes before the signals.
      suspendDue = false;
      problems.push(...(await suspendAndContinue(s, dir, marker, started)));
      continue;
    }
    await sleep(5);
  }
  let firstAt: number | undefined;
  let signalled = false;
  for (const signal of signals) {
    if (closed) break;
    firstAt ??= performance.now();
    try {
      if (started.loop && signal === 'SIGINT') {
        // As a terminal's Ctrl+C: to bash's process group, bash and andon together.
        if (started.exited()) break;
        process.kill(-child.pid!, signal);
      } else {
        const pid = started.andon();
        if (pid === undefined) break;
        process.kill(pid, signal);
      }
      signalled = true;
    } catch {
      break;
    }
    if (gapMs > 0) await sleep(gapMs);
  }
  const { code, signal } = await exit;
  const stopMs = firstAt === undefined ? undefined : performance.now() - firstAt;
  return { code, signal, stderr, stopMs, signalled, problems };
}

/** Checks how andon ended: died of the first signal, or 0 if all had finished. */
function checkExit(s: Scenario, first: Exit, allDone: boolean): string[] {
  const last = first.stderr.trim().split('\n').at(-1) ?? '';
  const ended = first.signal !== null ? `death by ${first.signal}` : `exit ${first.code}`;
  if (!first.signalled) return first.code === 0 ? [] : [`${ended} with no signal sent: ${first.stderr.trim()}`];
  if (first.code === 0 && allDone) return [];
  const expected = firstSignals(s);
  if (first.signal !== null && expected.includes(first.signal as (typeof expected)[number])) return [];
  return [`${ended}, expected death by ${expected.join(' or ')}${allDone ? ' or exit 0' : ''}: ${last}`];
}

/**
 * The signals andon may have seen first. Signals sent at the same instant reach andon in the
 * kernel's order (the lower number first), so then it may be any of them; with a gap, it is
 * the first. andon dies of that one, whenever it lands: before the run, during it, or after it.
 */
function firstSignals(s: Scenario): Scenario['interruption']['signals'] {
  return s.interruption.gapMs === 0 ? s.interruption.signals : s.interruption.signals.slice(0, 1);
}

/**
 * Checks the bash loop of a shell-loop scenario: with SIGINT to its group, bash must stop
 * (andon died of SIGINT, so bash dies of it too) unless andon had finished all with 0 before; with
 * other signals, to andon alone, bash records andon's status, 128 + the first signal's number.
 */
function checkLoop(s: Scenario, dir: string, first: Exit, allDone: boolean): string[] {
  const { begun, status } = rounds(dir);
  const round1 = status.get('1');
  const ended = first.signal !== null ? `died of ${first.signal}` : `exited ${first.code}`;
  const last = first.stderr.trim().split('\n').at(-1) ?? '';
  if (!first.signalled) {
    return first.code === 0 && round1 === 0 && status.get('2') === 0
      ? []
      : [
          `bash loop ${ended} with no signal sent (rounds ${[...status].map(([r, c]) => `${r}: ${c}`).join(', ')}): ${last}`,
        ];
  }
  if (s.interruption.signals[0] === 'SIGINT') {
    if (begun.has('2')) {
      // Only if andon had finished everything, with 0, before the signal.
      if (round1 === 0 && allDone)
        return first.code === 0 || first.signal === 'SIGINT' ? [] : [`bash loop ${ended} after round 2`];
      return [
        `SIGINT to the loop's group: andon's round 1 ended with status ${round1}, and bash went on to round 2 (andon did not die of SIGINT)`,
      ];
    }
    const problems: string[] = [];
    if (first.signal !== 'SIGINT')
      problems.push(`bash loop ${ended} after SIGINT to its group, expected death by SIGINT: ${last}`);
    if (round1 !== undefined && round1 !== 0)
      problems.push(`andon's round 1 ended with status ${round1} (bash saw an exit, not death by SIGINT)`);
    return problems;
  }
  // Guarded loop, signals to andon alone.
  const expected = s.interruption.signals[0] === 'SIGKILL' ? ['SIGKILL' as const] : firstSignals(s);
  const codes = expected.map(exitCodeOf);
  if (round1 === 0 && allDone)
    return first.code === 0 && status.get('2') === 0 ? [] : [`bash loop ${ended} after round 1 ended 0`];
  const problems: string[] = [];
  if (round1 === undefined || !codes.includes(round1))
    problems.push(
      `bash recorded andon's status ${round1 ?? 'nothing'}, expected ${codes.join(' or ')}${allDone ? ' or 0' : ''}: ${last}`,
    );
  if (begun.has('2')) problems.push(`bash went on to round 2 after status ${round1}`);
  else if (first.code !== round1) problems.push(`bash loop ${ended}, expected exit ${round1}`);
  return problems;
}

/** A run with its standard output closed after the first chunk, and what came of it. */
interface PipeRun extends Exit {
  /** Whether anything came out (and the pipe was closed). */
  readonly closed: boolean;
}

/**
 * The closed-pipe stage: a resume (with a job log; else a fresh run) whose standard output's
 * reader goes away after the first chunk, as `andon … | head -1` would.
 */
async function pipeClosed(
  s: Scenario,
  dir: string,
  marker: string,
  worker: ScenarioWorker | undefined,
): Promise<PipeRun> {
  const { child } = start(s, dir, marker, s.jobLog, worker);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let closedAt: number | undefined;
  child.stdout!.once('data', () => {
    closedAt = performance.now();
    child.stdout!.destroy();
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (c, sig) => resolve({ code: c, signal: sig })),
  );
  const stopMs = closedAt === undefined ? undefined : performance.now() - closedAt;
  return { code, signal, stderr, stopMs, signalled: false, problems: [], closed: closedAt !== undefined };
}

/** Every live job process of the scenario, once `waitMs` has passed or none is left; ends those it finds. */
async function leftAlive(marker: string, worker: ScenarioWorker | undefined, waitMs: number): Promise<string[]> {
  const deadline = performance.now() + waitMs;
  const jobProcesses = (): number[] => markedProcesses(marker).filter((pid) => !isWorkerPart(pid, worker));
  let alive = jobProcesses();
  while (alive.length > 0 && performance.now() < deadline) {
    await sleep(20);
    alive = jobProcesses();
  }
  if (alive.length === 0) return [];
  for (const pid of alive) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  return [`left alive: ${alive.join(', ')}`];
}

/** The ids of the jobs the job log has as done; undefined (and a problem) if it does not parse. */
function loggedDoneOf(dir: string, problems: string[], stage: string): string[] | undefined {
  try {
    // The items are in every key: "slow:3" (library), or quoted in a command line (two of them
    // with -X -n 2); a --pipe -N1 block's number is its item's, plus one.
    return [...readJobLog(join(dir, 'run.log')).outcomes.keys()].flatMap((key) => {
      const block = /# block (\d+): /.exec(key)?.[1];
      if (block !== undefined) return [String(Number(block) - 1)];
      const items = [...key.matchAll(/(?:quick|slow|stubborn):(\d+)/g)].map((match) => match[1]!);
      return items.length > 0 ? items : [key];
    });
  } catch (error) {
    problems.push(`job log does not parse${stage}: ${(error as Error).message}`);
    return undefined;
  }
}

/** How many "done" lines the events file has (a job that ran twice counts twice). */
function doneCount(dir: string): number {
  const path = join(dir, 'events');
  return existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('done ')).length
    : 0;
}

/**
 * The closed-pipe stage and its checks: death by SIGPIPE, quietly (or 0 if all had finished),
 * within the longest job + termseq + margin, nothing left alive, the job log parses and has
 * nothing done that did not finish, and nothing logged before ran again.
 */
async function closedPipeStage(
  s: Scenario,
  dir: string,
  marker: string,
  worker: ScenarioWorker | undefined,
  loggedBefore: readonly string[],
): Promise<{ problems: string[]; logged: string[] | undefined }> {
  const problems: string[] = [];
  const before = events(dir);
  const doneBefore = doneCount(dir);
  const piped = await pipeClosed(s, dir, marker, worker);
  const stage = ' (closed pipe)';
  const allDone = s.jobLog
    ? events(dir).dones.size === s.behaviours.length
    : doneCount(dir) - doneBefore >= s.behaviours.length;
  const ended = piped.signal !== null ? `death by ${piped.signal}` : `exit ${piped.code}`;
  const last = piped.stderr.trim().split('\n').at(-1) ?? '';
  if (!piped.closed) {
    // Nothing to print: a resume of a run that had finished everything.
    if (piped.code !== 0) problems.push(`${ended}${stage}, with nothing printed: ${last}`);
  } else if (piped.signal !== 'SIGPIPE' && !(piped.code === 0 && allDone)) {
    problems.push(
      `${ended} after its output was closed, expected death by SIGPIPE${allDone ? ' or exit 0' : ''}: ${last}`,
    );
  }
  if (/EPIPE|\n\s+at /.test(`\n${piped.stderr}`))
    problems.push(`not quiet after its output was closed: ${piped.stderr.trim()}`);
  // The closed output is noticed only at andon's next write, once a job ends.
  // A job of two items (-X -n 2) runs them one after the other.
  const bound = (s.input === 'several' ? 2 : 1) * LONGEST_JOB_MS + TERMSEQ_MS + MARGIN_MS;
  if (piped.stopMs !== undefined && piped.stopMs > bound)
    problems.push(
      `took ${Math.round(piped.stopMs)} ms to stop after its output was closed, more than longest job + termseq + margin (${bound} ms)`,
    );
  problems.push(...(await leftAlive(marker, worker, 500)).map((problem) => `${problem}${stage}`));
  if (!s.jobLog) return { problems, logged: undefined };
  const logged = loggedDoneOf(dir, problems, stage);
  if (logged === undefined) return { problems, logged };
  const after = events(dir);
  for (const id of logged)
    if (!after.dones.has(id)) problems.push(`job ${id} is logged as done but never finished${stage}`);
  for (const id of loggedBefore)
    if ((after.starts.get(id) ?? 0) !== (before.starts.get(id) ?? 0))
      problems.push(`job ${id} was logged as done, yet ran again on the closed-pipe resume`);
  return { problems, logged };
}

async function completed(s: Scenario, dir: string, marker: string, worker: ScenarioWorker | undefined): Promise<Exit> {
  const { child } = start(s, dir, marker, true, worker);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.resume();
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (c, sig) => resolve({ code: c, signal: sig })),
  );
  return { code, signal, stderr, stopMs: undefined, signalled: false, problems: [] };
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
    problems.push(...first.problems);
    const killed = s.interruption.signals[0] === 'SIGKILL';
    // 1. The exit: death by the first signal (in a bash loop, what bash did), or 0 if the run
    // had finished before it landed.
    const { dones } = events(dir);
    const allDone = dones.size === s.behaviours.length;
    problems.push(...(s.shellLoop ? checkLoop(s, dir, first, allDone) : checkExit(s, first, allDone)));
    // 2. Time from the first signal to exit (not when a loop went on to round 2).
    const bound = s.graceMs + TERMSEQ_MS + MARGIN_MS;
    const secondRound = s.shellLoop && rounds(dir).begun.has('2');
    if (first.stopMs !== undefined && first.stopMs > bound && !secondRound)
      problems.push(`took ${Math.round(first.stopMs)} ms to stop, more than grace + termseq + margin (${bound} ms)`);
    // 3. Nothing of the scenario alive (after SIGKILL, once the watchdog has had its time, or
    // through Redis, once the run's lease has run out).
    problems.push(
      ...(await leftAlive(marker, worker, killed ? (worker === undefined ? WATCHDOG_MS : LEASE_CLEANUP_MS) : 500)),
    );
    // 4. The job log parses, and says nothing ran that did not finish.
    let loggedDone: string[] = [];
    if (s.jobLog) {
      const logged = loggedDoneOf(dir, problems, '');
      if (logged === undefined) return problems;
      loggedDone = logged;
      const { dones: finished } = events(dir);
      for (const id of loggedDone)
        if (!finished.has(id)) problems.push(`job ${id} is logged as done but never finished`);
    }
    // 4b. Closed pipe: the resume (a fresh run, without a job log) loses its output's reader.
    if (s.closedPipe) {
      const stage = await closedPipeStage(s, dir, marker, worker, loggedDone);
      problems.push(...stage.problems);
      if (stage.logged === undefined) return problems;
      loggedDone = stage.logged;
    }
    if (!s.jobLog) return problems;
    const before = events(dir);
    // 5. A (last) resume finishes exactly the rest: nothing logged as done runs again, nothing is skipped.
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
