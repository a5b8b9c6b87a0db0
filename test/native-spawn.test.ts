/**
 * The native spawner (posix_spawn, native/spawn.c) against Node's child_process: the same
 * jobs, the same outcomes. CI builds the addon and sets ANDON_REQUIRE_NATIVE=1, so these can
 * never skip there; elsewhere they skip where it was not built.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPool, type CommandResult, type TaskResult } from '../src/index.js';
import { nativeSpawnAvailable } from '../src/run/process/native-spawn.js';
import { runCommand, ANDON_BIN } from './helpers/cli.js';
import { fixture } from './helpers/child.js';

if (!nativeSpawnAvailable && process.env.ANDON_REQUIRE_NATIVE === '1')
  throw new Error(
    'The native spawner is required (ANDON_REQUIRE_NATIVE=1) but was not built: npm install builds it with node-gyp',
  );
const skip = nativeSpawnAvailable ? false : 'the native spawner was not built here (CI builds and requires it)';
const dir = mkdtempSync(join(tmpdir(), 'andon-native-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the andon command with the native spawner on or off. */
function andonWith(native: boolean, args: string[]): ReturnType<typeof runCommand> {
  return runCommand('/usr/bin/env', [`ANDON_NATIVE_SPAWN=${native ? '1' : '0'}`, process.execPath, ANDON_BIN, ...args]);
}

/** The results of a file-output command pool over `items`. */
async function results(items: string[], options: { cwd?: string } = {}): Promise<TaskResult<string, CommandResult>[]> {
  const settled: TaskResult<string, CommandResult>[] = [];
  // Each item is a shell script: `{}` is quoted as one word, so `sh -c` runs it.
  const pool = createPool<string>({
    command: 'sh -c {}',
    shell: true,
    liveOutput: false,
    concurrency: 2,
    onResult: (r) => settled.push(r),
    ...options,
  });
  await pool.run(items);
  await pool.close();
  return settled.sort((a, b) => a.index - b.index);
}

describe('native spawner', { skip }, () => {
  it('gives the same output, exit codes and signals as child_process, job for job', async () => {
    const args = [
      '-k',
      '--tag',
      'sh -c {}',
      ':::',
      'echo out; echo err >&2',
      'exit 3',
      'kill -TERM $$',
      'printf "\\001\\377binary"',
      'yes | head -c 100000 | wc -c',
    ];
    const [native, forked] = await Promise.all([andonWith(true, args), andonWith(false, args)]);
    const timeless = (text: string): string => text.replace(/ in [\d.]+m?s\n/g, ' in …\n');
    assert.equal(native.stdout, forked.stdout);
    assert.equal(timeless(native.stderr), timeless(forked.stderr));
    assert.equal(native.code, forked.code);
    assert.equal(native.code, 2, 'two jobs failed');
  });

  it('gives a pool with pipes (liveOutput) the same results and output natively as through child_process', async () => {
    const child = fixture('piped-pool-child.js');
    const run = (native: boolean): ReturnType<typeof runCommand> =>
      runCommand('/usr/bin/env', [`ANDON_NATIVE_SPAWN=${native ? '1' : '0'}`, process.execPath, child]);
    const [native, forked] = await Promise.all([run(true), run(false)]);
    assert.equal(native.code, 0, native.stderr);
    assert.equal(native.stdout, forked.stdout);
    const lines = native.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines[1]?.stdout, 'named\n', 'argv as given');
    assert.equal(lines[2]?.stdout, 'fed\nlines\n', 'stdin through its pipe');
    assert.equal(lines[4]?.stdout, 'early\nlate\n', 'a background process holding the pipe is waited for');
    assert.equal(lines[6]?.stdout, 300_000);
  });

  it('starts jobs with every signal at its default (Node ignores SIGPIPE; a job must not)', async () => {
    const [job] = await results(['kill -PIPE $$; echo still here']);
    assert.equal(job?.status, 'failed');
    const result = job?.status === 'failed' ? (job.error as { result?: CommandResult }).result : undefined;
    // Killed by the signal (the shell around it reports 128 + 13); ignored, it would print on.
    assert.ok(result?.signal === 'SIGPIPE' || result?.exitCode === 141, JSON.stringify(result));
    assert.equal(result?.stdout, '');
  });

  it('starts each job as the leader of its own session and process group, with stdin from /dev/null', async () => {
    const [job] = await results([`ps -o pgid=,sid= -p $$ > ${dir}/ids; cat > ${dir}/stdin`]);
    assert.equal(job?.status, 'done');
    const [pgid, sid] = readFileSync(join(dir, 'ids'), 'utf8').trim().split(/\s+/).map(Number);
    const leader = job?.status === 'done' ? job.value.pid : undefined;
    assert.equal(pgid, leader, "the job's process group is led by the process andon started");
    assert.equal(sid, leader, 'and so is its session');
    assert.equal(readFileSync(join(dir, 'stdin'), 'utf8'), '');
  });

  it('runs in the working directory asked for, and names a missing one', async () => {
    const [here] = await results([`pwd`], { cwd: dir });
    assert.equal(here?.status === 'done' ? here.value.stdout : '', `${dir}\n`);
    const [missing] = await results(['true'], { cwd: join(dir, 'missing') });
    assert.equal(
      missing?.status === 'failed' ? missing.error.message : '',
      `Working directory does not exist: ${join(dir, 'missing')}; create it or fix \`cwd\``,
    );
  });
});
