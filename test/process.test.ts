/** Command pools: real processes, real process groups, real signals. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CommandFailedError, createPool, OptionError, SpawnError, TimeoutError, type CommandResult, type Pool, type TaskResult } from '../src/index.js';
import { fixture, startNode } from './helpers/child.js';
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
      for (const waiter of waiters.filter((w) => output.split('\n').filter((line) => line.startsWith(w.text)).length > 0)) waiter.resolve();
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
    const { pool, results } = commandPool({ concurrency: 2, command: ['printf', '%s|%s|%s|%s\\n', '{}', '{.}', '{/}', '{#}'] });
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
    await pool.run(["two words", "it's $HOME"]);
    assert.deepEqual(results.map((r) => (r.status === 'done' ? r.value.stdout : r.status)), ['[pre]\n[two words]\n[post]\n', "[pre]\n[it's $HOME]\n[post]\n"]);
  });

  it('{#} counts jobs and {%} stays within the slots', async () => {
    const { pool, results } = commandPool({ concurrency: 3, command: ['echo', '{#}', '{%}'] });
    await pool.run(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    const pairs = results.map((r) => (r.status === 'done' ? r.value.stdout.trim().split(' ').map(Number) : [0, 0]));
    assert.deepEqual(pairs.map(([seq]) => seq).sort((a, b) => a! - b!), [1, 2, 3, 4, 5, 6, 7]);
    assert.ok(pairs.every(([, slot]) => slot! >= 1 && slot! <= 3), JSON.stringify(pairs));
  });

  it('a command function may build each job', async () => {
    const { pool, results } = commandPool({ concurrency: 1, command: (item, { seq }) => ({ argv: ['echo', `${seq}:${item}`], cwd: dir }) });
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
    const { pool, results } = commandPool({ concurrency: 1, command: ['head', '-c', '{}', '/dev/zero'], maxBuffer: 1000 });
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
    assert.match(results[0].error.message, /^Command is not executable: `.*not-executable\.sh`; check its permissions \(chmod \+x\)$/);
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
    const { pool, results, outputLines } = commandPool({ concurrency: 2, command: ['sh', '-c', 'echo "job $$"; exec sleep 300'] });
    const running = pool.run(['a', 'b', 'c']);
    const pids = jobPids((await outputLines('job', 2)).join('\n'));
    pool.stop();
    const summary = await running;
    assert.equal(summary.cancelled, 2);
    assert.equal(summary.forced, false);
    assert.ok(results.every((r) => r.status === 'cancelled' && (r.error as CommandFailedError).result.signal === 'SIGINT'));
    assert.ok(!pids.some(isAlive));
  });

  it('the whole process group goes, not just the shell', async () => {
    // A non-interactive shell starts background jobs with SIGINT ignored, so the graceful
    // SIGINT cannot end them; the termination sequence after the grace period must.
    const { pool, outputLines } = commandPool({ concurrency: 1, grace: 50, command: ['sh', '-c', 'sleep 300 & echo "job $!"; echo "job $$"; wait'] });
    const running = pool.run(['a']);
    const pids = jobPids((await outputLines('job', 2)).join('\n'));
    assert.equal(pids.length, 2);
    pool.stop();
    await running;
    assert.deepEqual(pids.filter(isAlive), []);
  });

  it('a job that ignores SIGINT and SIGTERM is still gone within the termination sequence', async () => {
    const { pool, results, outputLines } = commandPool({ concurrency: 1, grace: 20, command: ['sh', '-c', 'trap "" INT TERM; echo "job $$"; sleep 300'] });
    const running = pool.run(['a']);
    const pids = jobPids((await outputLines('job', 1)).join('\n'));
    pool.stop();
    const summary = await running;
    assert.equal(summary.forced, true);
    assert.ok(results[0]?.status === 'cancelled' && (results[0].error as CommandFailedError).result.signal === 'SIGKILL');
    assert.deepEqual(pids.filter(isAlive), []);
  });

  it('stopSignal: null lets running jobs finish; they still count as cancelled but keep their result', async () => {
    const { pool, results, outputLines } = commandPool({ concurrency: 1, stopSignal: null, command: ['sh', '-c', 'echo "job $$"; sleep 0.2; echo finished'] });
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
    const { pool, outputLines } = commandPool({ concurrency: 1, command: ['sh', '-c', 'sleep 300 > /dev/null 2>&1 & echo "job $!"'] });
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

describe('command pools: bad options', () => {
  it('each gets a one-line error naming the fix', () => {
    assert.throws(() => createPool<string>({ command: 'echo {}' }), /A string `command` runs through the shell: pass `shell: true`/);
    assert.throws(() => createPool<string>({ command: [] }), /Expected `command` to be a non-empty array of strings/);
    assert.throws(() => createPool<string>({ command: ['echo'], shell: true }), /`shell: true` needs a string `command`/);
    assert.throws(() => createPool<string>({ command: ['echo', '{1'] }), /Unterminated replacement string `\{1`/);
    assert.throws(() => createPool<string>({ command: ['true'], termseq: 'TERM,abc' }), /Invalid wait `abc` in termination sequence/);
    assert.throws(() => createPool<string>({ command: ['true'], termseq: 'NOPE,10' }), /Unknown signal `NOPE`/);
    assert.throws(() => createPool<string>({ command: ['true'], stopSignal: 'INT' as never }), /Expected `stopSignal` to be a signal name/);
    assert.throws(() => createPool<string>({ command: ['true'], task: () => 1 } as never), OptionError);
  });
});
