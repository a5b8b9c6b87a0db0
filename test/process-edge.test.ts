/**
 * At the process's edge, with real processes, real signals and real terminals: a shell loop
 * around andon (or a `main()` script) stops at one Ctrl+C, Ctrl+Z suspends andon and its jobs
 * without their timeouts running on, a signal while andon waits for a FIFO ends it, a closed
 * pipe ends it as SIGPIPE would, a launcher's doubled Ctrl+C is one press, and a signal during
 * wind-down never changes a finished run's status into the second signal's.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPEAT_WINDOW_MS } from '../src/interrupt/coordinator.js';
import { afterRepeatWindow, fixture, shellStatus, type Child, type Exit } from './helpers/child.js';
import { ANDON_BIN, startAndon } from './helpers/cli.js';
import { isAlive } from './helpers/processes.js';
import { noTerminal, Terminal } from './helpers/tmux.js';

const root = mkdtempSync(join(tmpdir(), 'andon-edge-'));
after(() => rmSync(root, { recursive: true, force: true }));

let scratchCount = 0;
/** A fresh directory of this test file's own (removed with the rest at the end). */
function scratch(name: string): string {
  scratchCount += 1;
  return mkdtempSync(join(root, `${name}-${scratchCount}-`));
}

/** `text` as one word for sh/bash. */
function sq(text: string): string {
  return `'${text.replaceAll("'", `'"'"'`)}'`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `condition` holds, polling every 10 ms; rejects after `ms` saying `what`. */
async function waitUntil(condition: () => boolean, ms: number, what: () => string): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms: ${what()}`);
    await delay(10);
  }
}

/** `promise`, or a rejection after `ms` (so a hung process fails the test instead of hanging it). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The lines of a file, or none if it does not exist yet. */
function linesOf(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

/** The pids a job (or task) appended to `file`, one a line (the last word of each line). */
function pidsIn(file: string): number[] {
  return linesOf(file).map((line) => Number(line.split(' ').at(-1)));
}

/** /proc/PID/stat after the command name: state, parent, process group, ... */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The state letter of a process (R, S, T, Z, ...), or undefined if it is gone. */
function stateOf(pid: number): string | undefined {
  return statFields(pid)?.[0];
}

/** True while the child has not exited. */
function running(child: Child): boolean {
  return child.process.exitCode === null && child.process.signalCode === null;
}

/**
 * Ends what a failed test may have left: the child we started (through its ChildProcess, which
 * sends nothing once it has exited) and the jobs whose pids were recorded — a job that leads
 * its own process group (andon gives each job a session of its own) with its group, so that its
 * `sleep` goes too. SIGCONT first, in case they were suspended.
 */
function endLeftovers(child: Child | undefined, pids: readonly number[]): void {
  if (child !== undefined && running(child)) {
    child.process.kill('SIGCONT');
    child.process.kill('SIGKILL');
  }
  for (const pid of pids) {
    if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) continue;
    const leadsGroup = statFields(pid)?.[2] === String(pid);
    for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
      try {
        process.kill(leadsGroup ? -pid : pid, signal);
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** A stack trace or an uncaught error's report, which a signal or a closed pipe must never print. */
const STACK = /Error|^\s+at /m;

/** Runs `bash -o pipefail -c script` to completion. */
function bash(script: string): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, status: shellStatus(code, signal), stdout, stderr }));
  });
}

/** `node andon` as a shell word list. */
const ANDON = `${sq(process.execPath)} ${sq(ANDON_BIN)}`;

/**
 * An interactive bash in a real terminal (tmux): Ctrl+C there goes to the foreground job's
 * process group only, and the shell survives it, as for a person at a prompt. Before each
 * prompt it appends `$?` to `status`, so the first line is the shell's start (0) and the second
 * the status the shell saw for the command typed.
 */
function interactiveShell(dir: string): { terminal: Terminal; status: string } {
  const status = join(dir, 'prompt-status');
  const rc = join(dir, 'rc');
  writeFileSync(rc, `PS1='$ '\nHISTFILE=/dev/null\nPROMPT_COMMAND=${sq(`echo $? >> ${sq(status)}`)}\n`);
  return { terminal: new Terminal(`bash --noprofile --rcfile ${sq(rc)} -i`), status };
}

/**
 * Types `bash script` at the prompt, waits until `started` says the first round's work runs,
 * presses Ctrl+C once, and waits for the prompt to come back. Returns the status the shell saw
 * and the screen.
 */
async function ctrlCOnceInALoop(
  dir: string,
  script: string,
  started: string,
  startedCount: number,
): Promise<{ status: string; screen: string[]; pids: number[] }> {
  const { terminal, status } = interactiveShell(dir);
  let pids: number[] = [];
  try {
    await waitUntil(
      () => linesOf(status).length >= 1,
      20_000,
      () => `the shell's first prompt:\n${terminal.screen().join('\n')}`,
    );
    terminal.keys('-l', `bash ${sq(script)}`);
    terminal.keys('Enter');
    await waitUntil(
      () => linesOf(started).length >= startedCount,
      20_000,
      () => `${startedCount} started in round 1:\n${terminal.screen().join('\n')}`,
    );
    pids = pidsIn(started);
    terminal.keys('C-c');
    // The graceful stop of work that stops at once takes well under a second; 20 s is generous.
    await waitUntil(
      () => linesOf(status).length >= 2,
      20_000,
      () => `the prompt back after Ctrl+C:\n${terminal.screen().join('\n')}`,
    );
    return { status: linesOf(status)[1]!, screen: terminal.screen(), pids };
  } finally {
    terminal.close();
    endLeftovers(undefined, pids.length > 0 ? pids : pidsIn(started));
  }
}

