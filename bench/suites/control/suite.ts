/**
 * The control suite: pulling the cord from elsewhere. How long `andon stop` takes to end a
 * run in another process, locally and through Redis, and whether the live page keeps up with
 * a run of 10,000 jobs at about 100 a second.
 */
import { numberField, numbersField, runChild, type JsonRecord } from '../../lib/child.js';
import { median } from '../../lib/stats.js';
import type { Row, Suite } from '../../lib/suite.js';
import { chromium } from '../../../test/helpers/browser.js';

const REPEATS = 7;
const PAGE_JOBS = 10_000;
/** Issue #14: a local run ends within grace + termination sequence + 100 ms; through Redis, 1 s more. */
const LOCAL_GOAL_MS = 100;
const REDIS_GOAL_MS = 1_100;
const script = (name: string): URL => new URL(`./${name}.js`, import.meta.url);

/** The rows of the page measurement. */
function pageRows(record: JsonRecord): Row[] {
  const plainMs = numberField(record, 'plainMs');
  const servedMs = numberField(record, 'servedMs');
  const updates = record.updates as number[][];
  const reports = record.reports as number[][];
  // While the run ran: from the first update to the one that showed every job done.
  const running = updates.filter((update) => update[1]! < PAGE_JOBS);
  const gaps = running.slice(1).map((update, i) => update[0]! - running[i]![0]!);
  const span = (running.at(-1)![0]! - running[0]![0]!) / 1000;
  const renders = updates.map((update) => update[2]!);
  const loads = reports.map((load) => load[1]!);
  const rate = (PAGE_JOBS / servedMs) * 1000;
  const context = (label: string, unit: string, andon: number, decimals = 0): Row => ({
    label,
    unit,
    better: 'lower',
    andon,
    peers: {},
    decimals,
  });
  return [
    {
      label: `Live page: ${PAGE_JOBS.toLocaleString('en-US')} × \`sleep 0.02\`, -j 4, run's wall time with \`--serve\` and the page open`,
      unit: 'ms',
      better: 'lower',
      andon: servedMs,
      peers: { 'without the page': plainMs },
      target: { text: '≤ 1.1× without the page', met: servedMs <= 1.1 * plainMs },
    },
    {
      label: 'Live page: jobs settled per second in that run',
      unit: 'jobs/s',
      better: 'higher',
      andon: rate,
      peers: {},
      target: { text: '≥ 100 (the load the page must hold)', met: rate >= 100 },
    },
    {
      label: 'Live page: updates the page received per second while jobs ran',
      unit: '/s',
      better: 'higher',
      andon: running.length / span,
      peers: {},
      decimals: 1,
      target: { text: '≤ 10 (batched)', met: running.length / span <= 10 },
    },
    {
      label: 'Live page: longest gap between two updates while jobs ran',
      unit: 'ms',
      better: 'lower',
      andon: Math.max(...gaps),
      peers: {},
      target: { text: '≤ 1,000 ms (never falls behind)', met: Math.max(...gaps) <= 1_000 },
    },
    context('Live page: time to apply one update in the page, median', 'ms', median(renders), 2),
    context('Live page: the same, longest', 'ms', Math.max(...renders), 1),
    context('Live page: timeline loads during the run', 'loads', reports.length),
    context('Live page: time to load the timeline, longest (10,000 bars at the end)', 'ms', Math.max(...loads)),
    {
      label: `Live page: run exited → the page shows the final timeline (${numberField(record, 'finalBars').toLocaleString('en-US')} bars)`,
      unit: 'ms',
      better: 'lower',
      andon: numberField(record, 'exitToFinalMs'),
      peers: {},
      target: { text: '≤ 2,000 ms', met: numberField(record, 'exitToFinalMs') <= 2_000 },
    },
  ];
}

export const controlSuite: Suite = {
  name: 'control',
  title: 'Pulling the cord from elsewhere: andon stop, and the live page under load',
  peers: ['without the page'],
  method: [
    `Stop latency: a run \`andon -j 2 'exec sleep 30' ::: 1 2\` in its own process (the jobs end on the first SIGTERM, so no grace period is waited out); once both jobs run and the run is listed, it is stopped, and the figure is the stop → the run's process has exited. "library": \`stopRun(id)\` from the measuring process (the request alone); "command": an \`andon stop ID\` process started at t0 (its Node start-up included); "Redis": \`stopQueueRun()\` through a fresh redis-server, the run's jobs on two \`andon worker\` processes, the stop going through the queue's event stream to the submitter. One untimed run, then ${REPEATS}; median and longest. Targets (issue #14): a local run within the grace period + the termination sequence + ${LOCAL_GOAL_MS} ms (here: ${LOCAL_GOAL_MS} ms, as neither is waited out), through Redis 1 s more.`,
    `Live page: ${PAGE_JOBS.toLocaleString('en-US')} jobs \`sleep 0.02\` at -j 4 with \`--serve\`, the page open in Debian's headless Chromium (playwright-core) from the run's start; the page's own render function is wrapped to record each update's arrival and cost, and the timeline's frame each load of the report. The same run without --serve (and no browser) is the "without the page" figure. Everything on the same 2 cores: the run, its jobs, and the browser.`,
  ],
  async run(progress) {
    const rows: Row[] = [];
    const modes = [
      ['library', `\`stopRun(id)\` from another process → the run exited`],
      ['command', '`andon stop ID` started → the run exited'],
      ['redis', '`stopQueueRun()` through Redis (run on 2 workers) → the submitter exited'],
    ] as const;
    for (const [mode, label] of modes) {
      progress(`control: stop latency, ${mode}`);
      const samples = numbersField(
        await runChild(script('stop-latency'), [mode, String(REPEATS)], { timeoutMs: 600_000 }),
        'samples',
      );
      const goal = mode === 'redis' ? REDIS_GOAL_MS : LOCAL_GOAL_MS;
      const target =
        mode === 'command'
          ? undefined
          : { text: `≤ ${goal.toLocaleString('en-US')} ms`, met: Math.max(...samples) <= goal };
      const row = { unit: 'ms', better: 'lower', peers: {}, decimals: 1 } as const;
      rows.push({ ...row, label: `Stop latency, ${label}, median of ${REPEATS}`, andon: median(samples) });
      rows.push({
        ...row,
        label: `Stop latency, ${label}, longest of ${REPEATS}`,
        andon: Math.max(...samples),
        ...(target === undefined ? {} : { target }),
      });
    }
    if (chromium === undefined) progress('control: no Chromium, so no live-page rows (apt-get install chromium)');
    else {
      progress(`control: the live page under ${PAGE_JOBS} jobs`);
      rows.push(...pageRows(await runChild(script('page-load'), [String(PAGE_JOBS)], { timeoutMs: 900_000 })));
    }
    return rows;
  },
};
