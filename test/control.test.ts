/**
 * `andon status` and `andon stop` against real runs in other processes, each test with a
 * registry directory of its own (XDG_RUNTIME_DIR), so the suite's other runs stay out of it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import { ANDON_BIN, runCommand, startAndon } from './helpers/cli.js';
import type { Child, Exit } from './helpers/child.js';
import type { RunStatus } from '../src/control/protocol.js';
import { createPool, listRuns, registerPool, stopRun } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'andon-control-'));
after(() => spawnSync('rm', ['-rf', root]));

/** A private runtime directory, as a login session has. */
function runtimeDir(): string {
  const dir = mkdtempSync(join(root, 'xdg-'));
  chmodSync(dir, 0o700);
  return dir;
}

function andonIn(xdg: string, args: string[]): Promise<Exit> {
  return runCommand(process.execPath, [ANDON_BIN, ...args], '', { XDG_RUNTIME_DIR: xdg });
}

async function statusIn(xdg: string): Promise<RunStatus[]> {
  const exit = await andonIn(xdg, ['status', '--json']);
  assert.equal(exit.code, 0, exit.stderr);
  return JSON.parse(exit.stdout) as RunStatus[];
}

/**
 * Waits until `andon status` lists the run of `child` in the state `test` wants. A run registers
 * as it starts, from its own event loop; there is no line to wait for, so this asks again until
 * it is so (bounded generously: a loaded 2-core machine may take seconds to start node).
 */
async function listedRun(xdg: string, child: Child, test: (run: RunStatus) => boolean): Promise<RunStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = (await statusIn(xdg)).find((candidate) => candidate.pid === child.pid);
    if (run !== undefined && test(run)) return run;
    if (Date.now() > deadline) throw new Error(`andon status never listed the run as wanted: ${JSON.stringify(run)}`);
  }
}

/** A run of four jobs: two end at once, two ignore the stop's signals and wait for a file (or 60 s). */
function heldRun(xdg: string, dir: string): Child {
  const job = `echo started {}; trap "" TERM INT HUP; [ {} = 0 ] || [ -e ${dir}/released ] || sleep 60`;
  return startAndon(['-u', '-j', '2', '--grace', '60', '--joblog', join(dir, 'log'), job, ':::', '0', '0', '1', '2'], {
    XDG_RUNTIME_DIR: xdg,
  });
}