describe('a shell loop in a real terminal stops at one Ctrl+C', { skip: noTerminal }, () => {
  it('andon in a bash loop: the loop stops in round 1, the shell sees 130, no job is left', {
    timeout: 90_000,
  }, async () => {
    const dir = scratch('loop-cli');
    const rounds = join(dir, 'rounds');
    const pids = join(dir, 'pids');
    const script = join(dir, 'loop.sh');
    const job = `echo $$ >> ${sq(pids)}; echo start {}; sleep 30; echo done {}`;
    writeFileSync(
      script,
      [
        'for i in 1 2 3; do',
        `  echo $i >> ${sq(rounds)}`,
        `  ${ANDON} -j 2 ${sq(job)} ::: a b`,
        '  echo "round $i status $?"',
        'done',
        'echo "after loop $?"',
        '',
      ].join('\n'),
    );
    const result = await ctrlCOnceInALoop(dir, script, pids, 2);
    const screen = result.screen.join('\n');
    assert.equal(result.status, '130', screen);
    assert.deepEqual(linesOf(rounds), ['1'], 'no round after the first started');
    assert.doesNotMatch(screen, /round \d status/, 'the script died with andon, before its echo');
    assert.doesNotMatch(screen, /after loop/);
    assert.match(screen, /SIGINT received, stopping/);
    assert.doesNotMatch(screen, /second signal/, 'one Ctrl+C is one press');
    assert.match(screen, /0 done, 0 failed, 2 cancelled, 0 not started .*\(interrupted by SIGINT\)/);
    assert.doesNotMatch(screen, /done [ab]/, 'no job got past its sleep');
    assert.equal(result.pids.length, 2);
    assert.deepEqual(result.pids.filter(isAlive), [], 'every job ended before andon did');
  });

  it('a main() script in a bash loop: the loop stops in round 1, the shell sees 130', { timeout: 90_000 }, async () => {
    const dir = scratch('loop-main');
    const rounds = join(dir, 'rounds');
    const started = join(dir, 'started');
    const script = join(dir, 'loop.sh');
    writeFileSync(
      script,
      [
        'for i in 1 2 3; do',
        `  echo $i >> ${sq(rounds)}`,
        `  ${sq(process.execPath)} ${sq(fixture('edge-main-loop.js'))} ${sq(started)}`,
        '  echo "round $i status $?"',
        'done',
        'echo "after loop $?"',
        '',
      ].join('\n'),
    );
    const result = await ctrlCOnceInALoop(dir, script, started, 2);
    const screen = result.screen.join('\n');
    assert.equal(result.status, '130', screen);
    assert.deepEqual(linesOf(rounds), ['1'], 'no round after the first started');
    assert.doesNotMatch(screen, /round \d status/);
    assert.doesNotMatch(screen, /after loop/);
    assert.match(screen, /andon: 0 done, 0 failed, 2 cancelled, 0 not started .*\(interrupted by SIGINT\)/);
    assert.doesNotMatch(screen, STACK);
    // Both tasks ran in the one script process, which is gone.
    assert.equal(new Set(result.pids).size, 1, linesOf(started).join('\n'));
    assert.deepEqual(result.pids.filter(isAlive), []);
  });
});

