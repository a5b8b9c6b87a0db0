/**
 * Property-based tests: for any input, the CLI parser gives a plan or a one-line usage error,
 * the job-log reader gives a result or a JobLogError, and a pool's counts add up whatever the
 * tasks do and whenever it is stopped. Seeds are fixed so a failure reproduces; set
 * ANDON_FUZZ_SEED and ANDON_FUZZ_RUNS to explore further.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCommandLine } from '../src/cli/args.js';
import { UsageError } from '../src/errors.js';
import { Template } from '../src/command/template.js';
import { shellQuote } from '../src/command/quote.js';
import { readJobLog } from '../src/joblog/reader.js';
import { JobLogError } from '../src/joblog/job-log-error.js';
import { headerLine } from '../src/joblog/format.js';
import { createPool, OptionError, type StopToken } from '../src/index.js';
import { runCommand } from './helpers/cli.js';

const seed = Number(process.env.ANDON_FUZZ_SEED ?? 20261125);
const numRuns = Number(process.env.ANDON_FUZZ_RUNS ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'andon-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Words that look like what people type, mixed with anything at all. */
const word = fc.oneof(
  fc.constantFrom(
    ':::',
    '::::',
    '-j',
    '-j0',
    '--jobs=2',
    '-k',
    '-0',
    '--tag',
    '--lb',
    '--group',
    '--dry-run',
    '--timeout',
    '--retries',
    '--halt',
    'now,fail=1',
    '--grace',
    '--termseq',
    'TERM,10,KILL,5',
    '--joblog',
    '--resume',
    '--resume-failed',
    '--bar',
    '--',
    'echo',
    '{}',
    '{.}',
    '{1}',
    '{2/}',
    '{#}',
    '{%}',
    '{',
    '}',
    '{1',
    'demo',
    'report',
    '-o',
    '2',
    '0',
    '-1',
    'abc',
  ),
  fc.string({ maxLength: 12 }),
);

describe('fuzz: command line', () => {
  it('any argv gives a plan or a UsageError with a one-line message, never a crash', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 10 }), (argv) => {
        try {
          const plan = parseCommandLine(argv, 2);
          if (plan.action === 'run') {
            assert.ok(plan.jobs >= 1);
            // No command at all is GNU parallel's "each value is a command"; blank words are refused.
            assert.ok(plan.command === '' || plan.command.trim() !== '', JSON.stringify(plan.command));
          }
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          assert.ok(
            error.message.length > 0 && !error.message.includes('\n'),
            `not one line: ${JSON.stringify(error.message)}`,
          );
        }
      }),
      { seed, numRuns: numRuns * 3 },
    );
  });

  it('any template and values render, or the template is refused up front', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.array(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 3 }),
        fc.nat(1000),
        (text, values, seq) => {
          let template: Template;
          try {
            template = new Template(text);
          } catch (error) {
            assert.ok(error instanceof OptionError);
            return;
          }
          const rendered = template.render({ values, seq: seq + 1, slot: 1 }, shellQuote);
          assert.equal(typeof rendered, 'string');
        },
      ),
      { seed, numRuns },
    );
  });

  it('shell quoting keeps any value one argument, byte for byte', async () => {
    // Real /bin/sh: quoted values come back exactly, however odd they are.
    const values = fc.sample(
      fc.string({ minLength: 0, maxLength: 20 }).filter((v) => !v.includes('\0')),
      { seed, numRuns: 60 },
    );
    const script = values.map((value) => `printf '%s\\0' ${shellQuote(value)}`).join('; ');
    const exit = await runCommand('sh', ['-c', script]);
    assert.deepEqual(exit.stdout.split('\0').slice(0, -1), values);
  });
});

