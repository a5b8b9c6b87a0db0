/**
 * `--pipe` and `--pipepart` beyond what the comparison with GNU parallel shows: input read only
 * as jobs take it, a stop in the middle, resume by block, and a command's `stdin` in the library.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createPool } from '../src/index.js';
import { pipeBlocks, type BlockRules } from '../src/cli/pipe-blocks.js';
import { nativeStdinAvailable } from '../src/run/process/native-spawn.js';
import { andon, ANDON_BIN, runCommand } from './helpers/cli.js';
import { isAlive } from './helpers/processes.js';

const RULES: BlockRules = {
  blockSize: 10,
  recstart: Buffer.alloc(0),
  recend: Buffer.from('\n'),
  records: undefined,
  header: undefined,
  removeSeparators: false,
  skipBlank: false,
};

async function blocksOf(chunks: readonly string[], rules: Partial<BlockRules> = {}): Promise<string[]> {
  const found: string[] = [];
  async function* input(): AsyncGenerator<Buffer> {
    for (const chunk of chunks) yield Buffer.from(chunk);
  }
  for await (const block of pipeBlocks(input(), { ...RULES, ...rules }, () => {})) found.push(block.data.toString());
  return found;
}

describe('--pipe: cutting the input', () => {
  it('cuts after the last record end within a block, whatever the chunks the input arrives in', async () => {
    const text = '1\n22\n333\n4444\n55555\n';
    const whole = await blocksOf([text]);
    // As GNU parallel cuts it (printf ... | parallel --pipe --block 10 -k 'cat; echo --').
    assert.deepEqual(whole, ['1\n22\n333\n', '4444\n', '55555\n']);
    // Byte by byte, the same blocks: a cut depends on the bytes, not on how they were read.
    assert.deepEqual(await blocksOf([...text]), whole);
  });

  it('raises the block size for a record longer than a block, and warns', async () => {
    const warnings: string[] = [];
    const blocks: string[] = [];
    async function* input(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${'x'.repeat(25)}\nshort\n`);
    }
    for await (const block of pipeBlocks(input(), RULES, (message) => warnings.push(message)))
      blocks.push(block.data.toString());
    assert.equal(blocks.join(''), `${'x'.repeat(25)}\nshort\n`);
    assert.match(warnings[0] ?? '', /^a record was longer than 10 bytes; --block raised to 14$/);
  });

  it('gives every block the header, and counts bytes from the input (header included) for the job log', async () => {
    const found: { data: string; start: number; end: number }[] = [];
    async function* input(): AsyncGenerator<Buffer> {
      yield Buffer.from('h\na\nb\nc\n');
    }
    for await (const block of pipeBlocks(input(), { ...RULES, records: 2, header: { lines: 1 } }, () => {}))
      found.push({ data: block.data.toString(), start: block.start, end: block.end });
    assert.deepEqual(found, [
      { data: 'h\na\nb\n', start: 2, end: 6 },
      { data: 'h\nc\n', start: 6, end: 8 },
    ]);
  });
});

describe('--pipe: the command line', () => {
  it('reads standard input only as jobs take blocks: a stalled job holds the input back', async () => {
    // One job slot, and a first job that does not end until the test lets it: andon may read
    // its block and the next, not the 64 MiB offered.
    const dir = mkdtempSync(join(tmpdir(), 'andon-pipe-'));
    const child = spawn(
      process.execPath,
      [
        ANDON_BIN,
        '--pipe',
        '--block',
        '100k',
        '-j1',
        `echo job $$; while [ ! -e ${dir}/go ]; do sleep 0.05; done; wc -c`,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stdin.on('error', () => {});
    const piece = Buffer.alloc(64 * 1024, 'a\n');
    let offered = 0;
    // Writes until the pipe pushes back for a whole second: the only way to see "no more is
    // read" is to offer more and wait; a second is long against a read, short against the test.
    for (let i = 0; i < 1024; i++) {
      const flowing = child.stdin.write(piece);
      offered += piece.length;
      if (flowing) continue;
      const drained = await Promise.race([
        once(child.stdin, 'drain').then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 1000)),
      ]);
      if (!drained) break;
    }
    assert.ok(offered < 4 * 1024 * 1024, `andon took ${offered} bytes while its one job was stalled`);
    writeFileSync(join(dir, 'go'), '');
    child.stdin.end();
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0);
    // Once let go, every byte offered reached a job, once.
    const counts = [...stdout.matchAll(/^(\d+)$/gm)].map((match) => Number(match[1]));
    assert.equal(
      counts.reduce((sum, count) => sum + count, 0),
      offered,
    );
  });

  it('Ctrl+C stops the running blocks, leaves no job, and --resume runs exactly the blocks not done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'andon-pipe-'));
    const log = join(dir, 'jobs.log');
    const input = `${Array.from({ length: 8 }, (_, i) => i + 1).join('\n')}\n`;
    // Blocks of two lines; the block holding 5 says so and waits to be stopped, the others end at once.
    const command = `x=$(cat); echo "$x" >> ${dir}/ran; if echo "$x" | grep -qx 5 && [ ! -e ${dir}/resuming ]; then echo stalled $$; sleep 30; fi`;
    const child = spawn(
      process.execPath,
      [ANDON_BIN, '--pipe', '-N2', '-j2', '--line-buffer', '--joblog', log, command],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    const stalled = new Promise<number>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /^stalled (\d+)$/m.exec(stdout);
        if (match !== null) resolve(Number(match[1]));
      }),
    );
    child.stdin.end(input);
    const pid = await stalled;
    child.kill('SIGINT');
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    assert.equal(signal ?? code, 'SIGINT');
    assert.ok(!isAlive(pid), "the stopped block's job is gone");
    const doneBefore = readFileSync(log, 'utf8')
      .split('\n')
      .slice(1)
      .filter((line) => line.split('\t')[6] === '0' && line.split('\t')[7] === '0').length;
    // Blocks 1 and 2 ended before block 3 stalled; block 4 may or may not have.
    assert.ok(doneBefore === 2 || doneBefore === 3, `blocks logged done: ${doneBefore}`);

    writeFileSync(`${dir}/ran`, '');
    writeFileSync(`${dir}/resuming`, '');
    const rest = await runCommand(
      process.execPath,
      [ANDON_BIN, '--pipe', '-N2', '-j2', '--line-buffer', '--joblog', log, '--resume', command],
      input,
    );
    assert.equal(rest.code, 0, rest.stderr);
    // The blocks done are skipped, the others run: together every line once.
    const ranAgain = readFileOr(`${dir}/ran`).split('\n').filter(Boolean).map(Number);
    assert.equal(ranAgain.length, 8 - 2 * doneBefore);
    assert.ok(ranAgain.includes(5));
  });

  it('--resume-failed reruns the failed block only; another cut of the input (-N3) runs everything again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'andon-pipe-'));
    const log = join(dir, 'jobs.log');
    const input = '1\n2\n3\n4\n5\n6\n';
    // The block holding 3 fails.
    const command = `x=$(cat); echo "$x" >> ${dir}/ran; ! echo "$x" | grep -qx 3`;
    const run = (extra: string[]) =>
      runCommand(process.execPath, [ANDON_BIN, '--pipe', ...extra, '--joblog', log, command], input);
    const first = await run(['-N2']);
    assert.equal(first.code, 1, first.stderr);
    assert.equal(readFileOr(`${dir}/ran`).split('\n').filter(Boolean).length, 6);
    writeFileSync(`${dir}/ran`, '');
    const again = await run(['-N2', '--resume-failed']);
    assert.equal(again.code, 1, again.stderr);
    assert.equal(readFileOr(`${dir}/ran`), '3\n4\n');
    writeFileSync(`${dir}/ran`, '');
    const none = await run(['-N2', '--resume']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(readFileOr(`${dir}/ran`), '');
    const recut = await run(['-N3', '--resume']);
    assert.equal(recut.code, 1, recut.stderr);
    assert.equal(readFileOr(`${dir}/ran`).split('\n').filter(Boolean).length, 6);
  });

  it('a job that reads only part of its block (head -1) ends normally: no EPIPE, exit 0', async () => {
    const lines = `${Array.from({ length: 100_000 }, (_, i) => i).join('\n')}\n`;
    const result = await andon(['-k', '--pipe', '--block', '100k', 'head -1'], lines);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout.split('\n')[0], '0');
  });

  it('--pipe -k | head -1 ends quietly by SIGPIPE, as other programs in a pipeline do', async () => {
    const result = await runCommand('bash', [
      '-c',
      `seq 1 1000000 | ${process.execPath} ${ANDON_BIN} -k --pipe --block 10k cat | head -1; echo "status \${PIPESTATUS[1]}"`,
    ]);
    assert.deepEqual(result.stdout.split('\n').slice(0, 2), ['1', 'status 141']);
    assert.equal(result.stderr, '');
  });
});

/** The pids of the first `count` jobs that printed `started PID` on the run's standard output. */
function startedJobs(child: ChildProcessWithoutNullStreams, count: number): Promise<number[]> {
  let stdout = '';
  return new Promise((resolve) =>
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const pids = [...stdout.matchAll(/^started (\d+)$/gm)].map((match) => Number(match[1]));
      if (pids.length === count) resolve(pids);
    }),
  );
}

