/**
 * The resume's one-pass read of a job log (readJobLog, over the bytes) against the record
 * reader (scanJobLog, line by line, decoded and split): on any file, the same outcome for every
 * key, or the same error naming the same line, and the same warnings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { headerLine, recordLine } from '../src/joblog/format.js';
import { readJobLog, scanJobLog } from '../src/joblog/reader.js';

const dir = mkdtempSync(join(tmpdir(), 'andon-reader-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** What the record reader makes of a file: outcomes by key, or the error's message. */
function byRecords(path: string): { outcomes?: Map<string, boolean>; error?: string; warnings?: string[] } {
  const outcomes = new Map<string, boolean>();
  try {
    const { warnings } = scanJobLog(path, (r) => outcomes.set(r.key, r.exitValue === 0 && r.signal === 0));
    return { outcomes, warnings };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function byBytes(path: string): { outcomes?: Map<string, boolean>; error?: string; warnings?: string[] } {
  try {
    const { outcomes, warnings } = readJobLog(path);
    return { outcomes, warnings };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** A field as a job log might hold it, or garbage in its place. */
const field = fc.oneof(
  fc.constantFrom('0', '1', '-1', '00', '-0', '', ' ', '1.5', '   0.004', '.', 'x', '1e3', 'Infinity', '0x10', '7 '),
  fc.string({ maxLength: 4 }),
);
const key = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('a\\tb', 'a\\\\', 'é ü', 'x\\n'));

/** A record line: mostly well formed, sometimes with a field replaced or a tab too many. */
const line = fc.oneof(
  fc
    .record({ exitValue: fc.integer({ min: -1, max: 3 }), signal: fc.constantFrom(0, 0, 9), key })
    .map((r) => recordLine({ seq: 1, startTime: 1.5, runtime: 0.25, received: 0, ...r })),
  fc
    .tuple(fc.array(field, { minLength: 8, maxLength: 8 }), key, fc.integer({ min: 0, max: 8 }), field)
    .map(([fields, k, at, replacement]) => {
      const all = ['3', ':', '1.000', '0.500', '0', '0', ...fields.slice(6, 8), k.replace(/[\t\n]/g, '')];
      all[at] = replacement.replace(/[\t\n]/g, '');
      return `${all.join('\t')}\n`;
    }),
  fc.constantFrom('1\t:\t1\t1\t0\t0\t0\t0\tcmd\textra\n', '1\t:\t1\t1\t0\t0\t0\t0\n', '\n'),
);

describe('readJobLog, one pass over the bytes', () => {
  it('agrees with the record reader on every file', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.boolean(), (lines, torn) => {
        const path = join(dir, `log-${++files}`);
        const text = headerLine('cmd {}') + lines.join('');
        writeFileSync(path, torn ? `${text}1\t:\t1` : text);
        assert.deepEqual(byBytes(path), byRecords(path));
      }),
      { numRuns: 300 },
    );
  });

  it('reads a line longer than its buffer', () => {
    const path = join(dir, 'long');
    const long = 'x'.repeat(3 << 20);
    writeFileSync(
      path,
      headerLine(undefined) +
        recordLine({ seq: 1, startTime: 1, runtime: 1, received: 0, exitValue: 0, signal: 0, key: long }),
    );
    assert.equal(readJobLog(path).outcomes.get(long), true);
  });
});