describe('fuzz: job log reader', () => {
  it('any bytes give a result or a JobLogError, never anything else', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc
        .tuple(
          fc.nat(),
          fc.double({ noNaN: false }),
          fc.integer({ min: -5, max: 300 }),
          fc.nat(64),
          fc.string({ maxLength: 20 }),
        )
        .map(([seq, t, exit, sig, cmd]) => `${seq}\t:\t${t}\t${t}\t0\t0\t${exit}\t${sig}\t${cmd}`),
    );
    let n = 0;
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(line, { maxLength: 8 }),
        fc.boolean(),
        (withHeader, lines, endsWithNewline) => {
          const path = join(dir, `log-${n++}`);
          writeFileSync(
            path,
            (withHeader ? headerLine(undefined) : '') + lines.join('\n') + (endsWithNewline ? '\n' : ''),
          );
          try {
            const contents = readJobLog(path);
            assert.ok(contents.outcomes instanceof Map);
          } catch (error) {
            if (!(error instanceof JobLogError)) throw error;
            assert.ok(!error.message.includes('\n'));
          }
        },
      ),
      { seed, numRuns },
    );
  });

  it('any raw bytes, including invalid UTF-8 and NULs', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const path = join(dir, `raw-${n++}`);
        writeFileSync(path, Buffer.concat([Buffer.from(headerLine(undefined)), bytes]));
        try {
          readJobLog(path);
        } catch (error) {
          if (!(error instanceof JobLogError)) throw error;
        }
      }),
      { seed, numRuns },
    );
  });
});

describe('fuzz: pool bookkeeping', () => {
  type Behaviour = 'ok' | 'throw' | 'reject' | 'coop' | 'ignore' | 'slowOk';
  const behaviour = fc.constantFrom<Behaviour>('ok', 'throw', 'reject', 'coop', 'ignore', 'slowOk');

  it('for any task outcomes and stop requests, done + failed + cancelled + notStarted + skipped = the total (or taken), and run() settles', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(behaviour, { maxLength: 25 }),
        fc.integer({ min: 1, max: 5 }),
        fc.record({
          stopAfter: fc.option(fc.nat(30)),
          forceAfter: fc.option(fc.nat(30)),
          retries: fc.nat(2),
          timeout: fc.constantFrom(Infinity, 3, 15),
          grace: fc.constantFrom(0, 5, 20),
          asyncInput: fc.boolean(),
        }),
        async (behaviours, concurrency, plan) => {
          let settledResults = 0;
          const pool = createPool({
            concurrency,
            retries: plan.retries,
            timeout: plan.timeout,
            grace: plan.grace,
            backoff: { initial: 1 },
            handleSignals: false,
            onNotice: () => {},
            onResult: () => settledResults++,
            task: async (i: number, stop: StopToken) => {
              switch (behaviours[i]) {
                case 'throw':
                  throw new Error('x');
                case 'reject':
                  await new Promise((resolve) => setTimeout(resolve, 1));
                  throw 'not an error';
                case 'coop':
                  await stop.sleep(20);
                  return i;
                case 'ignore':
                  return new Promise<number>(() => {});
                case 'slowOk':
                  await new Promise((resolve) => setTimeout(resolve, 3));
                  return i;
                default:
                  return i;
              }
            },
          });
          const items = behaviours.map((_, i) => i);
          const input = plan.asyncInput
            ? (async function* () {
                for (const item of items) {
                  await new Promise((resolve) => setImmediate(resolve));
                  yield item;
                }
              })()
            : items;
          const timers: NodeJS.Timeout[] = [];
          if (plan.stopAfter !== null) timers.push(setTimeout(() => pool.stop(), plan.stopAfter));
          if (plan.forceAfter !== null) timers.push(setTimeout(() => pool.forceStop(), plan.forceAfter));
          // Tasks that ignore their token are only ended by force: a safety net like a user's
          // second Ctrl+C, so that the property is about counting, not about waiting forever.
          timers.push(setTimeout(() => pool.forceStop(), 300));
          const summary = await pool.run(input);
          for (const timer of timers) clearTimeout(timer);
          assert.equal(
            summary.done + summary.failed + summary.cancelled + summary.notStarted + summary.skipped,
            summary.total ?? summary.taken,
            JSON.stringify(summary),
          );
          if (summary.total !== undefined) assert.equal(summary.inputRead, summary.taken === summary.total);
          else if (summary.inputRead) assert.equal(summary.taken, behaviours.length, 'read to the end: all taken');
          assert.equal(settledResults, summary.taken, 'one result per taken item');
          assert.ok(summary.taken <= behaviours.length);
          assert.equal(pool.busy, false);
        },
      ),
      { seed, numRuns: Math.min(numRuns, 150) },
    );
  });
});