describe('Ctrl+Z (SIGTSTP) suspends andon and its jobs; SIGCONT continues them', () => {
  it('nothing runs while suspended, and --timeout does not count the time suspended', { timeout: 90_000 }, async () => {
    const dir = scratch('suspend');
    const pidFile = join(dir, 'pids');
    // Each job runs ~4 s (40 × 0.1 s, plus a fork per line) — under the timeout — but its wall
    // time, with the suspension below, is well over it.
    const timeoutSeconds = 7;
    const job = `echo $$ >> ${sq(pidFile)}; for i in $(seq 40); do echo $i >> ${sq(dir)}/out.{}; sleep 0.1; done`;
    const startedAt = performance.now();
    const child = startAndon(['-j', '2', '--timeout', String(timeoutSeconds), job, ':::', 'a', 'b']);
    const outA = join(dir, 'out.a');
    const outB = join(dir, 'out.b');
    try {
      await waitUntil(
        () => linesOf(outA).length > 0 && linesOf(outB).length > 0 && pidsIn(pidFile).length === 2,
        20_000,
        () => `both jobs writing; stderr: ${child.stderr()}`,
      );
      const jobs = pidsIn(pidFile);
      child.kill('SIGTSTP');
      // A job's shell caught between vfork and its child's exec waits, in state D, for the
      // child, which is stopped with the rest of the group: it cannot run either.
      const held = (pid: number): boolean => stateOf(pid) === 'T' || stateOf(pid) === 'D';
      await waitUntil(
        () => stateOf(child.pid) === 'T' && jobs.every(held),
        10_000,
        () => `andon (${stateOf(child.pid)}) and its jobs (${jobs.map(stateOf).join(', ')}) stopped`,
      );
      const counts = [linesOf(outA).length, linesOf(outB).length];
      assert.ok(
        counts.every((count) => count < 40),
        `the jobs were still at work: ${counts.join(', ')}`,
      );
      // Asserts that nothing happens during a period, which needs a period: 1.5 s is fifteen of
      // the jobs' lines, were they running.
      await delay(1_500);
      assert.deepEqual([linesOf(outA).length, linesOf(outB).length], counts, 'no line written while suspended');
      assert.equal(stateOf(child.pid), 'T', 'andon stays stopped');
      assert.ok(jobs.every(held), `the jobs stay stopped: ${jobs.map(stateOf).join(', ')}`);
      // Stay suspended until the jobs' wall time is past the timeout by a margin.
      const suspendedUntil = startedAt + (timeoutSeconds + 1.5) * 1000;
      await delay(Math.max(0, suspendedUntil - performance.now()));
      child.kill('SIGCONT');
      const exit = await within(child.exited, 30_000, 'andon to end after SIGCONT');
      const wallSeconds = (performance.now() - startedAt) / 1000;
      assert.ok(wallSeconds > timeoutSeconds, `the run's wall time (${wallSeconds} s) exceeds --timeout`);
      assert.doesNotMatch(exit.stderr, /timed out/, exit.stderr);
      assert.equal(exit.status, 0, exit.stderr);
      assert.equal(linesOf(outA).length, 40);
      assert.equal(linesOf(outB).length, 40);
      assert.doesNotMatch(exit.stderr, /[1-9]\d* failed/, 'no failure reported');
    } finally {
      endLeftovers(child, pidsIn(pidFile));
    }
  });
});

