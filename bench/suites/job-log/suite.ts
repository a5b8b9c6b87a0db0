/**
 * The journal suite: what the job log costs. Per job: 2,000 `true` jobs at -j 2 through the
 * andon command with and without --joblog (GNU parallel with --joblog beside it). At resume:
 * how long it takes to read a job log of 1,000,000 records, alone and as a whole `andon
 * --resume` command, against GNU parallel's --resume over the same file.
 */
import { rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberField, runChild } from '../../lib/child.js';
import { median } from '../../lib/stats.js';
import type { Row, Suite } from '../../lib/suite.js';
import { headerLine, recordLine } from '../../../src/joblog/format.js';

const JOBS = 2_000;
const RECORDS = 1_000_000;
const REPEATS = 3;
const ANDON = fileURLToPath(new URL('../../../src/cli/bin.js', import.meta.url));
/** Issue #15: a whole --resume within half GNU parallel's time. */
const RESUME_GOAL = 0.5;
const script = (name: string): URL => new URL(`./${name}.js`, import.meta.url);

async function timed(file: string, args: string[], before?: () => void): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    before?.();
    runs.push(numberField(await runChild(script('timing'), [file, ...args], { timeoutMs: 300_000 }), 'ms'));
  }
  return median(runs);
}

export const jobLogSuite: Suite = {
  name: 'job-log',
  title: 'Job log: cost per job, and resume start-up',
  peers: ['without --joblog', 'GNU parallel'],
  method: [
    `Cost per job: ${JOBS.toLocaleString('en-US')} jobs of \`true\` at -j 2 through \`andon\` (the CLI: /bin/sh per job, watchdog included) with --joblog, without it, and GNU parallel with --joblog (PARALLEL_SHELL=/bin/sh, the same shell as andon's); wall time of the whole command, median of ${REPEATS}, a fresh job log each time.`,
    `Resume start-up: a job log of ${RECORDS.toLocaleString('en-US')} records (written once); "read" is andon's reader alone in a fresh process; "whole command" is \`andon --joblog LOG --resume true ::: x\` (reads the log, runs the one job not in it), against \`parallel --joblog LOG --resume true ::: x\`; then both again with the log's ${RECORDS.toLocaleString('en-US')} values and one more as input (\`:::: FILE\`, lines 1 … ${RECORDS.toLocaleString('en-US')} then x: andon skips the jobs whose command line the log holds, GNU parallel those whose sequence number it holds, and both run \`true x\`); median of ${REPEATS}. Targets: the read within 2,000 ms, and each whole command within ${RESUME_GOAL}× GNU parallel's time (issue #15).`,
  ],
  async run(progress) {
    const dir = mkdtempSync(join(tmpdir(), 'andon-bench-job-log-'));
    try {
      const inputs = join(dir, 'inputs');
      writeFileSync(inputs, Array.from({ length: JOBS }, (_, i) => `${i + 1}\n`).join(''));
      const log = join(dir, 'cost.log');
      const fresh = (): void => rmSync(log, { force: true });
      progress('job log: cost per job, andon with --joblog');
      const withLog = await timed(process.execPath, [ANDON, '-j', '2', '--joblog', log, 'true', '::::', inputs], fresh);
      progress('job log: cost per job, andon without --joblog');
      const without = await timed(process.execPath, [ANDON, '-j', '2', 'true', '::::', inputs]);
      progress('job log: cost per job, GNU parallel with --joblog');
      const gnu = await timed('parallel', ['--will-cite', '-j', '2', '--joblog', log, 'true', '::::', inputs], fresh);

      progress(`journal: writing a job log of ${RECORDS} records`);
      const big = join(dir, 'big.log');
      const lines: string[] = [headerLine(undefined)];
      for (let i = 1; i <= RECORDS; i++)
        lines.push(
          recordLine({
            seq: i,
            startTime: 1_795_593_904.388,
            runtime: 0.004,
            received: 2,
            exitValue: 0,
            signal: 0,
            key: `true ${i}`,
          }),
        );
      writeFileSync(big, lines.join(''));
      progress('job log: reading it');
      const reads: number[] = [];
      for (let i = 0; i < REPEATS; i++) reads.push(numberField(await runChild(script('load'), [big]), 'ms'));
      progress('job log: andon --resume over it');
      const andonResume = await timed(process.execPath, [ANDON, '--joblog', big, '--resume', 'true', ':::', 'x']);
      progress('job log: GNU parallel --resume over it');
      const gnuResume = await timed('parallel', ['--will-cite', '--joblog', big, '--resume', 'true', ':::', 'x']);
      // The same log with its million values read again as input, and one more value after them.
      const values = join(dir, 'values');
      writeFileSync(values, `${Array.from({ length: RECORDS }, (_, i) => i + 1).join('\n')}\nx\n`);
      progress('job log: andon --resume over it, the million values as input');
      const andonAll = await timed(process.execPath, [ANDON, '--joblog', big, '--resume', 'true', '::::', values]);
      progress('job log: GNU parallel --resume over it, the million values as input');
      const gnuAll = await timed('parallel', ['--will-cite', '--joblog', big, '--resume', 'true', '::::', values]);

      const perJob = (ms: number): number => (ms * 1000) / JOBS;
      const extra = perJob(withLog) - perJob(without);
      const rows: Row[] = [
        {
          label: `Wall time per job, ${JOBS} \`true\` jobs, -j 2, with --joblog`,
          unit: 'µs/job',
          better: 'lower',
          andon: perJob(withLog),
          peers: { 'without --joblog': perJob(without), 'GNU parallel': perJob(gnu) },
          decimals: 0,
        },
        {
          label: 'Cost of the job log per job (with − without)',
          unit: 'µs/job',
          better: 'lower',
          andon: extra,
          peers: {},
          decimals: 1,
          target: { text: 'small next to a job (< 5% of its time)', met: extra < 0.05 * perJob(without) },
        },
        {
          label: `Read a ${RECORDS / 1_000_000}M-record job log for resume`,
          unit: 'ms',
          better: 'lower',
          andon: median(reads),
          peers: {},
          decimals: 0,
          target: { text: '≤ 2,000 ms', met: median(reads) <= 2_000 },
        },
        {
          label: `Whole \`--resume\` command over that log, one input value (one job left)`,
          unit: 'ms',
          better: 'lower',
          andon: andonResume,
          peers: { 'GNU parallel': gnuResume },
          decimals: 0,
          target: { text: `≤ ${RESUME_GOAL}× GNU parallel`, met: andonResume <= RESUME_GOAL * gnuResume },
        },
        {
          label: `Whole \`--resume\` command over that log, its ${RECORDS / 1_000_000}M values re-read as input and one more (one job left)`,
          unit: 'ms',
          better: 'lower',
          andon: andonAll,
          peers: { 'GNU parallel': gnuAll },
          decimals: 0,
          target: { text: `≤ ${RESUME_GOAL}× GNU parallel`, met: andonAll <= RESUME_GOAL * gnuAll },
        },
      ];
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