describe('--cat and --fifo: the block as a file', () => {
  /** A fresh $TMPDIR, so that what andon leaves there can be counted. */
  function freshTmp(): string {
    return mkdtempSync(join(tmpdir(), 'andon-cat-'));
  }
  const leftIn = (dir: string): string[] => readdirSync(dir).filter((name) => name.startsWith('par'));
  const withTmp = (dir: string, args: string[], input: string) =>
    runCommand(process.execPath, [ANDON_BIN, ...args], input, { TMPDIR: dir });

  it("--cat: {} is a file holding the block, the job's stdin is at its end, and every file is gone after the run", async () => {
    const dir = freshTmp();
    const result = await withTmp(
      dir,
      ['-k', '--cat', '-N2', 'test -f {} && wc -l < {}; cat; case {} in "$TMPDIR"/par*) echo in-tmpdir;; esac'],
      '1\n2\n3\n4\n5\n',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '2\nin-tmpdir\n2\nin-tmpdir\n1\nin-tmpdir\n');
    assert.deepEqual(leftIn(dir), []);
  });

  it('removes the files of failed jobs and of every retry, however the line ended (exit in the line)', async () => {
    const dir = freshTmp();
    const result = await withTmp(
      dir,
      ['--cat', '-N2', '--retries', '2', `cat {} >> ${dir}/seen; echo {} >> ${dir}/names; exit 3`],
      '1\n2\n3\n4\n',
    );
    assert.equal(result.code, 2, result.stderr);
    // Two blocks, two attempts each (--retries counts attempts in all, as GNU parallel does),
    // each attempt with its whole block in a file of its own.
    const seen = readFileSync(join(dir, 'seen'), 'utf8').split('\n').filter(Boolean);
    assert.deepEqual(seen.sort(), ['1', '1', '2', '2', '3', '3', '4', '4']);
    const names = readFileSync(join(dir, 'names'), 'utf8').split('\n').filter(Boolean);
    assert.equal(new Set(names).size, 4, `each attempt gets a fresh file: ${names.join(' ')}`);
    assert.deepEqual(leftIn(dir), []);
  });

  it('--fifo: {} is a named pipe the job reads its block from; a job that never opens it does not hang', async () => {
    const dir = freshTmp();
    const read = await withTmp(dir, ['-k', '--fifo', '-N2', 'test -p {} && echo fifo; wc -l < {}'], '1\n2\n3\n');
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout, 'fifo\n2\nfifo\n1\n');
    // GNU parallel's wrapper waits forever here for a reader; andon's ends the feed with the line.
    const unread = await withTmp(dir, ['-k', '--fifo', '-N2', 'echo did not read; exit 4'], '1\n2\n3\n4\n');
    assert.equal(unread.code, 2, unread.stderr);
    assert.equal(unread.stdout, 'did not read\ndid not read\n');
    assert.deepEqual(leftIn(dir), []);
  });

  for (const mode of ['--cat', '--fifo']) {
    it(`${mode}: Ctrl+C stops the jobs holding their files, and removes the files`, async () => {
      const dir = freshTmp();
      const child = spawn(
        process.execPath,
        [ANDON_BIN, mode, '-N1', '-j2', '--line-buffer', 'head -c 1 {} >/dev/null; echo started $$; exec sleep 30'],
        { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: dir } },
      );
      const started = startedJobs(child, 2);
      child.stdin.end('a\nb\nc\n');
      const pids = await started;
      assert.equal(leftIn(dir).length, 2, 'each running job has its file');
      child.kill('SIGINT');
      const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
      assert.equal(signal ?? code, 'SIGINT');
      for (const pid of pids) assert.ok(!isAlive(pid), `job ${pid} is gone`);
      assert.deepEqual(leftIn(dir), []);
    });
  }

  it('--cat with --joblog: --resume skips the blocks done (the key names $PARALLEL_TMP, not the random file)', async () => {
    const dir = freshTmp();
    const log = join(dir, 'jobs.log');
    const command = `wc -l < {} >> ${dir}/ran`;
    const first = await withTmp(dir, ['--cat', '-N2', '--joblog', log, command], '1\n2\n3\n');
    assert.equal(first.code, 0, first.stderr);
    assert.match(readFileSync(log, 'utf8'), /\twc -l < \$PARALLEL_TMP >> .* # block 1: stdin bytes 0-4\n/);
    const again = await withTmp(dir, ['--cat', '-N2', '--joblog', log, '--resume', command], '1\n2\n3\n');
    assert.equal(again.code, 0, again.stderr);
    // Two blocks ran the first time, none the second.
    assert.equal(readFileSync(join(dir, 'ran'), 'utf8').split('\n').filter(Boolean).length, 2);
  });
});

