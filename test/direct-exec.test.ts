/**
 * Direct exec (src/cli/direct-exec.ts): a job's line of plain words runs its program without
 * /bin/sh, and nothing a user can see changes. The splitting is checked against andon's own
 * quoting and against lines the shell must read; then a corpus of command lines runs through
 * the andon command both ways (`--shell` forcing the shell), and stdout, stderr and the exit
 * code must be byte-identical, while a probe job shows the two ways really differ in what
 * starts the program.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { DirectExec, plainWords } from '../src/cli/direct-exec.js';
import { shellQuote } from '../src/command/quote.js';
import { ANDON_BIN, runCommand } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'andon-direct-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A file in the test's directory, executable. */
function program(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
}

/** Prints the name of the process that started it: sh under the shell, node when exec'd directly. */
const PARENT = program('parent', '#!/bin/sh\ncat /proc/$PPID/comm\n');
/** Executable text without #!: execve refuses it, and dash runs it as a script itself. */
const NO_SHEBANG = program('no-shebang', 'echo read by the shell "$@"\n');

describe('plainWords', () => {
  it('splits and unquotes plain words as the shell does', () => {
    assert.deepEqual(plainWords('gzip -k a.txt'), ['gzip', '-k', 'a.txt']);
    assert.deepEqual(plainWords("echo 'a b'  ''\t'it'\"'\"'s'"), ['echo', 'a b', '', "it's"]);
    assert.deepEqual(plainWords('echo a\\ b "c d" x=1 -@,%:+'), ['echo', 'a b', 'c d', 'x=1', '-@,%:+']);
  });

  it('gives back any value andon quotes as one word', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        assert.deepEqual(plainWords(`echo ${shellQuote(value)}`), ['echo', value]);
      }),
    );
  });

  it('refuses every line the shell would read as more than words', () => {
    const lines = [
      'a | b',
      'a; b',
      'a && b',
      'a > out',
      'a < in',
      'echo $HOME',
      'echo "$HOME"',
      'echo `date`',
      'echo *.txt',
      'echo a?',
      'echo [ab]',
      'ls ~',
      'echo {a,b}',
      'echo # comment',
      'a &',
      '(a)',
      'echo a\\\nb',
      'echo a\nb',
      "echo 'open",
      'echo "open',
      'echo "a\\"b"',
      'echo !x',
      '   ',
    ];
    for (const line of lines) assert.equal(plainWords(line), undefined, line);
  });
});

describe('DirectExec', () => {
  const direct = new DirectExec(process.env.PATH, dir);

  it('runs a program found on PATH, or by its path, with the words as typed', () => {
    const spec = direct.specOf("true 'a b'");
    assert.deepEqual(spec?.argv, ['true', 'a b']);
    assert.match(spec?.direct?.program ?? '', /^\/.*\/true$/);
    assert.equal(spec?.direct?.line, "true 'a b'");
    assert.equal(direct.specOf('./parent x')?.direct?.program, PARENT);
  });

  it('leaves builtins, keywords, assignments, missing programs and scripts without #! to the shell', () => {
    for (const line of ['echo a', 'printf x', 'test -f x', 'cd /', 'if', 'X=1 env', 'no-such-program-here a'])
      assert.equal(direct.specOf(line), undefined, line);
    assert.equal(direct.specOf(NO_SHEBANG), undefined);
    assert.equal(direct.specOf(dir), undefined, 'a directory');
  });

  it('leaves everything to the shell where PATH is unset or a relative entry comes first', () => {
    assert.equal(new DirectExec(undefined, dir).specOf('env'), undefined);
    assert.equal(new DirectExec(`.:${process.env.PATH}`, dir).specOf('env'), undefined);
  });
});

/** `andon ...args` with /bin/sh as the jobs' shell, in the test's directory. */
function andonSh(args: readonly string[]): ReturnType<typeof runCommand> {
  return runCommand(
    '/bin/sh',
    ['-c', `cd ${shellQuote(dir)} && exec "$@"`, 'sh', process.execPath, ANDON_BIN, ...args],
    '',
    {
      PARALLEL_SHELL: '/bin/sh',
    },
  );
}

describe('the andon command, direct and through the shell', () => {
  it('starts a plain line without the shell, and not with --shell', async () => {
    assert.equal((await andonSh([PARENT, ':::', '1'])).stdout, 'node\n');
    assert.equal((await andonSh(['--shell', PARENT, ':::', '1'])).stdout, 'sh\n');
  });

  const corpus: readonly (readonly string[])[] = [
    ['-k', 'env', 'printf', '[%s]\\n', ':::', 'a', 'b c', "it's", '', '$HOME', '*', 'tab\there', 'é'],
    ['-k', 'true', ':::', '1', '2'],
    ['-k', 'false', ':::', '1', '2'],
    ['-k', '-q', 'sh', '-c', 'echo out; echo err >&2; exit {}', ':::', '0', '3', '130'],
    ['-k', 'ls', '/no/such/dir/{}', ':::', 'a', 'b'],
    ['-k', 'ls', '--no-such-option', ':::', 'x'],
    ['-k', '-v', 'env', 'printf', '%s\\n', ':::', 'one', 'two'],
    ['-k', '--tag', 'cat', ':::', '/dev/null', '/no/such/file'],
    ['-k', 'printenv', 'PWD', 'PARALLEL_SEQ', 'PARALLEL_JOBSLOT', ':::', 'PATH'],
    ['-k', NO_SHEBANG, ':::', 'x'],
    ['-k', 'nosuch{}', ':::', 'x'],
    ['-k', './parent-missing', ':::', 'x'],
    ['-k', 'env', 'printf', '%s\\n', '{}', '|', 'cat', ':::', 'piped'],
    ['-k', '-q', 'env', 'printf', '%s|', 'a b', ':::', 'c d'],
    ['-k', '--pipe', '-N', '2', 'cat', ':::', 'unused'],
    ['--halt', 'now,fail=1', '-j', '1', '-q', 'sh', '-c', 'exit {}', ':::', '0', '4', '0'],
  ];
  for (const args of corpus) {
    it(`gives the same bytes and exit code: andon ${args.join(' ')}`, async () => {
      const direct = await andonSh(args);
      const shell = await andonSh(['--shell', ...args]);
      // The run's summary ends with how long it took; the rest of it must match.
      const timeless = (text: string): string => text.replace(/ in \d[\d.]*m?s\b/g, ' in …');
      assert.equal(direct.stdout, shell.stdout);
      assert.equal(timeless(direct.stderr), timeless(shell.stderr));
      assert.equal(direct.status, shell.status);
    });
  }

  it('gives a job the environment the shell gives it (same variables and values)', async () => {
    const sorted = (text: string): string[] =>
      text
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('ANDON_WATCHDOG='))
        .sort();
    const args = ['env', ':::', '-uNOT_SET'];
    const direct = await andonSh(args);
    const shell = await andonSh(['--shell', ...args]);
    assert.equal(direct.status, 0);
    assert.deepEqual(sorted(direct.stdout), sorted(shell.stdout));
    assert.ok(sorted(direct.stdout).some((line) => line.startsWith('PWD=')));
  });
});
