import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { perlTransform } from '../src/command/perl-subset.js';
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
      ['', 'same', 'same'],
    ];
    for (const [expression, value, expected] of cases)
      assert.equal(perlTransform(expression)(value), expected, `{= ${expression} =} of ${value}`);
  });

  it('refuses Perl it does not read, with one line naming what it reads', () => {
    for (const expression of ['$_ = reverse $_', 's/a/b', 's/a/$x/', 's/a/b/e', 'tr/a/b/d', '$_ += "x"', 's/a/b/ junk'])
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
