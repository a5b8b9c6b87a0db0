/**
 * The replacement-string table on its own: which string wins where two could match, what the
 * --plus strings do at their edges, and what a template needs before it can render. The same
 * strings are compared with GNU parallel itself in gnu-parallel.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ungreedy } from '../src/command/replacement-strings.js';
import { Template } from '../src/command/template.js';
import { OptionError } from '../src/errors.js';

const plain = (value: string): string => value;
function render(text: string, values: string[], more: { seq?: number; slot?: number; total?: number } = {}): string {
  const template = new Template(text, { plus: true, slots: 12 });
  return template.render({ values, seq: more.seq ?? 1, slot: more.slot, total: more.total }, plain);
}

describe('replacement strings', () => {
  it('tries the longer keys first, as GNU parallel does', () => {
    // {##} is the number of jobs, {##x} a greedy prefix; {0#} is padded, not source 0's {#}.
    assert.equal(render('{##} {##a.*a}', ['aXaYaZ'], { total: 7 }), '7 Z');
    assert.equal(render('{#a.*a}', ['aXaYaZ']), 'YaZ');
    assert.equal(render('{0#}', ['x'], { seq: 3, total: 120 }), '003');
    assert.equal(render('{0%}', ['x'], { slot: 4 }), '04');
    assert.equal(render('{%%.b} {%.b}', ['a.b.b']), 'a.b a.b');
  });

  it('takes a replacement as it is: no $& or $1 in it is expanded', () => {
    assert.equal(render('{/a/$&$1}', ['xay']), 'x$&$1y');
    assert.equal(render('{//a/$$}', ['aa']), '$$$$');
  });

  it('treats 0 as an empty value in {:-str}, as Perl does', () => {
    assert.equal(render('{:-d}', ['0']), 'd');
    assert.equal(render('{:-d}', ['00']), '00');
  });

  it('names a source by number, from the last with a minus', () => {
    assert.equal(render('{1..}|{-1+.}|{2/..}', ['a.b.c', 'd/e.f.g']), 'a|g|e');
  });

  it('leaves the --plus strings alone without --plus, and shell braces always', () => {
    const template = new Template('echo {+.} ${#x} { a; } {}');
    assert.equal(template.render({ values: ['v.w'], seq: 1, slot: 1 }, plain), 'echo {+.} ${#x} { a; } v.w');
  });

  it('says when the number of jobs is needed and which jobs are skipped', () => {
    assert.equal(new Template('echo {#}', { plus: true }).needsTotal, false);
    assert.equal(new Template('echo {0#}', { plus: true }).needsTotal, true);
    assert.equal(new Template('echo {##}', { plus: true }).needsTotal, true);
    const choose = new Template('{choose_k}', { plus: true });
    assert.deepEqual(
      [
        ['A', 'B'],
        ['B', 'A'],
        ['A', 'A'],
      ].map((values) => choose.skips(values)),
      [false, true, true],
    );
    const uniq = new Template('{1uniq}', { plus: true });
    assert.deepEqual(
      [
        ['A', 'B', 'C'],
        ['A', 'B', 'A'],
      ].map((values) => uniq.skips(values)),
      [false, true],
    );
    assert.equal(new Template('{}', { plus: true }).maySkip, false);
  });

  it('makes a pattern lazy the way make_regexp_ungreedy does', () => {
    assert.equal(ungreedy('a.*b+c?[x*]d{2}'), 'a.*?b+?c?[x*]d{2}?');
    assert.equal(ungreedy('\\*x*?'), '\\*x*?');
  });

  it('refuses a pattern that is no regular expression, naming it', () => {
    assert.throws(
      () => new Template('{/[/x}', { plus: true }),
      (error: unknown) => {
        assert.ok(error instanceof OptionError);
        assert.match(error.message, /^Replacement string `\{\/\[\/x\}`: `\[` is not a regular expression/);
        return true;
      },
    );
  });
});