/**
 * True while a thread of `pid` is blocked opening a FIFO that has no writer: the kernel's
 * `wait_for_partner` (older kernels: `fifo_open`) in /proc/PID/task/TID/wchan.
 */
function blockedOnFifo(pid: number): boolean {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return threads.some((tid) => {
    try {
      return /^(wait_for_partner|fifo_open)$/.test(readFileSync(`/proc/${pid}/task/${tid}/wchan`, 'utf8').trim());
    } catch {
      return false;
    }
  });
}

describe('a signal while andon waits for a FIFO with no writer', () => {
  for (const [signal, status] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`one ${signal} ends it with status ${status}`, { timeout: 60_000 }, async () => {
      const dir = scratch(`fifo-${signal}`);
      const fifo = join(dir, 'input');
      execFileSync('mkfifo', [fifo]);
      const child = startAndon(['echo', '::::', fifo]);
      try {
        // No handshake is possible (nothing runs yet): wait until the kernel shows a thread
        // blocked in the FIFO's open. Node starts in well under a second; 20 s is generous.
        await waitUntil(
          () => blockedOnFifo(child.pid),
          20_000,
          () => `andon blocked opening ${fifo}; stderr: ${child.stderr()}`,
        );
        assert.equal(child.stderr(), '', 'andon printed nothing yet');
        assert.ok(running(child));
        child.kill(signal);
        const exit = await within(child.exited, 10_000, `andon to end after one ${signal}`);
        assert.equal(exit.status, status, exit.stderr);
        assert.equal(exit.signal, signal, 'it dies of the signal');
        assert.equal(exit.stdout, '');
        assert.doesNotMatch(exit.stderr, STACK);
        assert.doesNotMatch(exit.stderr, /second signal/);
      } finally {
        endLeftovers(child, []);
      }
    });
  }
});