describe('andon status and andon stop', () => {
  it('lists a run in another process with its counts, and stops it as Ctrl+C would: graceful, then forced', async () => {
    const xdg = runtimeDir();
    const dir = mkdtempSync(join(root, 'run-'));
    const child = heldRun(xdg, dir);
    await child.waitForLines(/^started [12]$/, 2);
    const run = await listedRun(xdg, child, (listed) => listed.counts.done === 2);
    assert.deepEqual(
      { ...run.counts, state: run.state },
      { done: 2, failed: 0, running: 2, settled: 2, skipped: 0, total: 4, state: 'running' },
    );
    assert.match(run.command, /^andon -u -j 2 --grace 60 --joblog .* ::: 0 0 1 2$/);
    const text = await andonIn(xdg, ['status']);
    assert.match(
      text.stdout,
      new RegExp(`^${run.id}  pid ${child.pid}@\\S+  up .*2 done, 0 failed, 2 running, 0 left`),
    );

    // The first stop is graceful: the jobs ignore SIGTERM, so the run waits out its grace.
    const first = await andonIn(xdg, ['stop', run.id.slice(0, 5)]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`^andon: run ${run.id} \\(pid ${child.pid}\\) is stopping`));
    await child.waitForStderrLine(/^andon: stopped by andon stop from \S+, pid \d+$/);
    await child.waitForStderrLine(/^andon: SIGTERM received, stopping: .*; andon stop again or Ctrl\+C here to force$/);
    await listedRun(xdg, child, (listed) => listed.state === 'stopping' && listed.counts.running === 2);

    // The second forces.
    const second = await andonIn(xdg, ['stop', run.id]);
    assert.match(second.stderr, /is forcing its jobs to stop/);
    const exit = await child.exited;
    assert.equal(exit.status, 143, exit.stderr);
    assert.match(exit.stderr, /to run the rest: andon --resume .*--joblog/);
    assert.deepEqual(await statusIn(xdg), [], 'an ended run is not listed');
    assert.deepEqual(readdirSync(join(xdg, 'andon')), [], 'and leaves nothing behind');

    // The job log holds the two that finished; a resume runs exactly the other two.
    const logged = readFileSync(join(dir, 'log'), 'utf8').trim().split('\n').slice(1);
    assert.equal(logged.length, 2);
    writeFileSync(join(dir, 'released'), '');
    const job = `echo started {}; trap "" TERM INT HUP; [ {} = 0 ] || [ -e ${dir}/released ] || sleep 60`;
    const resumed = await andonIn(xdg, [
      '--resume',
      '-j',
      '2',
      '--joblog',
      join(dir, 'log'),
      job,
      ':::',
      '0',
      '0',
      '1',
      '2',
    ]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(resumed.stdout.split('\n').sort(), ['', 'started 1', 'started 2']);
  });

  it('--force forces at once, and --all reaches every run', async () => {
    const xdg = runtimeDir();
    const runs = [heldRun(xdg, mkdtempSync(join(root, 'run-'))), heldRun(xdg, mkdtempSync(join(root, 'run-')))];
    for (const child of runs) await listedRun(xdg, child, (listed) => listed.counts.running === 2);
    const stop = await andonIn(xdg, ['stop', '--all', '--force']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stderr.match(/is forcing its jobs to stop/g)?.length, 2, stop.stderr);
    for (const child of runs) assert.equal((await child.exited).status, 143);
  });

  it('--all says which run did not take the stop (one suspended with SIGSTOP), and exits 1', async () => {
    const xdg = runtimeDir();
    const [going, suspended] = [
      heldRun(xdg, mkdtempSync(join(root, 'run-'))),
      heldRun(xdg, mkdtempSync(join(root, 'run-'))),
    ];
    for (const child of [going, suspended]) await listedRun(xdg, child, (listed) => listed.counts.running === 2);
    const frozen = (await statusIn(xdg)).find((run) => run.pid === suspended.pid)!;
    // Its socket still takes the connection (the kernel does), but nothing answers: 5 s, then unanswered.
    suspended.kill('SIGSTOP');
    try {
      const stop = await andonIn(xdg, ['stop', '--all', '--force']);
      assert.equal(stop.code, 1, stop.stderr);
      assert.match(stop.stderr, /is forcing its jobs to stop$/m);
      assert.match(
        stop.stderr,
        new RegExp(
          `^andon: run ${frozen.id} \\(pid ${suspended.pid}\\) did not take the stop: the run at \\S+ did not answer$`,
          'm',
        ),
      );
      assert.equal((await going.exited).status, 143);
    } finally {
      suspended.kill('SIGCONT');
      suspended.kill('SIGKILL');
      await suspended.exited;
    }
  });

  it('does not list a run killed with kill -9, and removes what it left', async () => {
    const xdg = runtimeDir();
    const child = heldRun(xdg, mkdtempSync(join(root, 'run-')));
    const run = await listedRun(xdg, child, () => true);
    assert.ok(existsSync(join(xdg, 'andon', `${run.id}.json`)));
    child.kill('SIGKILL');
    await child.exited;
    assert.deepEqual(await statusIn(xdg), []);
    assert.equal(existsSync(join(xdg, 'andon', `${run.id}.json`)), false);
    const stop = await andonIn(xdg, ['stop', run.id]);
    assert.equal(stop.code, 255);
    assert.match(stop.stderr, new RegExp(`^andon: No run ${run.id} in progress`));
  });

  const setpriv = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim();
  const asRoot = process.getuid?.() === 0;
  it('is invisible to another user, who can neither list nor stop it', {
    skip: asRoot && setpriv !== '' ? false : 'needs root and setpriv to run a check as another user',
  }, async () => {
    const xdg = runtimeDir();
    const child = heldRun(xdg, mkdtempSync(join(root, 'run-')));
    const run = await listedRun(xdg, child, (listed) => listed.counts.running === 2);
    const asNobody = (args: string[]): Promise<Exit> =>
      runCommand(
        setpriv,
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ANDON_BIN, ...args],
        '',
        {
          XDG_RUNTIME_DIR: xdg,
        },
      );
    for (const args of [['status'], ['stop', run.id]]) {
      const exit = await asNobody(args);
      assert.equal(exit.code, 255, `${args.join(' ')}: ${exit.stdout}${exit.stderr}`);
      assert.doesNotMatch(exit.stdout, new RegExp(run.id));
    }
    // Its own directory elsewhere lists none of this user's runs.
    const own = await runCommand(
      setpriv,
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ANDON_BIN, 'status', '--json'],
      '',
      {
        XDG_RUNTIME_DIR: '',
      },
    );
    assert.equal(own.stdout, '[]\n', own.stderr);
    assert.equal((await statusIn(xdg))[0]?.state, 'running', 'the run went on untouched');
    await andonIn(xdg, ['stop', '--force', run.id]);
    assert.equal((await child.exited).status, 143);
  });

  it('refuses bad input with one line', async () => {
    const xdg = runtimeDir();
    const cases: [string[], RegExp][] = [
      [['stop'], /^andon: andon stop needs one run id \(andon status lists them\)/],
      [['stop', 'a', 'b'], /^andon: andon stop needs one run id/],
      [['stop', '--all', 'abc'], /^andon: andon stop --all stops every run; leave out abc$/],
      [
        ['stop', 'nosuchrun'],
        /^andon: No run nosuchrun in progress \(of yours, on this machine\); andon status lists them$/,
      ],
      [
        ['status', 'abc'],
        /^andon: andon status takes no run; usage: andon status \[--json\] \[--redis URL \[--queue NAME\]\]$/,
      ],
      [
        ['status', '--jsn'],
        /^andon: Unknown option --jsn; did you mean --json\?; usage: andon status \[--json\] \[--redis/,
      ],
      [['serve', '1', '2'], /^andon: andon serve takes one port at most, not 1 2; usage: andon serve/],
    ];
    for (const [args, expected] of cases) {
      const exit = await andonIn(xdg, args);
      assert.equal(exit.code, 255, args.join(' '));
      assert.match(exit.stderr.trimEnd(), expected, args.join(' '));
      assert.equal(exit.stderr.split('\n').length, 2, `one line: ${exit.stderr}`);
    }
    chmodSync(join(xdg, 'andon'), 0o755);
    const open = await andonIn(xdg, ['status']);
    assert.equal(open.code, 255);
    assert.match(
      open.stderr,
      /^andon: .*\/andon is not private to you \(owner 0, mode 755\); remove it, or set XDG_RUNTIME_DIR/,
    );
  });

  it('lists a library pool registered with registerPool, and stopRun stops it as pool.stop() does', async () => {
    const xdg = runtimeDir();
    const env = { XDG_RUNTIME_DIR: xdg };
    const started: number[] = [];
    const pool = createPool({
      concurrency: 2,
      task: async (n: number, stop) => {
        started.push(n);
        await stop.sleep(60_000);
        return n;
      },
    });
    const unregister = registerPool(pool, { name: 'nightly import', env });
    const run = pool.run([1, 2, 3]);
    // The registration is written once its socket listens: asked for until then, each time
    // after the event loop's I/O has had its turn (an empty listing settles at once).
    let listed: RunStatus | undefined;
    while (listed === undefined || listed.counts.running < 2) {
      await setImmediate();
      [listed] = await listRuns(env);
    }
    assert.equal(listed.id, pool.id);
    assert.equal(listed.command, 'nightly import');
    assert.equal(listed.pid, process.pid);
    const answer = await stopRun(listed.id.slice(0, 6), { env });
    assert.equal(answer.state, 'stopping');
    const summary = await run;
    assert.equal(summary.stopReason, 'stop');
    assert.deepEqual(started.sort(), [1, 2], 'no task started after the stop');
    assert.deepEqual(await listRuns(env), []);
    unregister();
  });
});
