/** The `andon` command end to end: the built binary, real jobs, real signals, and GNU parallel beside it. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { andon, ANDON_BIN, gnuParallel, parallel, runCommand, startAndon } from './helpers/cli.js';
import { openFifo } from './helpers/fifo.js';
import { afterRepeatWindow, type Child } from './helpers/child.js';
import { isAlive, jobPids, waitUntilGone } from './helpers/processes.js';
import { describeNativeSpawn, nativeSpawnAvailable } from '../src/run/process/native-spawn.js';
import { jobShell } from '../src/cli/job-shell.js';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  bin: { andon: string };
};
const dir = mkdtempSync(join(tmpdir(), 'andon-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `andon ...args` to completion with extra environment variables, keeping its output as bytes. */
function andonBytes(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: Buffer; stderr: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ANDON_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }));
  });
}

/** Resolves once `condition` holds, polling every 10 ms; rejects after `ms`. */
async function waitUntil(condition: () => boolean, ms: number, what: string): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A fresh directory to be andon's TMPDIR, and a check that andon (and its watchdog) left it empty. */
function privateTmp(): { env: { TMPDIR: string }; emptied: () => Promise<void> } {
  const tmp = mkdtempSync(join(dir, 'tmp-'));
  return {
    env: { TMPDIR: tmp },
    emptied: () =>
      waitUntil(() => readdirSync(tmp).length === 0, 3_000, `${tmp} empty, has ${readdirSync(tmp).join(', ')}`),
  };
}

