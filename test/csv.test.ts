import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvContinuation, csvFields } from '../src/cli/csv.js';
import { UsageError } from '../src/errors.js';

describe('--csv records', () => {
  it("splits fields as Perl's Text::CSV does (the cases GNU parallel was run on)", () => {
    const cases: [string, string[]][] = [
      ['a,"b,c",d', ['a', 'b,c', 'd']],
      ['"x ""q"" y",2,', ['x "q" y', '2', '']],
      ['"multi\nline",z', ['multi\nline', 'z']],
      ['"a""",b', ['a"', 'b']],
      ['"",b', ['', 'b']],
      [',', ['', '']],
      ['', ['']],
      [' a , b ', [' a ', ' b ']],
    ];
    for (const [record, fields] of cases) assert.deepEqual(csvFields(record, ','), fields, JSON.stringify(record));
    assert.deepEqual(csvFields('a;"b;c"', ';'), ['a', 'b;c']);
  });

  it('refuses what Text::CSV refuses: a stray quote, text after a closing quote, an unclosed quote, a CR', () => {
    for (const record of ['a"b,c', '"a"b,c', '"a" ,b', ' "a",b', '"a,b', 'a\r'])
      assert.throws(() => csvFields(record, ','), UsageError, JSON.stringify(record));
  });

  it('a line with unbalanced quotes goes on in the next, the newline kept in the field', () => {
    const continuation = new CsvContinuation('\n');
    assert.equal(continuation.next('a,"b'), undefined);
    assert.equal(continuation.next('c ""d"" e'), undefined);
    assert.equal(continuation.next('f",g'), 'a,"b\nc ""d"" e\nf",g');
    assert.equal(continuation.next('h,i'), 'h,i');
    assert.equal(continuation.rest(), undefined);
    assert.equal(continuation.next('"open'), undefined);
    assert.equal(continuation.rest(), '"open');
  });
});
