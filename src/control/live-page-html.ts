/** The live page's HTML: a bar with the counts and the stop buttons, the failures, and the report below. */

/** The page; it reads its token from its own URL and asks for the events with it. */
export function livePage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>andon: live</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;color:#222}
header{display:flex;gap:16px;align-items:center;padding:10px 16px;background:#f4f4f4;border-bottom:1px solid #ddd}
#title{font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:40%}
#counts{font-variant-numeric:tabular-nums}
#state{padding:2px 8px;border-radius:4px;background:#dfe}
#state.stopping,#state.forcing{background:#fed}
#state.ended{background:#eee}
button{font:inherit;padding:6px 14px;border-radius:4px;border:1px solid #a00;background:#c00;color:#fff;cursor:pointer}
button[hidden]{display:none}
#failures{margin:0;padding:0 16px}
#failures details{margin:6px 0}
#failures pre{background:#fff4f4;padding:6px;overflow:auto;max-height:12em}
iframe{border:0;width:100%;height:900px}
</style></head>
<body>
<header><span id="title">andon</span><span id="counts">connecting…</span><span id="state"></span>
<button id="stop" hidden>Pull the cord: stop</button><button id="force" hidden>Force</button></header>
<section id="failures"></section>
<iframe id="report" title="timeline"></iframe>
<script>
const token = new URLSearchParams(location.search).get('token') || '';
const $ = (id) => document.getElementById(id);
let shownReport = 0;
// A big timeline takes the browser a while to load: fetch a new one at most every second,
// and never more than a fifth of the time, so that the page keeps up however big the run.
let reportLoading = false, reportAskedAt = -Infinity, reportLoadMs = 0;
$('report').addEventListener('load', () => { reportLoading = false; reportLoadMs = performance.now() - reportAskedAt; });
function text(tag, content) { const node = document.createElement(tag); node.textContent = content; return node; }
function render(s) {
  document.title = 'andon: ' + s.state + ' — ' + s.title;
  $('title').textContent = s.title;
  const left = s.total === null || s.total === undefined ? '?' : Math.max(0, s.total - s.done - s.failed - s.running);
  const eta = s.etaSeconds === null || s.etaSeconds === undefined ? '?' : Math.round(s.etaSeconds) + ' s';
  $('counts').textContent = s.done + ' done, ' + s.failed + ' failed, ' + s.running + ' running, ' + left + ' left · ' + s.rate.toFixed(1) + '/s · ETA ' + eta;
  $('state').textContent = s.state;
  $('state').className = s.state;
  $('stop').hidden = s.state !== 'running';
  $('force').hidden = s.state !== 'stopping';
  const failures = $('failures');
  failures.replaceChildren(...s.failures.map((f) => {
    const details = document.createElement('details');
    details.append(text('summary', 'job ' + f.seq + ' failed: ' + f.command), text('pre', f.tail));
    return details;
  }));
  if (s.reportHtml !== undefined) { clearTimeout(reportTimer); $('report').srcdoc = s.reportHtml; }
  else loadReport(s.reportVersion);
}
let reportTimer;
function loadReport(version) {
  clearTimeout(reportTimer);
  if (version === shownReport) return;
  const wait = reportAskedAt + Math.max(1000, 5 * reportLoadMs) - performance.now();
  if (reportLoading || wait > 0) { reportTimer = setTimeout(() => loadReport(version), Math.max(wait, 100)); return; }
  reportLoading = true;
  reportAskedAt = performance.now();
  shownReport = version;
  $('report').src = '/report?token=' + encodeURIComponent(token) + '&v=' + version;
}
const events = new EventSource('/events?token=' + encodeURIComponent(token));
events.onmessage = (event) => { const s = JSON.parse(event.data); render(s); if (s.state === 'ended') events.close(); };
async function stop(force) {
  if (!confirm(force ? 'Force the run to stop now? Running jobs are killed.' : 'Stop this run? Running jobs get their grace period, then are forced.')) return;
  await fetch('/stop', { method: 'POST', headers: { 'X-Andon-Token': token, 'Content-Type': 'application/json' }, body: JSON.stringify({ force }) });
}
$('stop').onclick = () => stop(false);
$('force').onclick = () => stop(true);
</script></body></html>
`;
}
