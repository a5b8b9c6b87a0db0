/**
 * Default options as GNU parallel reads them: profiles, then $PARALLEL, then the command line,
 * with a profile's non-option words (a command prefix) before the command.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine, type RunPlan } from '../src/cli/args.js';
import { type OptionDefaults, shellWords } from '../src/cli/option-defaults.js';
import { UsageError } from '../src/errors.js';

const defaults = (
  profile: string[],
  environment: string[],
  profiles: Record<string, string[]> = {},
): OptionDefaults => ({
  profileWords: (named) => (named.length === 0 ? profile : named.flatMap((name) => profiles[name] ?? [])),
  environmentWords: () => environment,
});

const run = (argv: string[], from: OptionDefaults): RunPlan => {
  const plan = parseCommandLine(argv, 2, from);
  assert.equal(plan.action, 'run');
  return plan as RunPlan;
};

describe('shellWords', () => {
  it('splits as a shell does: blanks, single quotes literal, double quotes and backslashes escaping', () => {
    assert.deepEqual(shellWords(`  -k --tagstring 'a {} b' "x\\"y" c\\ d  `, 'x'), [
      '-k',
      '--tagstring',
      'a {} b',
      'x"y',
      'c d',
    ]);
    assert.deepEqual(shellWords(`''`, 'x'), ['']);
    assert.deepEqual(shellWords('', 'x'), []);
  });

  it('refuses an unterminated quote, naming where it is', () => {
    assert.throws(
      () => shellWords('--tag "a', '$PARALLEL'),
      (error: unknown) => error instanceof UsageError && /^\$PARALLEL: unterminated " quote/.test(error.message),
    );
  });
});

describe('default options', () => {
  it('puts the profile before $PARALLEL before the command line, the last one winning', () => {
    const plan = run(
      ['--tagstring', 'c', 'echo', ':::', 'a'],
      defaults(['--tagstring', 'p', '-j1'], ['--tagstring', 'e']),
    );
    assert.equal(plan.jobs, 1);
    assert.equal(plan.tag, true);
    assert.equal(plan.tagFor?.(['a'], 1), 'c');
  });

  it('puts a profile’s command prefix before the command', () => {
    const plan = run(['-k', 'echo', ':::', 'a'], defaults(['-j1', 'nice', '-n', '5'], []));
    assert.equal(plan.keepOrder, true);
    assert.equal(plan.command, 'nice -n 5 echo');
  });

  it('reads the named profiles instead of the config with --profile, and none with --plain', () => {
    const from = defaults(['-k'], [], { tagged: ['--tag'] });
    const named = run(['-J', 'tagged', 'echo', ':::', 'a'], from);
    assert.equal(named.tag, true);
    assert.equal(named.keepOrder, false);
    const plain = run(['--plain', 'echo', ':::', 'a'], defaults(['-k'], ['--tag']));
    assert.equal(plain.keepOrder, false);
    assert.equal(plain.tag, false);
  });

  it('keeps the command line as given for the resume hint', () => {
    assert.deepEqual(run(['echo', ':::', 'a'], defaults(['-k'], [])).argv, ['echo', ':::', 'a']);
  });

  it('names $PARALLEL in an error of its options', () => {
    assert.throws(
      () => parseCommandLine(['echo', ':::', 'a'], 2, defaults([], ['--nope'])),
      /^UsageError: in \$PARALLEL: Unknown option --nope/,
    );
  });
});
