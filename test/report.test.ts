/** The timeline report: slot layout, and the page as a real browser renders it. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GAP_WIDTH, idleGaps, TimeAxis } from '../src/report/axis.js';
import { formatDuration } from '../src/format.js';
import { renderReport } from '../src/report/html.js';
import { jobTotals, placeJobs } from '../src/report/layout.js';
import { headerLine, recordLine } from '../src/joblog/format.js';
import { andon, startAndon } from './helpers/cli.js';
import { chromium, renderedDom, screenshot } from './helpers/browser.js';

const dir = mkdtempSync(join(tmpdir(), 'andon-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const record = (seq: number, startTime: number, runtime: number, exitValue = 0) => ({
  seq,
  startTime,
  runtime,
  exitValue,
  signal: 0,
  received: 0,
  key: `job ${seq}`,
});

describe('report layout', () => {
  it('puts each job on the lowest slot free when it starts', () => {
    const { jobs, slots } = placeJobs([
      record(1, 0, 2),
      record(2, 0, 1),
      record(3, 1, 1),
      record(4, 2, 1),
      record(5, 0.5, 3),
    ]);
    assert.equal(slots, 3);
    assert.deepEqual(
      jobs.map((job) => [job.seq, job.slot]),
      [
        [1, 0],
        [2, 1],
        [5, 2],
        [3, 1],
        [4, 0],
      ],
    );
  });

  it('a job that starts a millisecond before the last one ended reuses its slot', () => {
    assert.equal(placeJobs([record(1, 0, 1.0005), record(2, 1, 1)]).slots, 1);
  });

  it('counts jobs by command line: a rerun that succeeded is done, a job that failed twice is one failure', () => {
    const retried = (seq: number, start: number, exitValue: number, key: string) => ({
      ...record(seq, start, 1, exitValue),
      key,
    });
    const { jobs } = placeJobs([
      retried(1, 0, 1, 'a'),
      retried(2, 0, 1, 'b'),
      retried(3, 1, 0, 'c'),
      retried(1, 10, 0, 'a'),
      retried(2, 10, 1, 'b'),
    ]);
    const totals = jobTotals(jobs);
    assert.deepEqual([totals.jobs, totals.runs, totals.done], [3, 5, 2]);
    assert.deepEqual(
      totals.failed.map((job) => [job.key, job.startTime]),
      [['b', 10]],
    );
  });

  it('cuts a long idle stretch out of the time axis; elsewhere time is linear', () => {
    const gaps = idleGaps([
      [0, 10],
      [3, 12],
      [7212, 7220],
    ]);
    assert.deepEqual(gaps, [{ from: 12, to: 7212 }]);
    assert.deepEqual(
      idleGaps([
        [0, 10],
        [12, 20],
      ]),
      [],
      'a short pause stays',
    );
    const axis = new TimeAxis(0, 7220, gaps, 100, 1000);
    assert.equal(axis.x(0), 100);
    assert.equal(axis.x(7220), 1100);
    assert.ok(Math.abs(axis.x(7212) - axis.x(12) - GAP_WIDTH) < 1e-9, 'the gap is GAP_WIDTH wide');
    assert.ok(Math.abs(axis.x(6) - (axis.x(0) + axis.x(12)) / 2) < 1e-9, 'linear before the gap');
    assert.equal(axis.timeAt(axis.x(12) + GAP_WIDTH / 2), undefined, 'no time inside the gap');
    assert.ok(Math.abs(axis.timeAt(axis.x(7216))! - 7216) < 1e-9, 'timeAt inverts x');
  });

  it('a report of two runs two hours apart: the gap is cut, the totals count jobs, the last label fits', () => {
    const t0 = 1_800_000_000;
    const rows = [
      { ...record(1, t0, 5, 1), key: 'job a' },
      { ...record(2, t0, 5), key: 'job b' },
      { ...record(1, t0 + 7200, 5), key: 'job a' },
    ];
    const { jobs, slots } = placeJobs(rows);
    const html = renderReport({
      title: 'two runs',
      jobs,
      slots,
      events: [
        { event: 'start', at: t0, resume: false },
        { event: 'start', at: t0 + 7200, resume: true },
      ],
    });
    assert.match(html, /id="total-jobs">2<\/b>jobs \(<span id="total-runs">3<\/span> runs: 1 again\)/);
    assert.match(html, /id="total-done">2</);
    assert.match(html, /id="total-failed">0</);
    assert.ok(html.includes(`nothing ran for ${formatDuration(7_195_000)} (cut out)`), 'the gap, with its length');
    assert.equal(html.match(/<g class="gap">/g)?.length, 1);
    const bars = [...html.matchAll(/<rect class="job[^"]*" x="([\d.]+)" [^>]*width="([\d.]+)"/g)].map(([, x, w]) => [
      Number(x),
      Number(w),
    ]);
    assert.ok(
      bars.every(([, width]) => width! > 300),
      `every 5 s bar is wide, not a sliver: ${JSON.stringify(bars)}`,
    );
    assert.match(html, /<text x="[\d.]+" y="\d+">run 2 \(resume\)</, 'mid-page, the label is right of its line');
  });

  it('a run that starts near the right edge has its label left of its line, so it is not cut off', () => {
    const t0 = 1_800_000_000;
    const { jobs, slots } = placeJobs([record(1, t0, 10), record(2, t0 + 9.9, 0.1)]);
    const html = renderReport({
      title: 'late resume',
      jobs,
      slots,
      events: [
        { event: 'start', at: t0, resume: false },
        { event: 'start', at: t0 + 9.9, resume: true },
      ],
    });
    assert.match(html, /text-anchor="end">run 2 \(resume\)</);
  });
});

describe('andon report', () => {
  it('bad input: a missing job log, a corrupt one, no job log given', async () => {
    const corrupt = join(dir, 'corrupt.log');
    writeFileSync(corrupt, `${headerLine(undefined)}nonsense\n`);
    for (const [args, message] of [
      [['report', join(dir, 'none.log')], /^andon: Job log not found: .*none\.log/],
      [['report', corrupt], /^andon: .*corrupt\.log:2 is not a job log record/],
      [['report'], /^andon: andon report takes one job log/],
      [['report', 'a', '--bogus'], /^andon: Unknown option --bogus for andon report/],
    ] as const) {
      const exit = await andon([...args]);
      assert.equal(exit.code, 255, exit.stderr);
      assert.match(exit.stderr, message);
    }
  });

  it('renders a real interrupted and resumed run in a browser: every job, the interrupt, the totals', {
    skip: chromium === undefined ? 'Chromium is not installed (CI installs it)' : false,
  }, async () => {
    const log = join(dir, 'run.log');
    const command = 'sleep 0.{}; exit $(( {} == 3 ))';
    const values = ['1', '2', '3', '4', '5', '6', '7', '8'];
    const child = startAndon(['-j', '2', '--joblog', log, command, ':::', ...values]);
    while (!existsSync(log) || readFileSync(log, 'utf8').split('\n').length < 4)
      await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    await child.exited;
    const resumed = await andon(['-j', '2', '--joblog', log, '--resume', command, ':::', ...values]);
    assert.equal(resumed.code, 1, 'job 3 fails');

    const html = join(dir, 'report.html');
    const made = await andon(['report', log, '-o', html]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stderr, /wrote .*report\.html \(8 jobs\)/);
    assert.doesNotMatch(readFileSync(html, 'utf8'), /(src|href)="https?:/, 'self-contained: nothing fetched');

    const dom = renderedDom(html);
    const layout = JSON.parse(/data-layout="([^"]+)"/.exec(dom)![1]!.replaceAll('&quot;', '"')) as {
      width: number;
      drawn: number;
    };
    assert.equal(layout.drawn, 8, 'the browser drew a bar for every job');
    assert.ok(layout.width > 1000);
    assert.match(dom, /id="total-jobs">8</);
    assert.match(dom, /id="total-done">7</);
    assert.match(dom, /id="total-failed">1</);
    assert.match(dom, /id="total-interrupts">1</);
    assert.match(dom, /class="marker interrupt".*SIGINT/s);
    assert.match(dom, /run 2 \(resume\)/);
    assert.match(dom, /<td>3<\/td><td>1<\/td>/, 'the failed job is listed');

    const png = join(dir, 'report.png');
    screenshot(html, png);
    assert.ok(statSync(png).size > 5_000, 'a screenshot with something on it');
  });

  it('a 10,000-job report: the browser draws every bar', {
    skip: chromium === undefined ? 'Chromium is not installed (CI installs it)' : false,
  }, async () => {
    const log = join(dir, 'big.log');
    const lines = [headerLine('gzip -k {}')];
    for (let i = 0; i < 10_000; i++)
      lines.push(
        recordLine({
          seq: i + 1,
          startTime: 1_800_000_000 + Math.floor(i / 8) * 0.1,
          runtime: 0.09,
          received: 0,
          exitValue: i % 500 === 0 ? 1 : 0,
          signal: 0,
          key: `gzip -k file-${i}.log`,
        }),
      );
    writeFileSync(log, lines.join(''));
    const html = join(dir, 'big.html');
    assert.equal((await andon(['report', log, '-o', html])).code, 0);
    const layout = JSON.parse(/data-layout="([^"]+)"/.exec(renderedDom(html))![1]!.replaceAll('&quot;', '"')) as {
      drawn: number;
    };
    assert.equal(layout.drawn, 10_000);
  });
});