describe('andon: basics', () => {
  it('is the package bin', () => {
    assert.equal(manifest.bin.andon, './dist/src/cli/bin.js');
    assert.match(readFileSync(ANDON_BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  it("the README's `npx andon` resolves to this package", async () => {
    const root = new URL('../../', import.meta.url).pathname;
    // The first npx in a clone installs the clone into npx's cache and runs its prepare and
    // install scripts there; they must leave a fresh build alone (a rebuild empties dist/
    // under every test running beside this one).
    const built = () => statSync(join(root, 'dist', '.built')).mtimeMs;
    const before = built();
    const exit = await runCommand('sh', ['-c', `cd '${root}' && npx --no-install andon --version`]);
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(exit.stdout.split('\n')[0], manifest.version);
    assert.equal(built(), before, 'npx rebuilt dist/');
  });

  it('--version prints the package version, then whether jobs start through the native spawner', async () => {
    const exit = await andon(['--version']);
    assert.equal(exit.code, 0);
    assert.equal(exit.stdout, `${manifest.version}\n${describeNativeSpawn()}\n`);
    if (nativeSpawnAvailable)
      assert.match(exit.stdout, /\nnative spawner: built \(jobs start through posix_spawn\)\n$/);
    const off = await runCommand(process.execPath, [ANDON_BIN, '--version'], undefined, { ANDON_NATIVE_SPAWN: '0' });
    assert.equal(off.stdout, `${manifest.version}\nnative spawner: turned off (jobs start through child_process)\n`);
  });

  it('--help documents every option and where andon differs from GNU parallel', async () => {
    const exit = await andon(['--help']);
    assert.equal(exit.code, 0);
    for (const option of [
      '--jobs',
      '--null',
      '--keep-order',
      '--group',
      '--line-buffer',
      '--tag',
      '--dry-run',
      '--timeout',
      '--retries',
      '--halt',
      '--grace',
      '--termseq',
      '--joblog',
      '--resume',
      '--resume-failed',
      '--delimiter',
      '--arg-file',
      '--arg-sep',
      '--link',
      '--max-args',
      '--xargs',
      '--colsep',
      '--trim',
      '--verbose',
      '--tagstring',
    ]) {
      assert.match(exit.stdout, new RegExp(`${option}\\b`), option);
    }
    assert.match(exit.stdout, /Where andon differs from GNU parallel/);
    assert.match(exit.stdout, /--bar\b/);
  });

  it('runs ::: values, stdin lines and -0 records', async () => {
    assert.equal((await andon(['-k', 'echo', 'v', ':::', 'a', 'b'])).stdout, 'v a\nv b\n');
    assert.equal((await andon(['-k', 'echo', 'line'], 'x\ny\n')).stdout, 'line x\nline y\n');
    // Command words join into one shell line unquoted (as in GNU parallel), so the format is
    // quoted inside its word.
    assert.equal((await andon(['-k', '-0', "printf '[%s]\\n'"], 'a\0b c\0')).stdout, '[a]\n[b c]\n');
  });

  describe('the shell a job runs under', () => {
    const bash = ['/bin/bash', '/usr/bin/bash'].find((path) => existsSync(path));
    const none = (): undefined => undefined;

    // Each script runs andon and then exits, so bash stays andon's parent (a last command alone
    // would be exec'ed in bash's place).
    it('is the shell andon was started from: from bash, exported functions and <( ) work, as in GNU parallel', {
      skip: bash === undefined ? 'bash is not installed' : false,
    }, async () => {
      const script = `greet() { echo "hello $1"; }; export -f greet; "${process.execPath}" "${ANDON_BIN}" -k greet ::: a b; exit $?`;
      const exit = await runCommand(bash!, ['-c', script], undefined, { PARALLEL_SHELL: '' });
      assert.equal(exit.stderr, '');
      assert.equal(exit.stdout, 'hello a\nhello b\n');
      const procSub = `"${process.execPath}" "${ANDON_BIN}" 'cat <(echo {})' ::: x; exit $?`;
      assert.equal((await runCommand(bash!, ['-c', procSub], undefined, { PARALLEL_SHELL: '' })).stdout, 'x\n');
    });

    it('with no shell above andon, $SHELL of the POSIX family; csh or fish give /bin/sh', () => {
      assert.equal(jobShell({ SHELL: '/bin/csh' }, none), '/bin/sh');
      assert.equal(jobShell({ SHELL: '/usr/bin/fish' }, none), '/bin/sh');
      assert.equal(jobShell({}, none), '/bin/sh');
      if (bash !== undefined) assert.equal(jobShell({ SHELL: bash }, none), bash);
      assert.equal(
        jobShell({ SHELL: '/bin/bash' }, () => '/bin/csh-like'),
        '/bin/csh-like',
      );
    });

    it('is $PARALLEL_SHELL if set; one that is not there is refused with one line', async () => {
      const env = { PARALLEL_SHELL: '/bin/sh' };
      const dash = await runCommand(process.execPath, [ANDON_BIN, 'echo $0', ':::', 'x'], undefined, env);
      assert.equal(dash.stdout, '/bin/sh x\n');
      const missing = await runCommand(process.execPath, [ANDON_BIN, 'echo', ':::', 'x'], undefined, {
        PARALLEL_SHELL: 'no-such-shell',
      });
      assert.equal(missing.code, 255);
      assert.equal(
        missing.stderr,
        "andon: PARALLEL_SHELL=no-such-shell is not an executable program; give a shell's path, e.g. /bin/bash\n",
      );
      assert.equal(missing.stdout, '');
    });
  });

  it('--dry-run prints the commands and runs nothing', async () => {
    const marker = join(dir, 'dry-run-marker');
    const exit = await andon(['--dry-run', 'touch', marker, '{}', ':::', "it's"]);
    assert.equal(exit.code, 0);
    assert.equal(exit.stdout, `touch ${marker} 'it'"'"'s'\n`);
    assert.throws(() => readFileSync(marker));
  });
});

describe('andon: output', () => {
  it("groups each job's output: never interleaved with another job", async () => {
    const exit = await andon([
      '-j',
      '4',
      'for i in 1 2 3 4; do echo {} $i; sleep 0.01; done',
      ':::',
      'a',
      'b',
      'c',
      'd',
    ]);
    const lines = exit.stdout.trim().split('\n');
    assert.equal(lines.length, 16);
    for (let i = 0; i < 16; i += 4) {
      const job = lines[i]!.split(' ')[0];
      assert.deepEqual(
        lines.slice(i, i + 4),
        [1, 2, 3, 4].map((n) => `${job} ${n}`),
        exit.stdout,
      );
    }
  });

  it('--line-buffer never tears a line, even when it is written in pieces', async () => {
    const exit = await andon([
      '--line-buffer',
      '-j',
      '3',
      'printf "{}-part1-"; sleep 0.05; printf "{}-part2\\n"; echo {}-whole',
      ':::',
      'a',
      'b',
      'c',
    ]);
    const lines = exit.stdout.trim().split('\n').sort();
    assert.deepEqual(lines, ['a-part1-a-part2', 'a-whole', 'b-part1-b-part2', 'b-whole', 'c-part1-c-part2', 'c-whole']);
  });

  it('--keep-order prints in input order even when later jobs finish first', async () => {
    const exit = await andon(['-k', '-j', '3', 'sleep {}; echo {}', ':::', '0.3', '0.1', '0.2']);
    assert.equal(exit.stdout, '0.3\n0.1\n0.2\n');
  });

  it('grouped output is byte for byte what the jobs wrote, binary and large, stdout and stderr', async () => {
    const files = [randomBytes(1536 * 1024 + 5), randomBytes(70_000), randomBytes(3)].map((bytes, i) => {
      const path = join(dir, `binary-${i}`);
      writeFileSync(path, bytes);
      return { path, bytes };
    });
    const paths = files.map((f) => f.path);
    const out = await andonBytes(['-k', '-j', '3', 'cat {}; cat {} >&2', ':::', ...paths]);
    assert.equal(out.code, 0);
    const all = Buffer.concat(files.map((f) => f.bytes));
    assert.ok(out.stdout.equals(all), 'stdout');
    assert.ok(out.stderr.equals(all), 'stderr');
  });

  it('grouped output goes through deleted temporary files and leaves none; --line-buffer through pipes', async () => {
    const tmp = privateTmp();
    const grouped = await andonBytes(['readlink /proc/self/fd/1 /proc/self/fd/2 # {}', ':::', 'x'], tmp.env);
    const deleted = `${tmp.env.TMPDIR}/andon-watchdog-[^/]+/[^/]+ \\(deleted\\)\n`;
    assert.match(grouped.stdout.toString(), new RegExp(`^${deleted}${deleted}$`));
    await tmp.emptied();
    const streamed = await andonBytes(['--line-buffer', 'readlink /proc/self/fd/1 # {}', ':::', 'x'], tmp.env);
    // A real pipe from the native spawner; child_process's pipes are socket pairs.
    assert.match(streamed.stdout.toString(), /^(pipe|socket):\[\d+\]\n$/);
    await tmp.emptied();
  });

  it('--tag prefixes every line of stdout and stderr with the values', async () => {
    const exit = await andon(['--tag', '-k', 'echo out; echo err >&2', ':::', 'a b']);
    assert.equal(exit.stdout, 'a b\tout\n');
    assert.equal(exit.stderr, 'a b\terr a b\n');
  });
});

describe('andon: failures, timeouts, retries, halt', () => {
  it('exits with the number of failed jobs, 101 past 100', async () => {
    assert.equal((await andon(['exit {}', ':::', '0', '1', '2', '3'])).code, 3);
    assert.equal(
      (await andon(['exit', ':::', ...Array.from({ length: 105 }, (_, i) => String((i % 3) + 1))])).code,
      101,
    );
    assert.equal((await andon(['true', ':::', 'a'])).code, 0);
  });

  it('--timeout stops a job, fails it and says so', async () => {
    const exit = await andon(['--timeout', '0.2', 'sleep {}', ':::', '30', '0.01']);
    assert.equal(exit.code, 1);
    assert.match(exit.stderr, /andon: job 1 timed out after 200ms and was stopped: sleep 30/);
  });

  it('--retries N tries a failing job N times in all', async () => {
    const counter = join(dir, 'tries');
    writeFileSync(counter, '');
    const exit = await andon(['--retries', '3', `echo try >> ${counter}; exit 1`, ':::', 'x']);
    assert.equal(exit.code, 1);
    assert.equal(readFileSync(counter, 'utf8'), 'try\ntry\ntry\n');
  });

  it('--halt soon,fail=1 lets running jobs finish and starts no new one', async () => {
    const exit = await andon([
      '-j',
      '2',
      '--halt',
      'soon,fail=1',
      'sleep {}; echo done {}; exit $(( {#} == 1 ? 4 : 0 ))',
      ':::',
      '0.01',
      '0.3',
      '0.01',
      '0.01',
    ]);
    assert.equal(exit.code, 4, "the failing job's exit code");
    assert.match(exit.stdout, /done 0\.3/, 'the running job finished');
    assert.equal(exit.stdout.match(/done/g)?.length, 2, 'no new job started');
  });

  it('--results that cannot be written stops the run with one line, exit 255', async () => {
    const results = mkdtempSync(join(dir, 'results-'));
    // A file where job a's directory goes: mkdir fails as it would on a full or read-only disk.
    writeFileSync(join(results, 'a'), '');
    const exit = await andon(['-j', '1', '--results', `${results}/{}/`, 'echo', ':::', 'a', 'b', 'c']);
    assert.equal(exit.code, 255);
    assert.match(
      exit.stderr,
      /^andon: --results: cannot write .*\/a\/ \(ENOTDIR\); make room there or give a place andon can write\n$/,
    );
    assert.deepEqual(readdirSync(results), ['a'], 'no later job ran once saving failed');
  });

  it('--results FILE.csv on a full disk stops the run with one line naming the file, exit 255', async () => {
    const results = mkdtempSync(join(dir, 'table-'));
    const table = join(results, 'out.csv');
    symlinkSync('/dev/full', table);
    const ran = join(results, 'ran');
    const exit = await andon(['-j', '1', '--results', table, `echo {} >> ${ran}; echo {}`, ':::', 'a', 'b', 'c']);
    assert.equal(exit.code, 255);
    assert.match(
      exit.stderr,
      /^andon: --results: cannot write .*\/out\.csv \(ENOSPC\); make room there or give a place andon can write\n/,
    );
    assert.equal(readFileSync(ran, 'utf8'), 'a\n', 'no later job ran once saving failed');
  });

  it('--results -.json: a row per job that JSON.parse reads back, with the bytes each job wrote', async () => {
    const exit = await andon([
      '-k',
      '--results',
      '-.json',
      'printf "%s\\t\\001\\n" {}; echo err >&2',
      ':::',
      'a"b',
      'é\\',
    ]);
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(exit.stderr, '', "the jobs' own output is in the table, not printed");
    const rows = exit.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      rows.map((row) => [row.Seq, row.V, row.Stdout, row.Stderr, row.Exitval]),
      [
        [1, ['a"b'], 'a"b\t\u0001\n', 'err\n', 0],
        [2, ['é\\'], 'é\\\t\u0001\n', 'err\n', 0],
      ],
    );
  });

  it('--halt now prints nothing of the jobs it kills, on either stream (as GNU parallel)', async () => {
    const exit = await andon([
      '-j',
      '2',
      '--halt',
      'now,fail=1',
      'echo out {}; echo err {} >&2; sleep {}; exit $(( {#} == 2 ))',
      ':::',
      '30',
      '0.2',
    ]);
    assert.equal(exit.code, 1);
    assert.equal(exit.stdout, 'out 0.2\n');
    assert.doesNotMatch(exit.stderr, /err 30/);
    assert.match(exit.stderr, /^err 0\.2$/m);
  });

  it('--retries: only the last attempt of a job prints', async () => {
    const exit = await andon(['--retries', '3', 'echo out {}; echo err {} >&2; exit 1', ':::', 'a']);
    assert.equal(exit.stdout, 'out a\n');
    assert.equal(exit.stderr.match(/err a/g)?.length, 1);
  });

  it('--halt now,fail=1 kills running jobs', async () => {
    const started = performance.now();
    const exit = await andon(['-j', '2', '--halt', 'now,fail=1', 'sleep {}; exit 5', ':::', '0.05', '30']);
    assert.equal(exit.code, 5);
    assert.ok(performance.now() - started < 10_000, 'the 30 s job was killed');
  });
});

describe('andon -j FILE: the number of jobs read again as the run goes on', () => {
  /** A job that says it started, then waits until the test opens its FIFO and closes it. */
  const held = `echo started {}; cat ${join(dir, 'hold-{}')} > /dev/null`;
  const release = (name: string): void => writeFileSync(join(dir, `hold-${name}`), '');
  /**
   * Runs `andon -j FILE` (FILE holding `jobs` at first) on held jobs named `names`, hands the
   * running child to `steps`, and removes the FIFOs however the steps end.
   */
  async function withHeldRun(
    names: string[],
    fileName: string,
    jobs: string,
    steps: (child: Child, file: string) => Promise<void>,
  ): Promise<void> {
    for (const name of names) spawnSync('mkfifo', [join(dir, `hold-${name}`)]);
    const file = join(dir, fileName);
    writeFileSync(file, jobs);
    try {
      await steps(startAndon(['-j', file, '--line-buffer', held, ':::', ...names]), file);
    } finally {
      for (const name of names) rmSync(join(dir, `hold-${name}`), { force: true });
    }
  }

  it('more jobs start at once when the file grows, and fewer run once it shrinks', async () => {
    // Each write changes the file's size too, so a coarse clock cannot hide a change.
    await withHeldRun(['1', '2', '3', '4', '5', '6'], 'procs-grow', '1', async (child, file) => {
      await child.waitForLine('started 1');
      writeFileSync(file, '3\n');
      release('1');
      // 2, 3 and 4 run together: none of them can end until the test lets it.
      await child.waitForLines(/^started [234]$/, 3);
      writeFileSync(file, '1');
      for (const name of ['2', '3']) release(name);
      release('4');
      await child.waitForLine('started 5');
      // With one job at a time, 6 cannot have started while 5 is held.
      assert.doesNotMatch(child.stdout(), /started 6/);
      release('5');
      await child.waitForLine('started 6');
      release('6');
      const exit = await child.exited;
      assert.equal(exit.status, 0, exit.stderr);
    });
  });

  it('a file that stops holding a number keeps the number there was, with a warning', async () => {
    await withHeldRun(['a', 'b', 'c'], 'procs-bad', '1', async (child, file) => {
      await child.waitForLine('started a');
      writeFileSync(file, 'lots');
      release('a');
      await child.waitForStderrLine(/-j .*procs-bad holds 'lots', not a number of jobs; keeping 1$/);
      await child.waitForLine('started b');
      assert.doesNotMatch(child.stdout(), /started c/);
      release('b');
      await child.waitForLine('started c');
      release('c');
      assert.equal((await child.exited).status, 0);
    });
  });

  it('a file that does not hold a number of jobs at the start is refused before any job runs', async () => {
    const file = join(dir, 'procs-empty');
    writeFileSync(file, '');
    const exit = await andon(['-j', file, 'echo', ':::', 'a']);
    assert.equal(exit.status, 255);
    assert.match(
      exit.stderr,
      /^andon: -j .*procs-empty: the file holds '', not a number of jobs; write N, N%, \+N, -N or 0 in it\n$/,
    );
    assert.equal(exit.stdout, '');
  });
});

describe('andon: bad input gets one line and exit 255', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown option', ['--bogus', 'echo', ':::', 'a'], /^andon: Unknown option --bogus; see andon --help$/],
    ['an empty command', ['', ':::', 'a'], /^andon: Missing command/],
    ['a blank command', [' ', ':::', 'a'], /^andon: Missing command/],
    [
      '-j too large',
      ['-j', '4294967296', 'echo', ':::', 'a'],
      /^andon: -j 4294967296 is more jobs at once than andon starts/,
    ],
    [
      '-j abc',
      ['-j', 'abc', 'echo', ':::', 'a'],
      /^andon: -j needs a number of jobs \(N, N%, \+N, -N or 0\) or a file holding one, got 'abc'$/,
    ],
    [
      '-j with a file that does not exist',
      ['-j', 'no-such-procs.txt', 'echo', ':::', 'a'],
      /^andon: -j needs a number of jobs .* got 'no-such-procs\.txt' \(no such file\)$/,
    ],
    [
      'an option andon does not have',
      ['--sshlogin', 'host', 'echo', ':::', 'a'],
      /^andon: --sshlogin is not supported; run andon worker on each machine instead/,
    ],
    [
      'a bundled unknown short option',
      ['-kZ', 'echo', ':::', 'a'],
      /^andon: Unknown option -Z in -kZ; see andon --help$/,
    ],
    [
      '-N and -X together',
      ['-N', '2', '-X', 'echo', ':::', 'a'],
      /^andon: -n, -N, -m, -X and --xargs each say how many values a job gets; give one of them$/,
    ],
    [
      '--trim with a bad value',
      ['--trim', 'x', 'echo', ':::', 'a'],
      /^andon: --trim needs n, l, r, lr or rl, got 'x'$/,
    ],
    ['-j with nothing after it', ['-j'], /^andon: -j needs a value; see andon --help$/],
    ['a ::: with nothing after it', ['echo', ':::'], /^andon: ::: has nothing after it; give at least one value/],
    ['an unterminated {', ['echo', '{1', ':::', 'a'], /^andon: Unterminated replacement string `\{1`/],
    [
      '{2} with one source',
      ['echo', '{2}', ':::', 'a'],
      /^andon: \{2\} refers to input source 2, but there is 1 source/,
    ],
    [
      'a nonexistent command',
      ['andon-no-such-program', '{}', ':::', 'a'],
      /^andon: Command not found: andon-no-such-program; check its name and your PATH$/,
    ],
    ['a missing :::: file', ['echo', '::::', '/nonexistent/list'], /^andon: Input file not found: \/nonexistent\/list/],
    [
      'a bad --timeout',
      ['--timeout', 'soon', 'echo', ':::', 'a'],
      /^andon: --timeout needs a number of seconds greater than 0 \(or 1m30s, 2h, 1d\), got 'soon'$/,
    ],
    [
      '--timeout 0',
      ['--timeout', '0', 'echo', ':::', 'a'],
      /^andon: --timeout needs a number of seconds greater than 0 \(or 1m30s, 2h, 1d\), got '0'$/,
    ],
    [
      'a negative --grace',
      ['--grace', '-1', 'echo', ':::', 'a'],
      /^andon: --grace needs a number of seconds ≥ 0 \(or 1m30s, 2h, 1d\), got '-1'$/,
    ],
    ['a bad --halt', ['--halt', 'later', 'echo', ':::', 'a'], /^andon: --halt later: expected never, or now\|soon/],
    [
      'a bad --termseq',
      ['--termseq', 'TERM', 'echo', ':::', 'a'],
      /^andon: --termseq: Invalid termination sequence `TERM`/,
    ],
    [
      '--group with --line-buffer',
      ['--group', '--lb', 'echo', ':::', 'a'],
      /^andon: --group and --line-buffer contradict each other/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const exit = await andon(args);
      assert.equal(exit.code, 255, exit.stderr);
      assert.equal(exit.stderr.split('\n').length, 2, `one line: ${exit.stderr}`);
      assert.match(exit.stderr.trimEnd(), message);
      assert.equal(exit.stdout, '');
    });
  }
});