describe('--round-robin: one job per slot reads block after block', () => {
  it('every byte reaches exactly one job, each job once, and no more jobs than slots', async () => {
    const input = Array.from({ length: 20_000 }, (_, i) => `${i}\n`).join('');
    const result = await andon(
      ['--pipe', '--round-robin', '--block', '1k', '-j3', 'echo job {#}; md5sum; wc -c'],
      input,
    );
    assert.equal(result.code, 0, result.stderr);
    const jobs = result.stdout.match(/^job \d+$/gm) ?? [];
    assert.deepEqual(jobs.sort(), ['job 1', 'job 2', 'job 3']);
    // md5sum read the input, so wc saw nothing: each job prints its sum then 0.
    assert.equal((result.stdout.match(/^0$/gm) ?? []).length, 3);
    const counted = await andon(['--pipe', '--round-robin', '--block', '1k', '-j3', 'wc -c'], input);
    const total = counted.stdout
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .reduce((a, b) => a + b, 0);
    assert.equal(total, Buffer.byteLength(input));
  });

  it('jobs that stop reading end the run: the rest of the input is not read', async () => {
    // An endless input: the run can only end because both jobs closed their standard input.
    const child = spawn(process.execPath, [ANDON_BIN, '--pipe', '--round-robin', '--block', '1k', '-j2', 'head -c 3'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const line = Buffer.from('x'.repeat(99) + '\n');
    const feed = (): void => {
      while (child.stdin.write(line));
      child.stdin.once('drain', feed);
    };
    child.stdin.on('error', () => undefined);
    feed();
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0);
    assert.equal(stdout, 'xxxxxx');
  });

  it('Ctrl+C stops the running jobs and the dealing (exit 130)', async () => {
    const child = spawn(
      process.execPath,
      [
        ANDON_BIN,
        '--pipe',
        '--round-robin',
        '-N1',
        '-j2',
        '--line-buffer',
        'read first; echo started $$; exec sleep 30',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const started = startedJobs(child, 2);
    // More blocks than jobs: the jobs hold the rest unread while they sleep.
    child.stdin.end('a\nb\nc\nd\ne\n');
    const pids = await started;
    child.kill('SIGINT');
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    assert.equal(signal ?? code, 'SIGINT');
    for (const pid of pids) assert.ok(!isAlive(pid), `job ${pid} is gone`);
  });
});

describe('a command with its own standard input (library)', () => {
  for (const liveOutput of [false, true]) {
    it(`reads the bytes given as stdin (liveOutput: ${liveOutput})`, async () => {
      await using pool = createPool<string>({
        command: (item) => ({ shell: 'tr a-z A-Z', stdin: item }),
        liveOutput,
      });
      const results = [];
      for await (const result of pool.stream(['abcdef', 'xy'])) results.push(result);
      const outputs = results.map((result) => (result.status === 'done' ? result.value.stdout : result.status));
      assert.deepEqual(outputs.sort(), ['ABCDEF', 'XY']);
    });
  }

  for (const shell of ['wc -c', 'wc -c < /dev/stdin']) {
    const reopens = shell.includes('/dev/stdin');
    it(`a large stdin reaches the job whole: ${shell}`, {
      // child_process's own pipes are socket pairs, which cannot be reopened; the native
      // spawner (required in CI) makes real pipes.
      skip: reopens && !nativeStdinAvailable ? 'the native spawner is not built here' : false,
    }, async () => {
      const big = Buffer.alloc(8 * 1024 * 1024, 'x');
      await using pool = createPool<Buffer>({ command: (item) => ({ shell, stdin: item }) });
      for await (const result of pool.stream([big])) {
        assert.equal(result.status, 'done');
        if (result.status === 'done') assert.equal(result.value.stdout.trim(), String(big.length));
      }
    });
  }

  it('a job that exits without reading its stdin ends as any other: no error from the unread input', async () => {
    await using pool = createPool<Buffer>({ command: (item) => ({ shell: 'exit 0', stdin: item }) });
    const summary = await pool.run([Buffer.alloc(4 * 1024 * 1024)]);
    assert.equal(summary.done, 1);
  });

  it('a stream as stdin is written as the job reads it, and told to stop when the job ends', async () => {
    let given = 0;
    let stopped = false;
    async function* endless(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          given++;
          yield Buffer.alloc(64 * 1024, 'y');
        }
      } finally {
        stopped = true;
      }
    }
    await using pool = createPool<number>({ command: () => ({ shell: 'head -c 100000 | wc -c', stdin: endless() }) });
    for await (const result of pool.stream([1]))
      assert.equal(result.status === 'done' && result.value.stdout.trim(), '100000');
    assert.ok(stopped, 'the source was ended with the job');
    // Backpressure: far less than everything was pulled (an unbounded source would never end).
    assert.ok(given < 1000, `pulled ${given} chunks`);
  });

  it('a job without stdin reads /dev/null', async () => {
    await using pool = createPool<string>({ command: () => ({ shell: 'wc -c' }) });
    for await (const result of pool.stream(['a'])) {
      assert.equal(result.status === 'done' && result.value.stdout.trim(), '0');
    }
  });
});

function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

describe('--shuf and --delay', () => {
  it('--shuf runs every job once, in another order', async () => {
    const values = Array.from({ length: 20 }, (_, i) => String(i + 1));
    const result = await andon(['-j1', '--shuf', 'echo', ':::', ...values]);
    assert.equal(result.code, 0, result.stderr);
    const printed = result.stdout.split('\n').filter(Boolean);
    assert.deepEqual([...printed].sort(), [...values].sort());
    // 20 values come out in input order by chance once in 2.4 × 10^18 runs.
    assert.notDeepEqual(printed, values);
  });

  it('--delay keeps at least that long between two job starts', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'andon-delay-')), 'jobs.log');
    const result = await andon(['-j4', '--delay', '0.2', '--joblog', log, 'true', ':::', 'a', 'b', 'c']);
    assert.equal(result.code, 0, result.stderr);
    // The job log's Starttime: when andon started each job, to the millisecond.
    const starts = readFileSync(log, 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((line) => Number(line.split('\t')[2]) * 1000)
      .sort((a, b) => a - b);
    assert.equal(starts.length, 3);
    // A lower bound only: a slow machine makes gaps longer, never shorter; 2 ms for rounding.
    for (let i = 1; i < starts.length; i++)
      assert.ok(starts[i]! - starts[i - 1]! >= 198, `starts: ${starts.join(' ')}`);
  });

  it('Ctrl+C during a --delay wait ends the run without waiting it out', async () => {
    const child = spawn(process.execPath, [ANDON_BIN, '--delay', '600', 'echo', ':::', 'a', 'b'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const first = new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('a\n')) resolve();
      }),
    );
    await first;
    child.kill('SIGINT');
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    // Not 600 s later: the test's own timeout would fail it long before.
    assert.equal(signal ?? code, 'SIGINT');
    assert.equal(stdout, 'a\n');
  });
});
