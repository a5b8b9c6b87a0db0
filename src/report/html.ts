/**
 * The report page: one self-contained HTML file (no network, no external script or style),
 * readable at a glance for 10 jobs or 10,000: totals at the top, then a timeline with a row
 * per slot, each job a bar coloured by outcome, interrupts and resumes marked, and the failed
 * jobs listed below.
 */
import { formatDuration } from '../format.js';
import type { RunEvent } from '../joblog/runs.js';
import { GAP_WIDTH, idleGaps, TimeAxis } from './axis.js';
import { jobTotals, type JobTotals, type PlacedJob, succeeded } from './layout.js';

/** What the page shows. */
export interface ReportData {
  readonly title: string;
  readonly jobs: readonly PlacedJob[];
  readonly slots: number;
  readonly events: readonly RunEvent[];
}

const WIDTH = 1200;
const LEFT = 60;
const RIGHT = 20;
const TOP = 30;
const ROWS_HEIGHT_MAX = 520;
const MAX_FAILURES_LISTED = 200;

/** Where things go on the timeline: its time range, its rows, and a time's x coordinate. */
interface Timeline {
  readonly t0: number;
  readonly span: number;
  readonly slots: number;
  readonly rowHeight: number;
  readonly height: number;
  readonly axis: TimeAxis;
  readonly x: (t: number) => number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function clock(epochSeconds: number): string {
  return new Date(epochSeconds * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/** Spans every job and every run event, so that markers after the last job still show. */
function timelineOf(data: ReportData): Timeline {
  const { jobs, slots, events } = data;
  const starts = [...jobs.map((job) => job.startTime), ...events.map((event) => event.at)];
  const ends = [...jobs.map((job) => job.endTime), ...events.map((event) => event.at)];
  const t0 = starts.length > 0 ? Math.min(...starts) : 0;
  const t1 = Math.max(t0 + 0.001, ...ends);
  const span = t1 - t0;
  const rowHeight = Math.max(2, Math.min(22, Math.floor(ROWS_HEIGHT_MAX / Math.max(1, slots))));
  const height = TOP + slots * rowHeight + 40;
  const busy = [
    ...jobs.map((job) => [job.startTime, job.endTime] as const),
    ...events.map((event) => [event.at, event.at] as const),
  ];
  const axis = new TimeAxis(t0, t1, idleGaps(busy), LEFT, WIDTH - LEFT - RIGHT);
  return { t0, span, slots, rowHeight, height, axis, x: (t) => axis.x(t) };
}

function renderBar(job: PlacedJob, { rowHeight, x }: Timeline): string {
  const ok = succeeded(job);
  const width = Math.max(ok ? 1 : 2, x(job.endTime) - x(job.startTime));
  const tip = `#${job.seq} ${ok ? 'done' : `failed (exit ${job.exitValue}${job.signal !== 0 ? `, signal ${job.signal}` : ''})`} in ${job.runtime.toFixed(3)} s\n${job.key}`;
  return `<rect class="job ${ok ? 'done' : 'failed'}${width >= 4 ? ' edged' : ''}" x="${x(job.startTime).toFixed(1)}" y="${TOP + job.slot * rowHeight + 1}" width="${width.toFixed(1)}" height="${Math.max(1, rowHeight - 2)}"><title>${escapeHtml(tip)}</title></rect>`;
}

function renderBars(jobs: readonly PlacedJob[], timeline: Timeline): string {
  // Failed bars last and at least 2 px wide, so that among thousands they still show.
  const ordered = [...jobs.filter((job) => succeeded(job)), ...jobs.filter((job) => !succeeded(job))];
  return ordered.map((job) => renderBar(job, timeline)).join('\n');
}

/** A dashed line per interrupt and per later run; the first run's start is the timeline's left edge. */
function renderMarkers(events: readonly RunEvent[], { height, x }: Timeline): string {
  let runNumber = 0;
  return events
    .filter((event) => event.event !== 'end')
    .map((event) => {
      const at = x(event.at).toFixed(1);
      if (event.event === 'interrupt') {
        return `<g class="marker interrupt"><line x1="${at}" x2="${at}" y1="${TOP - 12}" y2="${height - 30}"/><text x="${(Number(at) - 4).toFixed(1)}" y="${TOP - 16}">${escapeHtml(event.signal)}</text></g>`;
      }
      runNumber++;
      if (runNumber === 1) return '';
      // Near the right edge the label goes to the left of its line, so that it is not cut off.
      const leftward = Number(at) > WIDTH - 140;
      const label = `x="${(Number(at) + (leftward ? -4 : 4)).toFixed(1)}" y="${TOP - 16}"${leftward ? ' text-anchor="end"' : ''}`;
      return `<g class="marker resume"><line x1="${at}" x2="${at}" y1="${TOP - 12}" y2="${height - 30}"/><text ${label}>run ${runNumber}${event.resume ? ' (resume)' : ''}</text></g>`;
    })
    .join('\n');
}

/** Six ticks evenly spaced across the plot, each labelled with the time since the start (none inside a cut gap). */
function renderTicks({ t0, height, axis }: Timeline): string {
  const plotWidth = WIDTH - LEFT - RIGHT;
  return Array.from({ length: 6 }, (_, i) => {
    const x = LEFT + (plotWidth * i) / 5;
    const t = axis.timeAt(x);
    if (t === undefined) return '';
    return `<g class="tick"><line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${TOP}" y2="${height - 30}"/><text x="${x.toFixed(1)}" y="${height - 14}">${formatDuration((t - t0) * 1000)}</text></g>`;
  }).join('\n');
}

/** A hatched band where an idle stretch was cut out, with its length. */
function renderGaps({ height, axis }: Timeline): string {
  return axis.gaps
    .map((gap) => {
      const x = axis.x(gap.from);
      const idle = formatDuration((gap.to - gap.from) * 1000);
      return `<g class="gap"><rect x="${x.toFixed(1)}" y="${TOP}" width="${GAP_WIDTH}" height="${height - 30 - TOP}"><title>nothing ran for ${escapeHtml(idle)} (cut out)</title></rect><text x="${(x + GAP_WIDTH / 2).toFixed(1)}" y="${height - 14}">+${escapeHtml(idle)}</text></g>`;
    })
    .join('\n');
}

/** Numbered rows up to 40 slots; beyond that the labels would overlap. */
function renderSlotLabels({ slots, rowHeight }: Timeline): string {
  if (slots > 40) return '';
  return Array.from(
    { length: slots },
    (_, slot) =>
      `<text class="slot" x="${LEFT - 8}" y="${TOP + slot * rowHeight + rowHeight / 2 + 4}">${slot + 1}</text>`,
  ).join('\n');
}

function renderTimeline(data: ReportData, timeline: Timeline): string {
  const { height } = timeline;
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">
${renderTicks(timeline)}
${renderGaps(timeline)}
${renderSlotLabels(timeline)}
${renderBars(data.jobs, timeline)}
${renderMarkers(data.events, timeline)}
</svg>`;
}

function renderTotals(data: ReportData, totals: JobTotals, { t0, span }: Timeline): string {
  const { slots } = data;
  const interrupts = data.events.filter((event) => event.event === 'interrupt').length;
  const reruns = totals.runs - totals.jobs;
  return `<div class="totals">
  <div><b id="total-jobs">${totals.jobs}</b>jobs${reruns > 0 ? ` (<span id="total-runs">${totals.runs}</span> runs: ${reruns} again)` : ''}</div>
  <div><b id="total-done">${totals.done}</b>done</div>
  <div><b id="total-failed">${totals.failed.length}</b>failed (last run)</div>
  <div><b>${slots}</b>slots</div>
  <div><b>${formatDuration(span * 1000)}</b>from ${escapeHtml(clock(t0))}</div>
  <div><b id="total-interrupts">${interrupts}</b>interrupt${interrupts === 1 ? '' : 's'}</div>
</div>`;
}

/** The first {@link MAX_FAILURES_LISTED} failed jobs, so that a run of 10,000 failures stays a readable page. */
function renderFailures(allFailures: readonly PlacedJob[]): string {
  const failures = allFailures.slice(0, MAX_FAILURES_LISTED);
  if (failures.length === 0) return '<p>No job failed.</p>';
  const rows = failures.map(
    (job) =>
      `<tr><td>${job.seq}</td><td>${job.exitValue}</td><td>${job.signal}</td><td>${escapeHtml(job.key)}</td></tr>`,
  );
  const more = allFailures.length - failures.length;
  return `<table id="failures"><tr><th>seq</th><th>exit</th><th>signal</th><th>command</th></tr>
${rows.join('\n')}
</table>${more > 0 ? `<p>… and ${more} more failed jobs.</p>` : ''}`;
}

const STYLE = `<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  .totals { display: flex; gap: 24px; flex-wrap: wrap; margin-bottom: 12px; }
  .totals div { background: #f4f4f4; border-radius: 6px; padding: 8px 14px; }
  .totals b { display: block; font-size: 22px; }
  svg { display: block; border: 1px solid #ddd; border-radius: 6px; background: #fff; }
  rect.edged { stroke: #fff; stroke-width: 0.5; }
  rect.done { fill: #2e9d4f; }
  rect.failed { fill: #d64545; }
  .tick line { stroke: #eee; }
  .tick text, text.slot { font-size: 11px; fill: #777; text-anchor: middle; }
  text.slot { text-anchor: end; }
  .marker line { stroke-width: 2; stroke-dasharray: 6 4; }
  .marker text { font-size: 12px; font-weight: 600; }
  .interrupt text { text-anchor: end; } .resume text { text-anchor: start; }
  .interrupt line { stroke: #b00020; } .interrupt text { fill: #b00020; }
  .resume line { stroke: #1f5fbf; } .resume text { fill: #1f5fbf; }
  .gap rect { fill: #f0f0f0; stroke: #ccc; stroke-dasharray: 3 3; }
  .gap text { font-size: 11px; fill: #777; text-anchor: middle; }
  .legend span { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin: 0 4px 0 12px; vertical-align: -1px; }
  table { border-collapse: collapse; margin-top: 16px; }
  td, th { border-bottom: 1px solid #eee; padding: 4px 10px; text-align: left; font-family: ui-monospace, monospace; font-size: 12px; }
</style>`;

const LEGEND =
  '<p class="legend"><span style="background:#2e9d4f"></span>done<span style="background:#d64545"></span>failed<span style="background:#b00020;height:2px"></span>interrupt<span style="background:#1f5fbf;height:2px"></span>later run. Hover a bar for its command.</p>';

const LAYOUT_SCRIPT = `<script>
  // What the browser actually laid out, for checks that read the rendered page.
  const svg = document.getElementById('timeline');
  const drawn = [...svg.querySelectorAll('rect.job')].filter((bar) => bar.getBoundingClientRect().width > 0).length;
  document.body.dataset.layout = JSON.stringify({ width: Math.round(svg.getBoundingClientRect().width), drawn });
</script>`;

/** Renders the report page. */
export function renderReport(data: ReportData): string {
  const timeline = timelineOf(data);
  const totals = jobTotals(data.jobs);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(data.title)}</title>
${STYLE}
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
${renderTotals(data, totals, timeline)}
${LEGEND}
${renderTimeline(data, timeline)}
${renderFailures(totals.failed)}
${LAYOUT_SCRIPT}
</body>
</html>
`;
}
