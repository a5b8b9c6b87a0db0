import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { perlSkip, perlTransform } from '../src/command/perl-subset.js';
import { OptionError } from '../src/errors.js';

describe('{= perl =}: the subset andon reads', () => {
  it('applies each statement to the value in turn, as Perl would', () => {
    const cases: [string, string, string][] = [
      ['s/(.).*/$1/', 'abc', 'a'],
      ['s:\\.[^.]+$::;s:\\.[^.]+$::;', 'a.tar.gz', 'a'],
      ['s/a/-/g', 'banana', 'b-n-n-'],
      ['s/A/x/gi', 'aAa', 'xxx'],
      ['s/(\\w+) (\\w+)/${2}_$1/', 'hello world', 'world_hello'],
      ['s/a/\\t$&/', 'ba', 'b\ta'],
      ['s#/#\\##g', 'a/b/c', 'a#b#c'],
      ['tr/a-c/A-C/', 'abcd', 'ABCd'],
      ['y/ab/x/', 'abc', 'xxc'],
      ['$_++', '9', '10'],
      ['$_++', 'az', 'ba'],
      ['$_++', 'Zz', 'AAa'],
      ['$_++', 'a9', 'b0'],
      ['++$_', '', '1'],
      ['$_--', '3x', '2'],
      ['$_ %= 2', '7', '1'],
      ['$_ *= 3', '2.5', '7.5'],
      ['$_ .= "x"', 'a', 'ax'],
      ["$_ .= '$y'", 'a', 'a$y'],
      ['$_ = uc($_)', 'aB', 'AB'],
      ['$_=lc', 'aB', 'ab'],
      ['$_ = ucfirst($_); s/b/B/', 'abc', 'ABc'],
      ['$_ = "<$_>\\n"', 'a', '<a>\n'],
      ["$_ = '$_'", 'a', '$_'],
      ['$_ = Q($_)', "it's", `'it'"'"'s'`],
      ['', 'same', 'same'],
    ];
    for (const [expression, value, expected] of cases)
      assert.equal(perlTransform(expression)(value), expected, `{= ${expression} =} of ${value}`);
  });

  it('refuses Perl it does not read, with one line naming what it reads', () => {
    for (const expression of [
      '$_ = "$x"',
      '$_ = reverse $_',
      's/a/b',
      's/a/$x/',
      's/a/b/e',
      'tr/a/b/d',
      '$_ += "x"',
      's/a/b/ junk',
    ])
      assert.throws(
        () => perlTransform(expression),
        (error: unknown) => {
          assert.ok(error instanceof OptionError, expression);
          assert.match(error.message, /andon reads s\/\/\/, y\/\/\//);
          assert.doesNotMatch(error.message, /\n/);
          return true;
        },
      );
  });
});

describe('{= if (COND) { skip() } =}: which jobs are skipped', () => {
  it('compares $_ (each value), $arg[N], numbers and strings', () => {
    const cases: [string, string[], boolean][] = [
      ['if($_==3) { skip() }', ['3'], true],
      ['if($_==3) { skip() }', ['4'], false],
      ['if ($arg[1] == $arg[2]) { skip(); }', ['2', '2'], true],
      ['if ($arg[1] == $arg[2]) { skip(); }', ['1', '2'], false],
      ['if($_ eq "b" or $_ > 3) { skip() }', ['b'], true],
      ['if($_ eq "b" or $_ > 3) { skip() }', ['5'], true],
      ['if($_ eq "b" or $_ > 3) { skip() }', ['a'], false],
      ['if($arg[1] lt $arg[2] && $arg[2] ne "z") { skip() }', ['a', 'b'], true],
      ['if($arg[1] lt $arg[2] && $arg[2] ne "z") { skip() }', ['a', 'z'], false],
    ];
    for (const [expression, values, skipped] of cases)
      assert.equal(perlSkip(expression)?.(values), skipped, `{= ${expression} =} of ${values.join(' ')}`);
  });

  it('is not a skip for any other form, and refuses a condition it does not read', () => {
    assert.equal(perlSkip('s/a/b/'), undefined);
    for (const expression of ['if ($_ =~ /x/) { skip() }', 'if ($_ == 1 or $_ == 2 and $_ == 3) { skip() }'])
      assert.throws(() => perlSkip(expression), OptionError, expression);
  });
});