describe('andon: stopping real jobs', () => {
  const pidJob = 'echo "job $$"; exec sleep 30';

  it('SIGINT to `andon -j 2 sleep 30 ::: 1 2 3 4`: exit 130, no job left', async () => {
    const child = startAndon(['-j', '2', '--line-buffer', pidJob, ':::', '1', '2', '3', '4']);
    await child.waitForLines(/^job \d+$/, 2);
    const pids = jobPids(child.stdout());
    child.kill('SIGINT');
    const exit = await child.exited;
    assert.equal(exit.status, 130, exit.stderr);
    assert.match(exit.stderr, /0 done, 0 failed, 2 cancelled, 2 not started \(of 4\) .*interrupted by SIGINT/);
    assert.deepEqual(pids.filter(isAlive), []);
  });

  it('jobs that trap and ignore INT and TERM are still killed (grace, then termination sequence)', async () => {
    const child = startAndon([
      '-j',
      '2',
      '--grace',
      '0',
      '--line-buffer',
      `trap "" INT TERM; ${pidJob}`,
      ':::',
      '1',
      '2',
    ]);
    await child.waitForLines(/^job \d+$/, 2);
    const pids = jobPids(child.stdout());
    child.kill('SIGTERM');
    const exit = await child.exited;
    assert.equal(exit.status, 143, exit.stderr);
    assert.match(exit.stderr, /forced/);
    assert.deepEqual(pids.filter(isAlive), []);
  });

  it('a second SIGINT forces at once', async () => {
    const child = startAndon(['-j', '1', '--grace', '3600', '--line-buffer', `trap "" INT; ${pidJob}`, ':::', '1']);
    await child.waitForLines(/^job \d+$/, 1);
    const pids = jobPids(child.stdout());
    child.kill('SIGINT');
    while (!child.stderr().includes('received, stopping')) await new Promise((resolve) => setTimeout(resolve, 5));
    await afterRepeatWindow();
    child.kill('SIGINT');
    const exit = await child.exited;
    assert.equal(exit.status, 130);
    assert.match(exit.stderr, /second signal \(SIGINT\), forcing stop of 1 running task/);
    assert.deepEqual(pids.filter(isAlive), []);
  });

  it('a third Ctrl+C during the force does not cut it short: summary and exit code still come', async () => {
    const child = startAndon([
      '-j',
      '1',
      '--grace',
      '3600',
      '--line-buffer',
      `trap "" INT TERM; ${pidJob}`,
      ':::',
      '1',
    ]);
    await child.waitForLines(/^job \d+$/, 1);
    const pids = jobPids(child.stdout());
    child.kill('SIGTERM');
    while (!child.stderr().includes('received, stopping')) await new Promise((resolve) => setTimeout(resolve, 5));
    await afterRepeatWindow();
    child.kill('SIGINT');
    while (!child.stderr().includes('second signal')) await new Promise((resolve) => setTimeout(resolve, 5));
    await afterRepeatWindow();
    child.kill('SIGINT');
    const exit = await child.exited;
    assert.equal(exit.status, 143, exit.stderr);
    assert.match(exit.stderr, /already forcing/);
    assert.match(exit.stderr, /1 cancelled.*interrupted by SIGTERM, forced/);
    assert.deepEqual(pids.filter(isAlive), []);
  });

  it('kill -9 of andon itself: the watchdog removes the jobs', async () => {
    const child = startAndon(['-j', '2', '--line-buffer', pidJob, ':::', '1', '2']);
    await child.waitForLines(/^job \d+$/, 2);
    const pids = jobPids(child.stdout());
    child.kill('SIGKILL');
    await child.exited;
    // The watchdog gives TERM 200 ms, then KILL; 2 s leaves room for a loaded CI machine.
    await waitUntilGone(pids, 2_000);
  });

  it('a grouped job ends with its shell; what it left running in its group is ended when andon finishes', async () => {
    const started = performance.now();
    const exit = await andon(['sleep 30 & echo "job $!" {}', ':::', 'x']);
    assert.equal(exit.code, 0, exit.stderr);
    assert.ok(performance.now() - started < 10_000, 'andon did not wait for the background sleep');
    const pids = jobPids(exit.stdout.replace(/ x$/m, ''));
    assert.equal(pids.length, 1, exit.stdout);
    await waitUntilGone(pids, 2_000);
  });

  it('SIGINT during grouped jobs: their partial output is printed, no job and no temporary file left', async () => {
    const tmp = privateTmp();
    const fifo = openFifo(dir, 'sigint-grouped');
    try {
      const child = startAndon(
        ['-j', '2', `echo partial {}; echo $$ > ${fifo.path}; exec sleep 30`, ':::', '1', '2', '3'],
        tmp.env,
      );
      const pids = (await fifo.lines(2)).map(Number);
      child.kill('SIGINT');
      const exit = await child.exited;
      assert.equal(exit.status, 130, exit.stderr);
      assert.deepEqual(exit.stdout.split('\n').filter(Boolean).sort(), ['partial 1', 'partial 2']);
      assert.deepEqual(pids.filter(isAlive), []);
      await tmp.emptied();
    } finally {
      fifo.close();
    }
  });

  it('kill -9 of andon during grouped jobs: the watchdog removes the jobs and the temporary files', async () => {
    const tmp = privateTmp();
    const fifo = openFifo(dir, 'sigkill-grouped');
    try {
      const child = startAndon(
        ['-j', '2', `echo partial {}; echo $$ > ${fifo.path}; exec sleep 30`, ':::', '1', '2'],
        tmp.env,
      );
      const pids = (await fifo.lines(2)).map(Number);
      child.kill('SIGKILL');
      await child.exited;
      await waitUntilGone(pids, 2_000);
      await tmp.emptied();
    } finally {
      fifo.close();
    }
  });

  it('andon demo runs, Ctrl+C stops it with a summary, and the next demo resumes', async () => {
    // The demo keeps its job log in the temporary directory: give it one of its own.
    // Started through npx (as the README's first command does), so the commands it prints say npx andon.
    const env = { TMPDIR: mkdtempSync(join(dir, 'demo-')), npm_command: 'exec' };
    const log = join(env.TMPDIR, `andon-demo-${process.getuid?.() ?? 0}.joblog`);
    const child = startAndon(['demo'], env);
    // Interrupt once a job is on record as done (the header plus one record).
    while (!existsSync(log) || readFileSync(log, 'utf8').split('\n').length < 3)
      await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    const exit = await child.exited;
    assert.equal(exit.status, 130);
    assert.match(exit.stderr, /andon demo: pulling 10 images, 3 at a time/);
    const counts =
      /([1-9]\d*) done, 0 failed, (\d+) cancelled, (\d+) not started \(of 10\) .*interrupted by SIGINT/.exec(
        exit.stderr,
      );
    assert.ok(counts !== null, exit.stderr);
    assert.equal(Number(counts[1]) + Number(counts[2]) + Number(counts[3]), 10, 'the counts add up to the ten images');
    assert.match(exit.stderr, /run `npx andon demo` again to pull the rest/);
    assert.match(exit.stderr, /^ {2}the same by hand: npx andon -j 3 /m);
    assert.match(exit.stderr, /^andon: to run the rest: npx andon -j 3 /m);
    // A job can print "pulled" and still be interrupted before it exits: only the job log
    // says what is done.
    const done = Number(/(\d+) done/.exec(exit.stderr)![1]);
    const loggedImages = readFileSync(log, 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((line) => /echo "pulled (\S+)"/.exec(line)![1]!);
    assert.equal(loggedImages.length, done);
    const again = startAndon(['demo'], env);
    await again.waitForLine(/pulling layer 1\/5/);
    again.kill('SIGINT');
    const second = await again.exited;
    assert.match(second.stderr, new RegExp(`resuming: ${done} of 10 were pulled before the last Ctrl\\+C`));
    for (const image of loggedImages)
      assert.doesNotMatch(second.stdout, new RegExp(`^${image}\t`, 'm'), `${image} was pulled already`);
  });
});

describe('andon beside GNU parallel, same command lines', {
  skip: gnuParallel === undefined ? 'GNU parallel is not installed (CI installs it)' : false,
}, () => {
  const sameOutput: string[][] = [
    ['-k', 'echo', 'pre', '{}', 'post', ':::', 'two words', 'a'],
    ['-k', 'printf', '[%s]\\n', 'pre', '{}', 'post', ':::', 'two words'],
    ['-k', 'echo', ':::', 'a', 'b', ':::', '1', '2'],
    ['-k', '--tag', 'echo', ':::', 'a', 'b', ':::', '1', '2'],
    ['-k', 'echo {#} {.} {/} {//} {/.} {1}', ':::', '/a/b/c.tar.gz', 'x.y'],
    ['-k', 'echo {1.} {2/} {1//} {2/.}', ':::', 'a/b.c', ':::', 'd/e.f'],
    ['--dry-run', '-k', 'echo', '{}', ':::', "it's", 'a"b', '$HOME', '', "'a", "a'"],
    ['-k', '-j', '3', 'sleep 0.0{}; echo {}', ':::', '3', '1', '2'],
    ['-k', '--tag', 'echo out; echo err >&2', ':::', 'x'],
    // A job that reopens its output starts it again, as under GNU parallel (it used to fail).
    ['-k', 'echo a; echo b > /dev/stdout', ':::', 'x'],
  ];
  for (const args of sameOutput) {
    it(`andon ${args.join(' ')}`, async () => {
      const [ours, theirs] = await Promise.all([andon(args), parallel(args)]);
      assert.equal(ours.stdout, theirs.stdout);
      assert.equal(ours.code, theirs.code);
    });
  }

  const sameExitCode: string[][] = [
    ['exit {}', ':::', '0', '1', '2', '3'],
    ['exit', ':::', ...Array.from({ length: 102 }, () => '1')],
    ['--halt', 'soon,fail=1', '-j', '1', 'exit {}', ':::', '0', '3', '0', '0'],
    ['--halt', 'now,fail=1', '-j', '2', 'sleep {}; exit 1', ':::', '0.1', '5'],
    ['--halt', 'now,success=1', '-j', '2', 'sleep {}; exit 0', ':::', '0.1', '5'],
    ['--retries', '2', 'exit 1', ':::', 'x'],
  ];
  for (const args of sameExitCode) {
    it(`exit code of andon ${args.slice(0, 6).join(' ')}${args.length > 6 ? ' …' : ''}`, async () => {
      const [ours, theirs] = await Promise.all([andon(args), parallel(args)]);
      assert.equal(ours.code, theirs.code, `andon: ${ours.stderr}\nparallel: ${theirs.stderr}`);
    });
  }

  it('the same stdin lines give the same jobs', async () => {
    const input = 'one\ntwo words\n\nlast';
    const [ours, theirs] = await Promise.all([
      andon(['-k', 'echo', '[{}]'], input),
      parallel(['-k', 'echo', '[{}]'], input),
    ]);
    assert.equal(ours.stdout, theirs.stdout);
  });
});

describe('bytes that are not UTF-8 survive end to end, as in GNU parallel', {
  skip: gnuParallel === undefined ? 'GNU parallel is not installed (CI installs it)' : false,
}, () => {
  // A Latin-1 file name: caf\xe9.txt, which is not valid UTF-8.
  const files = mkdtempSync(join(dir, 'bytes-'));
  writeFileSync(Buffer.concat([Buffer.from(`${files}/`), Buffer.from('caf\xe9.txt', 'latin1')]), 'hello\n');
  const tools = { andon: `'${process.execPath}' '${ANDON_BIN}'`, parallel: `'${gnuParallel}' --will-cite` };
  const sh = (line: string): { status: number | null; stdout: Buffer; stderr: string } => {
    const result = spawnSync('sh', ['-c', line], { cwd: files });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString() };
  };
  const lines = [
    "ls | TOOL 'cat -- {}'",
    "ls | TOOL echo '[{}]'",
    'TOOL cat -- ::: "$(printf \'caf\\351.txt\')"',
    "printf 'caf\\351.txt\\0' | TOOL -0 cat --",
    "printf 'caf\\351.txt\\n' | gzip | gunzip | TOOL --tag cat --",
    'ls | TOOL -k --tag echo {.} {/} ::: x',
  ];
  for (const line of lines) {
    it(line, () => {
      const ours = sh(line.replaceAll('TOOL', tools.andon));
      const theirs = sh(line.replaceAll('TOOL', tools.parallel));
      assert.equal(ours.status, 0, ours.stderr);
      assert.equal(ours.status, theirs.status);
      assert.deepEqual(
        ours.stdout,
        theirs.stdout,
        `${ours.stdout.toString('latin1')} vs ${theirs.stdout.toString('latin1')}`,
      );
    });
  }

  it('the job log keys such a job so that --resume skips it', () => {
    const log = join(files, '..', 'bytes.joblog');
    const first = sh(`ls | ${tools.andon} --joblog '${log}' 'cat -- {}'`);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout.toString(), 'hello\n');
    const again = sh(`ls | ${tools.andon} --joblog '${log}' --resume 'cat -- {}'`);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.length, 0, 'nothing ran again');
  });
});
