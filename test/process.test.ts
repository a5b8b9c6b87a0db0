/** Command pools: real processes, real process groups, real signals. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdtempSync,
  readdirSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CommandFailedError,
  createPool,
  OptionError,
  SpawnError,
  TimeoutError,
  type CommandResult,
  type CommandSpec,
  type Pool,
  type TaskResult,
} from '../src/index.js';
import { signalGroup } from '../src/run/process/group.js';
import { OutputFiles, openNamedDeleted } from '../src/run/process/output-files.js';
import { fixture, startNode } from './helpers/child.js';
import { openFifo } from './helpers/fifo.js';
import { isAlive, jobPids, waitUntilGone } from './helpers/processes.js';

const pools: Pool<never, unknown>[] = [];
const dir = mkdtempSync(join(tmpdir(), 'andon-process-'));
after(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  rmSync(dir, { recursive: true, force: true });
});

type Options = Omit<Parameters<typeof createPool<string>>[0], 'onResult'>;

function commandPool(options: Options) {
  const results: TaskResult<string, CommandResult>[] = [];
  let output = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const pool = createPool<string>({
    ...options,
    onResult: (r) => results.push(r),
    onOutput: (chunk) => {
      output += chunk.toString();
      for (const waiter of waiters.filter(
        (w) => output.split('\n').filter((line) => line.startsWith(w.text)).length > 0,
      ))
        waiter.resolve();
    },
  });
  pools.push(pool as unknown as Pool<never, unknown>);
  /** Resolves once `count` output lines start with `text`: the jobs' own handshake. */
  const outputLines = async (text: string, count: number): Promise<string[]> => {
    const matching = () => output.split('\n').filter((line) => line.startsWith(text));
    while (matching().length < count) await new Promise<void>((resolve) => waiters.push({ text, resolve }));
    return matching();
  };
  return { pool, results, output: () => output, outputLines };
}