describe('a closed standard output (| head) ends andon quietly, as SIGPIPE', () => {
  // Every command has its {}: without one, andon (as GNU parallel) appends the value, and
  // `seq 1 100000 1` prints one line, which head may take without andon ever meeting the closed
  // pipe. Each job here writes far more than a pipe holds, so andon's write must fail.
  const cases: { name: string; args: (pids: string) => string; head: number }[] = [
    {
      name: "-j 2 --line-buffer 'yes {}' ::: 1 2 | head -2",
      args: (pids) => `-j 2 --line-buffer ${sq(`echo $$ >> ${sq(pids)}; exec yes {}`)} ::: 1 2`,
      head: 2,
    },
    {
      name: "-j 2 'seq 1 100000 # {}' ::: 1 2 3 4 | head -1",
      args: (pids) => `-j 2 ${sq(`echo $$ >> ${sq(pids)}; exec seq 1 100000 # {}`)} ::: 1 2 3 4`,
      head: 1,
    },
    {
      name: "-k -j 2 'seq 1 100000 # {}' ::: 1 2 3 4 | head -1",
      args: (pids) => `-k -j 2 ${sq(`echo $$ >> ${sq(pids)}; exec seq 1 100000 # {}`)} ::: 1 2 3 4`,
      head: 1,
    },
    {
      name: "--tag -j 2 'seq 1 100000 # {}' ::: 1 2 3 4 | head -1",
      args: (pids) => `--tag -j 2 ${sq(`echo $$ >> ${sq(pids)}; exec seq 1 100000 # {}`)} ::: 1 2 3 4`,
      head: 1,
    },
    {
      name: "-k --line-buffer 'yes {}' ::: 1 2 | head -2",
      args: (pids) => `-k -j 2 --line-buffer ${sq(`echo $$ >> ${sq(pids)}; exec yes {}`)} ::: 1 2`,
      head: 2,
    },
    {
      name: "--tag --line-buffer 'yes {}' ::: 1 2 | head -2",
      args: (pids) => `--tag -j 2 --line-buffer ${sq(`echo $$ >> ${sq(pids)}; exec yes {}`)} ::: 1 2`,
      head: 2,
    },
    {
      // One job: the closed pipe is met by the run's last write, as the run ends.
      name: "-j 1 'seq 1 100000 # {}' ::: 1 | head -1",
      args: (pids) => `-j 1 ${sq(`echo $$ >> ${sq(pids)}; exec seq 1 100000 # {}`)} ::: 1`,
      head: 1,
    },
    {
      // Jobs that would outlive andon by 30 s unless andon ends them.
      name: "--line-buffer 'seq 1 10000; sleep 30 # {}' ::: 1 2 | head -1",
      args: (pids) => `-j 2 --line-buffer ${sq(`echo $$ >> ${sq(pids)}; seq 1 10000; exec sleep 30 # {}`)} ::: 1 2`,
      head: 1,
    },
    {
      // Grouped: the first job's output closes the pipe while the second sleeps.
      name: "'seq 1 100000; sleep {}' ::: 0 30 30 30 | head -1",
      args: (pids) => `-j 2 ${sq(`echo $$ >> ${sq(pids)}; seq 1 100000; exec sleep {}`)} ::: 0 30 30 30`,
      head: 1,
    },
  ];
  for (const { name, args, head } of cases) {
    it(`andon ${name}: status 141, no stack trace, no job left`, { timeout: 60_000 }, async () => {
      const dir = scratch('head');
      const pids = join(dir, 'pids');
      try {
        const exit = await within(
          bash(`${ANDON} ${args(pids)} | head -${head}; echo status=$?`),
          30_000,
          'the pipeline to end',
        );
        const lines = exit.stdout.split('\n').slice(0, -1);
        assert.equal(lines.at(-1), 'status=141', `${exit.stdout}\n${exit.stderr}`);
        assert.equal(lines.length, head + 1, 'head printed its lines');
        assert.doesNotMatch(exit.stderr, STACK);
        const jobs = pidsIn(pids);
        assert.ok(jobs.length >= 1, 'the jobs recorded their pids');
        assert.deepEqual(jobs.filter(isAlive), [], 'every job ended before andon did');
      } finally {
        endLeftovers(undefined, pidsIn(pids));
      }
    });
  }

  it('a slow reader still gets every line: andon waits for its writes before it exits', {
    timeout: 60_000,
  }, async () => {
    // The reader starts late (a slow consumer), so andon's 1.3 MB outlasts the pipe's buffer
    // and is still being written when the run is over.
    const exit = await within(
      bash(`${ANDON} ${sq('seq 1 200000 # {}')} ::: 1 | (sleep 0.5; wc -l); echo status=$?`),
      30_000,
      'the pipeline to end',
    );
    assert.equal(exit.stdout, '200000\nstatus=0\n', exit.stderr);
  });

  it('a main() script with progress: true, piped to head -1: status 141, no stack trace', {
    timeout: 60_000,
  }, async () => {
    const exit = await within(
      bash(`${sq(process.execPath)} ${sq(fixture('edge-main-pipe.js'))} | head -1; echo status=$?`),
      30_000,
      'the pipeline to end',
    );
    assert.equal(exit.stdout, 'task 1 line 1\nstatus=141\n', exit.stderr);
    assert.doesNotMatch(exit.stderr, STACK);
    assert.match(exit.stderr, /\(interrupted by SIGPIPE, forced\)/);
  });

  it('the same with its progress line up on a real terminal', { timeout: 60_000, skip: noTerminal }, async () => {
    // stderr is the terminal here, so the progress line is drawn (stdout is the pipe).
    const line = `${sq(process.execPath)} ${sq(fixture('edge-main-pipe.js'))} | head -1; echo __PIPE_\${PIPESTATUS[0]}__`;
    const terminal = new Terminal(`bash -c ${sq(line)}`);
    try {
      const screen = (await terminal.waitFor(/__EXIT_\d+__/, 30_000)).join('\n');
      assert.match(screen, /__PIPE_141__/, screen);
      // head writes to the terminal behind the progress line's back, so its line may follow
      // the bar's last drawing on the screen: only that it printed is checked.
      assert.match(screen, /task 1 line 1$/m);
      assert.match(
        screen,
        /^andon: 0 done, 0 failed, 2 cancelled \(2 abandoned\).*\(interrupted by SIGPIPE, forced\)$/m,
      );
      assert.doesNotMatch(screen, STACK);
    } finally {
      terminal.close();
    }
  });
});

