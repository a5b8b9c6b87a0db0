/** The job log and resume: GNU parallel's format, exact resumes, bad job logs. */
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPool, JobLogError, type StopToken } from '../src/index.js';
import { escapeKey, headerLine, recordLine, unescapeKey } from '../src/joblog/format.js';
import { readJobLog } from '../src/joblog/reader.js';
import { runsPath } from '../src/joblog/runs.js';
import { ANDON_BIN, andon, gnuParallel, parallel, runCommand, startAndon } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'andon-job-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const fresh = (name: string): string => join(dir, `${name}-${++counter}`);
const lines = (path: string): string[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];

describe('job log format', () => {
  it("writes GNU parallel's columns and number formats", () => {
    assert.equal(headerLine(undefined), 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n');
    assert.equal(
      recordLine({
        seq: 3,
        startTime: 1795593904.3971,
        runtime: 0.0034,
        received: 2,
        exitValue: 1,
        signal: 0,
        key: 'echo 2; exit 2',
      }),
      '3\t:\t1795593904.397\t     0.003\t0\t2\t1\t0\techo 2; exit 2\n',
    );
  });

  it('keeps each record on one line, whatever the key holds', () => {
    const key = 'a\tb\nc\\d';
    assert.equal(escapeKey(key), 'a\\tb\\nc\\\\d');
    assert.equal(unescapeKey(escapeKey(key)), key);
  });
});

describe('job log reader', () => {
  const header = headerLine('cmd {}');

  it("reads each key's last outcome and the identity", () => {
    const path = fresh('read');
    writeFileSync(
      path,
      header +
        '1\t:\t1.000\t     0.001\t0\t0\t1\t0\tjob a\n2\t:\t1.000\t     0.001\t0\t0\t0\t0\tjob b\n3\t:\t1.000\t     0.001\t0\t0\t0\t0\tjob a\n',
    );
    const contents = readJobLog(path);
    assert.equal(contents.identity, 'cmd {}');
    assert.deepEqual(
      [...contents.outcomes],
      [
        ['job a', true],
        ['job b', true],
      ],
    );
  });

  it('skips a torn last line with a warning', () => {
    const path = fresh('torn');
    writeFileSync(path, `${header}1\t:\t1.000\t     0.001\t0\t0\t0\t0\tjob a\n2\t:\t1.0`);
    const contents = readJobLog(path);
    assert.equal(contents.outcomes.size, 1);
    assert.match(contents.warnings[0] ?? '', /torn|incomplete last line/);
  });

  it('any other bad line is an error naming it', () => {
    const path = fresh('corrupt');
    writeFileSync(
      path,
      `${header}1\t:\t1.000\t     0.001\t0\t0\t0\t0\tjob a\nnot a record\n3\t:\t1.000\t     0.001\t0\t0\t0\t0\tjob c\n`,
    );
    assert.throws(
      () => readJobLog(path),
      (e: unknown) => e instanceof JobLogError && e.line === 3 && /:3 is not a job log record/.test(e.message),
    );
  });

  it('a file that is not a job log is refused', () => {
    const path = fresh('notlog');
    writeFileSync(path, 'hello\n');
    assert.throws(() => readJobLog(path), /:1 is not a job log header/);
  });

  // Its speed is measured in bench/ (the job-log suite): a timed test here failed under load.
  it('reads a million records, every one', () => {
    const path = fresh('big');
    const record = (i: number): string => `${i}\t:\t1795593904.388\t     0.004\t0\t2\t0\t0\tgzip -k file-${i}.log\n`;
    const chunks: string[] = [headerLine(undefined)];
    for (let i = 1; i <= 1_000_000; i++) chunks.push(record(i));
    writeFileSync(path, chunks.join(''));
    const contents = readJobLog(path);
    assert.equal(contents.outcomes.size, 1_000_000);
    assert.equal(contents.outcomes.get('gzip -k file-1.log'), true);
    assert.equal(contents.outcomes.get('gzip -k file-1000000.log'), true);
  });
});

describe('job log in the library', () => {
  it('records done and failed tasks, not cancelled ones, and resume skips what finished', async () => {
    const path = fresh('lib');
    const ran: string[] = [];
    const task = async (item: string, stop: StopToken): Promise<string> => {
      ran.push(item);
      if (item === 'bad') throw new Error('bad item');
      if (item === 'slow') await stop.sleep(60_000);
      return item;
    };
    const first = createPool({ concurrency: 3, task, jobLog: path });
    const running = first.run(['a', 'bad', 'slow', 'b']);
    while (!ran.includes('b')) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    first.stop();
    const summary = await running;
    assert.equal(summary.cancelled, 1, 'slow was cancelled');
    assert.equal(lines(path).length - 1, 3, 'a, bad, b were logged; slow was not');

    ran.length = 0;
    const resumed = await createPool({
      concurrency: 3,
      task: async (item: string) => {
        ran.push(item);
        return item;
      },
      jobLog: { path, resume: true },
    }).run(['a', 'bad', 'slow', 'b', 'new']);
    assert.deepEqual(ran.sort(), ['new', 'slow']);
    assert.equal(resumed.skipped, 3);
    assert.equal(
      resumed.done + resumed.failed + resumed.cancelled + resumed.notStarted + resumed.skipped,
      resumed.total,
    );

    ran.length = 0;
    await createPool({
      concurrency: 1,
      task: async (item: string) => {
        ran.push(item);
        return item;
      },
      jobLog: { path, resume: 'rerun-failed' },
    }).run(['a', 'bad', 'b']);
    assert.deepEqual(ran, ['bad'], 'rerun-failed runs only the failure');
  });

  it('recognises items by key, so a reordered input resumes right', async () => {
    const path = fresh('key');
    const key = (item: { id: number }): string => `id-${item.id}`;
    await createPool({ concurrency: 1, task: async () => {}, jobLog: { path, key } }).run([{ id: 1 }, { id: 2 }]);
    const ran: number[] = [];
    await createPool({
      concurrency: 1,
      task: async (item: { id: number }) => void ran.push(item.id),
      jobLog: { path, key, resume: true },
    }).run([{ id: 3 }, { id: 2 }, { id: 1 }]);
    assert.deepEqual(ran, [3]);
  });

  it('writes the Seq that `seq` gives an item, not its place in the input', async () => {
    const path = fresh('seq');
    await createPool({ concurrency: 1, task: async () => {}, jobLog: { path, seq: (n: number) => n * 10 } }).run([
      7, 3,
    ]);
    assert.deepEqual(
      lines(path)
        .slice(1)
        .map((line) => line.split('\t')[0]),
      ['70', '30'],
    );
    assert.throws(() => createPool({ task: () => {}, jobLog: { path, seq: 5 as never } }), /jobLog\.seq/);
  });

  it('an unwritable job log fails the run before any task starts', async () => {
    let called = false;
    const pool = createPool({
      concurrency: 1,
      task: async () => void (called = true),
      jobLog: join(dir, 'missing-dir', 'log'),
    });
    await assert.rejects(
      pool.run([1]),
      (e: unknown) =>
        e instanceof JobLogError && /Cannot write the job log .*ENOENT; check the directory exists/.test(e.message),
    );
    assert.equal(called, false);
    const readOnly = fresh('readonly');
    writeFileSync(readOnly, '');
    chmodSync(readOnly, 0o444);
    if (process.getuid?.() !== 0)
      await assert.rejects(
        createPool({ concurrency: 1, task: async () => {}, jobLog: readOnly }).run([1]),
        JobLogError,
      );
  });
});

describe('job log in the CLI', () => {
  it('the resume hint of a run that read stdin says to give it the same input again', async () => {
    const log = fresh('cli-stdin');
    const child = startAndon(['-j', '1', '--joblog', log, 'echo started {}; sleep 30'], {}, '1\n2\n3\n');
    await child.waitForLine('started 1');
    child.kill('SIGINT');
    const exit = await child.exited;
    assert.equal(exit.status, 130);
    assert.match(
      exit.stderr,
      /to run the rest: andon --resume -j 1 --joblog \S+ 'echo started \{\}; sleep 30' \(with the same input on its standard input\)$/m,
    );
  });

  // Each job appends its value to a file before sleeping: the jobs' own record of what ran.
  const command = (ranFile: string): string => `echo {} >> ${ranFile}; sleep 0.{}`;
  const values = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`interrupted by ${signal} and resumed: everything runs, nothing logged as done runs twice`, async () => {
      const log = fresh(`cli-${signal}`);
      const ranFile = fresh('ran');
      const child = startAndon(['-j', '2', '--joblog', log, command(ranFile), ':::', ...values]);
      // Wait for some jobs to be logged as done, so the interrupt lands midway.
      while (lines(log).length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
      child.kill(signal);
      const exit = await child.exited;
      if (signal === 'SIGINT') {
        assert.equal(exit.status, 130);
        assert.match(exit.stderr, /to run the rest: andon --resume -j 2 --joblog /);
        assert.doesNotMatch(exit.stderr, /standard input/, 'the values are on the command line');
      }
      const loggedDone = lines(log)
        .slice(1)
        .map((line) => line.split('\t')[8]!);
      const resume = await andon(['-j', '2', '--joblog', log, '--resume', command(ranFile), ':::', ...values]);
      assert.equal(resume.code, 0, resume.stderr);
      const ran = lines(ranFile);
      assert.deepEqual([...new Set(ran)].sort(), values, 'every job ran');
      for (const done of loggedDone) {
        const value = /^echo (\d)/.exec(done)![1]!;
        assert.equal(
          ran.filter((v) => v === value).length,
          1,
          `job ${value} was logged as done before the interrupt and must not run again`,
        );
      }
    });
  }

  it('a reordered and extended input resumes right: jobs are known by their command line', async () => {
    const log = fresh('reorder');
    await andon(['--joblog', log, 'echo', ':::', 'a', 'b']);
    const exit = await andon(['--joblog', log, '--resume', '-k', 'echo', ':::', 'c', 'b', 'a', 'd']);
    assert.equal(exit.code, 0);
    assert.equal(exit.stdout, 'c\nd\n');
  });

  it('refuses a job log written for another command line', async () => {
    const log = fresh('other');
    await andon(['--joblog', log, 'echo', 'one', '{}', ':::', 'a']);
    const exit = await andon(['--joblog', log, '--resume', 'echo', 'two', '{}', ':::', 'a']);
    assert.equal(exit.code, 255);
    assert.match(
      exit.stderr,
      /^andon: The job log .* was written for `echo one \{\}`, not `echo two \{\}`; use another job log file, or the same command to resume\n$/,
    );
  });

  it('warns about a torn last line and runs that job again', async () => {
    const log = fresh('torn-cli');
    await andon(['--joblog', log, 'echo', ':::', 'a', 'b']);
    appendFileSync(log, '3\t:\t179');
    const exit = await andon(['--joblog', log, '--resume', '-k', 'echo', ':::', 'a', 'b', 'c']);
    assert.equal(exit.code, 0);
    assert.equal(exit.stdout, 'c\n');
    assert.match(exit.stderr, /incomplete last line/);
  });

  it('bad job log input: one line, exit 255, nothing run', async () => {
    const corrupt = fresh('corrupt-cli');
    writeFileSync(corrupt, `${headerLine(undefined)}garbage\n`);
    for (const [args, message] of [
      [['--joblog', corrupt, '--resume', 'echo', ':::', 'a'], /:2 is not a job log record/],
      [['--joblog', join(dir, 'no', 'such', 'dir'), 'echo', ':::', 'a'], /Cannot write the job log .*ENOENT/],
      [['--resume', 'echo', ':::', 'a'], /--resume needs --joblog FILE/],
      [['--joblog', corrupt, '--resume', '--resume-failed', 'echo', ':::', 'a'], /contradict each other/],
    ] as const) {
      const exit = await andon([...args]);
      assert.equal(exit.code, 255, exit.stderr);
      assert.match(exit.stderr, message);
      assert.equal(exit.stderr.split('\n').length, 2);
      assert.equal(exit.stdout, '');
    }
  });

  it('writes a job log to standard error through a pipe, never reading it back (it used to hang)', async () => {
    // stderr is a pipe here: reading it back for a resume would wait for ever.
    const exit = await andon(['-k', '--joblog', '/dev/stderr', 'echo', ':::', 'a', 'b']);
    assert.equal(exit.code, 0);
    assert.equal(exit.stdout, 'a\nb\n');
    const records = exit.stderr.split('\n').filter((line) => line !== '');
    assert.match(records[0]!, /^Seq\tHost\tStarttime/);
    assert.deepEqual(
      records.slice(1).map((line) => line.split('\t').slice(6).join(' ')),
      ['0 0 echo a', '0 0 echo b'],
    );
  });

  it("writes a job log to standard output in the same file as the jobs' output, the header kept", async () => {
    // `-` is GNU's name for standard output; the log shares andon's descriptor, so its offset too.
    const out = fresh('stdout-file');
    const exit = await runCommand('sh', [
      '-c',
      `"${process.execPath}" "${ANDON_BIN}" -j1 --joblog - echo ::: a b > "${out}"`,
    ]);
    assert.equal(exit.code, 0, exit.stderr);
    const written = lines(out);
    assert.match(written[0]!, /^Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand/);
    assert.deepEqual(written.filter((line) => !line.includes('\t')).sort(), ['a', 'b']);
    assert.equal(written.filter((line) => /^\d+\t/.test(line)).length, 2);
  });

  it('a job log that is written only is refused for --resume, and /dev/null takes no sidecar', async () => {
    const exit = await andon(['--resume', '--joblog', '/dev/stdout', 'echo', ':::', 'a']);
    assert.equal(exit.code, 255);
    assert.equal(
      exit.stderr,
      'andon: Resuming (--resume) needs a job log it can read back; /dev/stdout is written only (standard output, a pipe or a device): give a file\n',
    );
    assert.equal(exit.stdout, '');
    const quiet = await andon(['--joblog', '/dev/null', 'echo', ':::', 'a']);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stdout, 'a\n');
    assert.equal(existsSync(runsPath('/dev/null')), false);
  });

  it('--joblog +FILE appends to FILE, as GNU parallel has it', async () => {
    const log = fresh('plus');
    await andon(['--joblog', `+${log}`, 'echo', ':::', 'a']);
    await andon(['--joblog', `+${log}`, 'echo', ':::', 'b']);
    assert.deepEqual(
      lines(log)
        .slice(1)
        .map((line) => line.split('\t').at(-1)),
      ['echo a', 'echo b'],
    );
  });

  it("GNU parallel can resume from andon's job log", {
    skip: gnuParallel === undefined ? 'GNU parallel is not installed (CI installs it)' : false,
  }, async () => {
    const log = fresh('gnu');
    const ranFile = fresh('ran-gnu');
    await andon(['-j', '1', '--joblog', log, `echo {} >> ${ranFile}`, ':::', '1', '2', '3']);
    await parallel(['-j', '1', '--joblog', log, '--resume', `echo {} >> ${ranFile}`, ':::', '1', '2', '3', '4']);
    assert.deepEqual(lines(ranFile), ['1', '2', '3', '4']);
  });
});