describe('command pools: running', () => {
  it('fills replacement strings into argv elements, without a shell', async () => {
    const { pool, results } = commandPool({
      concurrency: 2,
      command: ['printf', '%s|%s|%s|%s\\n', '{}', '{.}', '{/}', '{#}'],
    });
    await pool.run(['/tmp/a b.tar.gz']);
    assert.ok(results[0]?.status === 'done');
    assert.equal(results[0].value.stdout, '/tmp/a b.tar.gz|/tmp/a b.tar|a b.tar.gz|1\n');
    assert.equal(results[0].value.exitCode, 0);
    assert.equal(results[0].value.command, "printf '%s|%s|%s|%s\\n' '/tmp/a b.tar.gz' '/tmp/a b.tar' 'a b.tar.gz' 1");
  });

  it('appends the item when the command has no replacement string', async () => {
    const { pool, results } = commandPool({ concurrency: 1, command: ['echo', 'got'] });
    await pool.run(['x y']);
    assert.ok(results[0]?.status === 'done' && results[0].value.stdout === 'got x y\n');
  });

  it('a shell line keeps each value one argument, whatever it holds', async () => {
    const { pool, results } = commandPool({ concurrency: 1, command: "printf '[%s]\\n' pre {} post", shell: true });
    await pool.run(['two words', "it's $HOME"]);
    assert.deepEqual(
      results.map((r) => (r.status === 'done' ? r.value.stdout : r.status)),
      ['[pre]\n[two words]\n[post]\n', "[pre]\n[it's $HOME]\n[post]\n"],
    );
  });

  it('{#} counts jobs and {%} stays within the slots', async () => {
    const { pool, results } = commandPool({ concurrency: 3, command: ['echo', '{#}', '{%}'] });
    await pool.run(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    const pairs = results.map((r) => (r.status === 'done' ? r.value.stdout.trim().split(' ').map(Number) : [0, 0]));
    assert.deepEqual(
      pairs.map(([seq]) => seq).sort((a, b) => a! - b!),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.ok(
      pairs.every(([, slot]) => slot! >= 1 && slot! <= 3),
      JSON.stringify(pairs),
    );
  });

  it('a command function may build each job', async () => {
    const { pool, results } = commandPool({
      concurrency: 1,
      command: (item, { seq }) => ({ argv: ['echo', `${seq}:${item}`], cwd: dir }),
    });
    await pool.run(['x']);
    assert.ok(results[0]?.status === 'done' && results[0].value.stdout === '1:x\n');
  });

  it('a non-zero exit fails the job with the result attached', async () => {
    const { pool, results } = commandPool({ concurrency: 1, command: 'echo out; echo err >&2; exit 3', shell: true });
    const summary = await pool.run(['x']);
    assert.equal(summary.failed, 1);
    const error = results[0]?.status === 'failed' ? results[0].error : undefined;
    assert.ok(error instanceof CommandFailedError);
    assert.equal(error.result.exitCode, 3);
    assert.equal((error.result as CommandResult).stdout, 'out\n');
    assert.equal((error.result as CommandResult).stderr, 'err\n');
    assert.match(error.message, /^Command failed with exit code 3: echo out; echo err >&2; exit 3 x$/);
  });

  it('caps captured output and says so', async () => {
    const { pool, results } = commandPool({
      concurrency: 1,
      command: ['head', '-c', '{}', '/dev/zero'],
      maxBuffer: 1000,
    });
    await pool.run(['100000']);
    const result = results[0]?.status === 'done' ? results[0].value : undefined;
    assert.ok(result);
    assert.equal(result.stdout.length, 1000);
    assert.equal(result.stdoutBytes, 100000);
    assert.equal(result.truncated, true);
  });
});

describe('command pools: commands that cannot start', () => {
  it('a missing command is a one-line error for that job; the run carries on', async () => {
    const { pool, results } = commandPool({ concurrency: 1, command: (item) => ({ argv: [item] }) });
    const summary = await pool.run(['andon-no-such-command', 'true']);
    assert.equal(summary.failed, 1);
    assert.equal(summary.done, 1);
    const error = results.find((r) => r.status === 'failed');
    assert.ok(error?.status === 'failed' && error.error instanceof SpawnError);
    assert.equal(error.error.message, 'Command not found: `andon-no-such-command`; check its name and your PATH');
  });

  it('a file that is not executable', async () => {
    const script = join(dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const { pool, results } = commandPool({ concurrency: 1, command: [script] });
    await pool.run(['x']);
    assert.ok(results[0]?.status === 'failed');
    assert.match(
      results[0].error.message,
      /^Command is not executable: `.*not-executable\.sh`; check its permissions \(chmod \+x\)$/,
    );
  });

  it('a working directory that does not exist', async () => {
    const { pool, results } = commandPool({ concurrency: 1, command: ['true'], cwd: join(dir, 'missing') });
    await pool.run(['x']);
    assert.ok(results[0]?.status === 'failed');
    assert.match(results[0].error.message, /^Working directory does not exist: .*missing; create it or fix `cwd`$/);
  });
});

describe('command pools: stopping', () => {
  it('a graceful stop sends SIGINT to each job; jobs that exit on it are cancelled', async () => {
    const { pool, results, outputLines } = commandPool({
      concurrency: 2,
      command: ['sh', '-c', 'echo "job $$"; exec sleep 300'],
    });
    const running = pool.run(['a', 'b', 'c']);
    const pids = jobPids((await outputLines('job', 2)).join('\n'));
    pool.stop();
    const summary = await running;
    assert.equal(summary.cancelled, 2);
    assert.equal(summary.forced, false);
    assert.ok(
      results.every((r) => r.status === 'cancelled' && (r.error as CommandFailedError).result.signal === 'SIGINT'),
    );
    assert.ok(!pids.some(isAlive));
  });

  it('the whole process group goes, not just the shell', async () => {
    // A non-interactive shell starts background jobs with SIGINT ignored, so the graceful
    // SIGINT cannot end them; the termination sequence after the grace period must.
    const { pool, outputLines } = commandPool({
      concurrency: 1,
      grace: 50,
      command: ['sh', '-c', 'sleep 300 & echo "job $!"; echo "job $$"; wait'],
    });
    const running = pool.run(['a']);
    const pids = jobPids((await outputLines('job', 2)).join('\n'));
    assert.equal(pids.length, 2);
    pool.stop();
    await running;
    assert.deepEqual(pids.filter(isAlive), []);
  });

  it('a job that ignores SIGINT and SIGTERM is still gone within the termination sequence', async () => {
    const { pool, results, outputLines } = commandPool({
      concurrency: 1,
      grace: 20,
      command: ['sh', '-c', 'trap "" INT TERM; echo "job $$"; sleep 300'],
    });
    const running = pool.run(['a']);
    const pids = jobPids((await outputLines('job', 1)).join('\n'));
    pool.stop();
    const summary = await running;
    assert.equal(summary.forced, true);
    assert.ok(
      results[0]?.status === 'cancelled' && (results[0].error as CommandFailedError).result.signal === 'SIGKILL',
    );
    assert.deepEqual(pids.filter(isAlive), []);
  });

  it('stopSignal: null lets running jobs finish; they still count as cancelled but keep their result', async () => {
    const { pool, results, outputLines } = commandPool({
      concurrency: 1,
      stopSignal: null,
      command: ['sh', '-c', 'echo "job $$"; sleep 0.2; echo finished'],
    });
    const running = pool.run(['a', 'b']);
    await outputLines('job', 1);
    pool.stop();
    const summary = await running;
    assert.equal(summary.taken, 1, 'the second job never started');
    const [result] = results;
    assert.ok(result?.status === 'cancelled');
    assert.equal(result.error, undefined, 'it was not interrupted');
    assert.match(result.value?.stdout ?? '', /finished/);
  });

  it('a timeout runs the termination sequence and fails the job with TimeoutError', async () => {
    const { pool, results } = commandPool({ concurrency: 1, timeout: 50, command: ['sleep', '{}'] });
    const summary = await pool.run(['300']);
    assert.equal(summary.failed, 1);
    assert.ok(results[0]?.status === 'failed' && results[0].error instanceof TimeoutError);
  });

  it('close() ends processes a job left behind in its group', async () => {
    const { pool, outputLines } = commandPool({
      concurrency: 1,
      command: ['sh', '-c', 'sleep 300 > /dev/null 2>&1 & echo "job $!"'],
    });
    await pool.run(['a']);
    const [pid] = jobPids((await outputLines('job', 1)).join('\n'));
    assert.ok(pid !== undefined && isAlive(pid), 'the background sleep outlived its shell');
    await pool.close();
    assert.equal(isAlive(pid), false);
  });

  it('kill -9 of the parent: the watchdog removes every job within a second or two', async () => {
    const child = startNode(fixture('command-pool-child.js'));
    await child.waitForLines(/^job \d+$/, 4);
    const pids = jobPids(child.stdout());
    assert.equal(pids.length, 4);
    child.kill('SIGKILL');
    await child.exited;
    // The watchdog sends TERM, waits up to 200 ms, then KILL. 2 s leaves room for a loaded CI.
    const took = await waitUntilGone(pids, 2_000);
    assert.ok(took < 2_000);
  });
});

/** Resolves once `condition` holds, polling every 10 ms; rejects after `ms`. */
async function waitUntil(condition: () => boolean, ms: number, what: string): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('command pools: output through temporary files (liveOutput: false)', () => {
  function filePool(options: Omit<Options, 'liveOutput'>) {
    const results: TaskResult<string, CommandResult>[] = [];
    const pool = createPool<string>({ ...options, liveOutput: false, onResult: (r) => results.push(r) });
    pools.push(pool as unknown as Pool<never, unknown>);
    return { pool, results };
  }
  const resultOf = (r: TaskResult<string, CommandResult> | undefined): CommandResult | undefined =>
    r?.status === 'done' ? r.value : (r as { error?: { result?: CommandResult } } | undefined)?.error?.result;

  it('hands on every byte of stdout and stderr, binary and large, in pieces of at most 1 MiB', async () => {
    const out = randomBytes(3 * 1024 * 1024 + 17);
    const err = randomBytes(100_003);
    writeFileSync(join(dir, 'out.bin'), out);
    writeFileSync(join(dir, 'err.bin'), err);
    const chunks: { stream: string; chunk: Buffer }[] = [];
    const { pool, results } = filePool({
      concurrency: 1,
      command: () => ({ argv: ['sh', '-c', `cat ${join(dir, 'out.bin')}; cat ${join(dir, 'err.bin')} >&2`] }),
      onOutput: (chunk, stream) => chunks.push({ stream, chunk }),
    });
    await pool.run(['x']);
    const result = resultOf(results[0]);
    assert.ok(results[0]?.status === 'done' && result !== undefined);
    const of = (stream: string) => Buffer.concat(chunks.filter((c) => c.stream === stream).map((c) => c.chunk));
    assert.ok(of('stdout').equals(out), 'stdout byte for byte');
    assert.ok(of('stderr').equals(err), 'stderr byte for byte');
    assert.ok(chunks.every((c) => c.chunk.length <= 1024 * 1024));
    assert.deepEqual(
      [...new Set(chunks.map((c) => c.stream))],
      ['stdout', 'stderr'],
      'all of stdout, then all of stderr',
    );
    assert.equal(result.stdout, out.toString('utf8'));
    assert.equal(result.stderr, err.toString('utf8'));
    assert.equal(result.stdoutBytes, out.length);
    assert.equal(result.stderrBytes, err.length);
    assert.equal(result.truncated, false);
  });

  it("onOutput gets a job's output once its process has exited", async () => {
    const alive: boolean[] = [];
    const { pool } = filePool({
      concurrency: 2,
      command: ['sh', '-c', 'echo $$'],
      onOutput: (chunk) => alive.push(isAlive(Number(chunk.toString()))),
    });
    await pool.run(['a', 'b', 'c']);
    assert.deepEqual(alive, [false, false, false]);
  });

  it('maxBuffer caps what results keep, not what onOutput sees; bytes are counted either way', async () => {
    let seen = 0;
    const capped = filePool({
      concurrency: 1,
      maxBuffer: 1000,
      command: ['head', '-c', '{}', '/dev/zero'],
      onOutput: (chunk) => (seen += chunk.length),
    });
    const uncounted = filePool({ concurrency: 1, maxBuffer: 0, command: ['head', '-c', '{}', '/dev/zero'] });
    const small = filePool({ concurrency: 1, maxBuffer: 1000, command: ['head', '-c', '{}', '/dev/zero'] });
    await capped.pool.run(['100000']);
    await uncounted.pool.run(['70000']);
    await small.pool.run(['999']);
    const [a, b, c] = [resultOf(capped.results[0]), resultOf(uncounted.results[0]), resultOf(small.results[0])];
    assert.ok(a && b && c);
    assert.deepEqual([a.stdout.length, a.stdoutBytes, a.truncated, seen], [1000, 100000, true, 100000]);
    assert.deepEqual([b.stdout, b.stdoutBytes, b.truncated], ['', 70000, true]);
    assert.deepEqual([c.stdout.length, c.stdoutBytes, c.truncated], [999, 999, false]);
  });

  it('the files are deleted as soon as they are opened; their directory goes with the pool', async () => {
    const { pool, results } = filePool({
      concurrency: 1,
      command: ['sh', '-c', 'readlink /proc/self/fd/1; ls -A "$(dirname "$(readlink /proc/self/fd/2)")"'],
    });
    await pool.run(['x']);
    const [stdoutPath, ...listing] = resultOf(results[0])?.stdout.trim().split('\n') ?? [];
    assert.match(stdoutPath ?? '', /\/andon-watchdog-[^/]+\/[^/]+ \(deleted\)$/);
    assert.deepEqual(listing, ['groups'], "nothing but the watchdog's registry");
    await pool.close();
    const outputDir = stdoutPath!.replace(/\/[^/]*$/, '');
    // The watchdog removes the directory after andon's goodbye.
    await waitUntil(() => !existsSync(outputDir), 2_000, `${outputDir} removed`);
  });

  it('output files are private, appending, and have no name (O_TMPFILE, or named and deleted)', () => {
    const files = new OutputFiles(dir, 'probe');
    const named = openNamedDeleted(join(dir, 'named.out'));
    try {
      assert.deepEqual(
        readdirSync(dir).filter((name) => name.startsWith('probe') || name === 'named.out'),
        [],
      );
      for (const fd of [files.stdout, files.stderr, named]) {
        assert.equal(fstatSync(fd).mode & 0o777, 0o600);
        writeSync(fd, 'abc');
        // Appending: a write at position 0 still lands at the end.
        writeSync(fd, 'X', 0);
        const bytes = Buffer.alloc(8);
        assert.equal(bytes.toString('utf8', 0, readSync(fd, bytes, 0, 8, 0)), 'abcX');
      }
    } finally {
      files.close();
      closeSync(named);
    }
    assert.equal(files.open, false);
  });

  it("a stopped job's partial output is still in its result", async () => {
    const fifo = openFifo(dir, 'partial');
    try {
      const { pool, results } = filePool({
        concurrency: 1,
        command: ['sh', '-c', `echo partial; echo started > ${fifo.path}; exec sleep 300`],
      });
      const running = pool.run(['a']);
      await fifo.lines(1);
      pool.stop();
      const summary = await running;
      assert.equal(summary.cancelled, 1);
      const result = resultOf(results[0]);
      assert.equal(result?.signal, 'SIGINT');
      assert.equal(result?.stdout, 'partial\n');
    } finally {
      fifo.close();
    }
  });

  it('a job ends when its process exits, even if a background process holds its output; close() ends that one', async () => {
    // With pipes this job would last as long as the sleep, which keeps them open.
    const { pool, results } = filePool({ concurrency: 1, command: ['sh', '-c', 'sleep 300 & echo "job $!"'] });
    await pool.run(['a']);
    const [pid] = jobPids(resultOf(results[0])?.stdout ?? '');
    assert.ok(pid !== undefined && isAlive(pid), 'the background sleep outlived its shell');
    await pool.close();
    assert.equal(isAlive(pid), false);
  });

  it('leaves no descriptor open, whether jobs ran, failed, could not start or had no working directory', async () => {
    const commands: Record<string, CommandSpec> = {
      missing: { argv: ['andon-no-such-command'] },
      cwd: { argv: ['true'], cwd: join(dir, 'missing') },
    };
    const { pool, results } = filePool({
      concurrency: 3,
      command: (item) => commands[item] ?? { argv: ['sh', '-c', item] },
    });
    await pool.run(['true']);
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    const before = openFds();
    results.length = 0;
    const jobs = [
      'true',
      'echo out; echo err >&2; exit 3',
      'missing',
      'cwd',
      ...Array.from({ length: 10 }, (_, i) => `exit ${i % 2}`),
    ];
    await pool.run(jobs);
    assert.equal(results.length, jobs.length);
    const spawnErrors = results
      .flatMap((r) => (r.status === 'failed' && r.error instanceof SpawnError ? [r.error.message] : []))
      .sort();
    assert.equal(spawnErrors.length, 2);
    assert.match(spawnErrors[0]!, /^Command not found: `andon-no-such-command`/);
    assert.match(spawnErrors[1]!, /^Working directory does not exist: .*missing; create it or fix `cwd`$/);
    assert.equal(openFds(), before);
  });

  it('a missing command is still a one-line SpawnError', async () => {
    const { pool, results } = filePool({ concurrency: 1, command: (item) => ({ argv: [item] }) });
    await pool.run(['andon-no-such-command']);
    assert.ok(results[0]?.status === 'failed' && results[0].error instanceof SpawnError);
    assert.equal(results[0].error.message, 'Command not found: `andon-no-such-command`; check its name and your PATH');
  });
});

describe('process groups: signalGroup', () => {
  it("answers whether a group is there, refuses ids that are no job's group, and names bad signals", async () => {
    // Only signal 0 (a check that sends nothing) near the refused ids: kill(-1) would reach
    // every process the user may signal.
    assert.throws(() => signalGroup(1, 0), RangeError);
    assert.throws(() => signalGroup(0, 0), RangeError);
    assert.throws(() => signalGroup(-5, 0), RangeError);
    const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    const closed = new Promise((resolve) => child.on('close', resolve));
    const pid = child.pid!;
    assert.equal(signalGroup(pid, 0), true);
    assert.throws(() => signalGroup(pid, 'SIGNOPE' as NodeJS.Signals), { code: 'ERR_UNKNOWN_SIGNAL' });
    assert.equal(signalGroup(pid, 'SIGTERM'), true);
    await closed;
    assert.equal(signalGroup(pid, 0), false, 'gone once reaped');
  });
});

describe('command pools: bad options', () => {
  it('each gets a one-line error naming the fix', () => {
    assert.throws(
      () => createPool<string>({ command: 'echo {}' }),
      /A string `command` runs through the shell: pass `shell: true`/,
    );
    assert.throws(() => createPool<string>({ command: [] }), /Expected `command` to be a non-empty array of strings/);
    assert.throws(
      () => createPool<string>({ command: ['echo'], shell: true }),
      /`shell: true` needs a string `command`/,
    );
    assert.throws(() => createPool<string>({ command: ['echo', '{1'] }), /Unterminated replacement string `\{1`/);
    assert.throws(
      () => createPool<string>({ command: ['true'], termseq: 'TERM,abc' }),
      /Invalid wait `abc` in termination sequence/,
    );
    assert.throws(() => createPool<string>({ command: ['true'], termseq: 'NOPE,10' }), /Unknown signal `NOPE`/);
    assert.throws(
      () => createPool<string>({ command: ['true'], stopSignal: 'INT' as never }),
      /Expected `stopSignal` to be a signal name/,
    );
    assert.throws(
      () => createPool<string>({ command: ['true'], liveOutput: 'no' as never }),
      /Expected `liveOutput` to be true \(pipes: output as it comes\) or false/,
    );
    assert.throws(() => createPool<string>({ command: ['true'], task: () => 1 } as never), OptionError);
  });
});