describe('the repeat window: one press delivered twice', () => {
  it('two SIGINTs within a few ms do not force; a later one does, and the status is 130', {
    timeout: 60_000,
  }, async () => {
    const dir = scratch('repeat');
    const pids = join(dir, 'pids');
    // The job ignores SIGINT and the grace is an hour: only a force ends this run.
    const job = `trap "" INT; echo $$ >> ${sq(pids)}; sleep 30; echo done`;
    const child = startAndon(['--grace', '3600', job, ':::', '1']);
    try {
      await waitUntil(
        () => pidsIn(pids).length === 1,
        20_000,
        () => `the job started; stderr: ${child.stderr()}`,
      );
      const [jobPid] = pidsIn(pids);
      const first = performance.now();
      child.kill('SIGINT');
      // A few ms apart, so that the kernel delivers them as two signals, not one pending.
      await delay(3);
      child.kill('SIGINT');
      const gap = performance.now() - first;
      assert.ok(gap < REPEAT_WINDOW_MS, `the test sent the two signals ${gap} ms apart, not within the window`);
      await child.waitForStderrLine('SIGINT received, stopping');
      // Asserts that nothing happens during a period, which needs one: a force would have
      // written its notice and ended the job within milliseconds; half a second is generous.
      await delay(500);
      assert.doesNotMatch(child.stderr(), /second signal/, child.stderr());
      assert.ok(running(child), 'andon still waits for the job');
      assert.ok(isAlive(jobPid!), 'the job (which ignores SIGINT) still runs');
      await afterRepeatWindow();
      child.kill('SIGINT');
      const exit = await within(child.exited, 20_000, 'andon to end after the second press');
      assert.equal(exit.status, 130, exit.stderr);
      assert.equal(exit.signal, 'SIGINT');
      assert.match(exit.stderr, /second signal \(SIGINT\), forcing stop of 1 running task/);
      assert.equal(exit.stderr.match(/second signal/g)?.length, 1);
      assert.doesNotMatch(exit.stderr, STACK);
      assert.ok(!isAlive(jobPid!), 'the forced job is gone');
    } finally {
      endLeftovers(child, pidsIn(pids));
    }
  });
});

describe('signals during wind-down', () => {
  it('SIGINT then SIGTERM 20 ms later around the end of a run: 0 or 130, never 143', {
    timeout: 120_000,
  }, async (t) => {
    // How long `andon true ::: 1` takes here, start to exit (the median of three).
    const durations: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const exit = await within(startAndon(['true', ':::', '1']).exited, 20_000, 'a plain run');
      assert.equal(exit.status, 0, exit.stderr);
      durations.push(performance.now() - started);
    }
    const typical = durations.sort((a, b) => a - b)[1]!;
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      // From well before the end (during start-up or the run) to after it, densest near the end.
      const offset = typical * (i < 5 ? 0.3 + i * 0.1 : 0.75 + (i - 5) * 0.02);
      const child = startAndon(['true', ':::', '1']);
      try {
        await delay(offset);
        // Through the ChildProcess, which sends nothing once the child has been reaped.
        if (running(child)) child.process.kill('SIGINT');
        await delay(20);
        if (running(child)) child.process.kill('SIGTERM');
        const exit = await within(child.exited, 20_000, `andon to end (offset ${offset} ms)`);
        statuses.push(exit.status);
        assert.ok(
          exit.status === 0 || exit.status === 130,
          `offset ${offset.toFixed(0)} ms: status ${exit.status}, not 0 (done) or 130 (the first signal's)\n${exit.stderr}`,
        );
        assert.doesNotMatch(exit.stderr, STACK, `offset ${offset.toFixed(0)} ms`);
      } finally {
        endLeftovers(child, []);
      }
    }
    t.diagnostic(`run ${typical.toFixed(0)} ms; statuses ${statuses.join(' ')}`);
    assert.ok(statuses.includes(130), 'some signal came before the end');
  });
});
