/** The page of `andon serve`: every run this user can see, with a stop button each, and the workers. */

/** The page; it reads its token from its own URL and asks for the events with it. */
export function overviewPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>andon: runs</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;color:#222}
header{display:flex;gap:16px;align-items:center;padding:10px 16px;background:#f4f4f4;border-bottom:1px solid #ddd}
h1{font-size:16px;margin:0}
h2{font-size:14px;margin:16px 16px 4px}
#problem{color:#a00}
table{border-collapse:collapse;margin:0 16px;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:4px 10px;border-bottom:1px solid #eee;vertical-align:top;white-space:nowrap}
td.command{font-family:ui-monospace,monospace;max-width:40em;overflow-wrap:anywhere;white-space:normal}
tr.stopping td,tr.forcing td{background:#fff6ec}
button{font:inherit;padding:3px 10px;border-radius:4px;border:1px solid #a00;background:#c00;color:#fff;cursor:pointer}
.empty{margin:8px 16px;color:#666}
#runs tbody tr{cursor:pointer}
#failures{margin:0 16px}
#failures pre{background:#fff4f4;padding:6px;overflow:auto;max-height:12em}
#runs tbody tr.selected td{background:#eef4ff}
iframe{border:0;width:100%;height:700px}
</style></head>
<body>
<header><h1>andon: runs in progress</h1><span id="when">connecting…</span><span id="problem"></span></header>
<h2>Runs</h2><table id="runs"><thead><tr><th>run</th><th>where</th><th>up</th><th>done</th><th>failed</th><th>running</th><th>left</th><th>rate</th><th>ETA</th><th>state</th><th>command</th><th></th></tr></thead><tbody></tbody></table>
<p class="empty" id="noruns" hidden>No runs in progress.</p>
<p class="empty">Click a run for its timeline.</p>
<section id="workersection" hidden><h2>Workers</h2><table id="workers"><thead><tr><th>worker</th><th>queue</th><th>-j</th><th>state</th><th>up</th><th>finished</th><th>running now</th></tr></thead><tbody></tbody></table></section>
<section id="timeline" hidden><h2 id="timelinetitle">Timeline</h2><div id="failures"></div><iframe id="report" title="timeline"></iframe></section>
<script>
const token = new URLSearchParams(location.search).get('token') || '';
const $ = (id) => document.getElementById(id);
const seconds = (ms) => ms < 60000 ? Math.round(ms / 1000) + ' s' : ms < 3600000 ? Math.round(ms / 60000) + ' min' : (ms / 3600000).toFixed(1) + ' h';
function cell(content, className) { const td = document.createElement('td'); td.textContent = content; if (className) td.className = className; return td; }
function runRow(run, now) {
  const tr = document.createElement('tr');
  tr.className = run.state + (run.id === selected ? ' selected' : '');
  tr.dataset.run = run.id;
  tr.onclick = (event) => { if (event.target.tagName !== 'BUTTON') select(run.id); };
  const up = Math.max(1, now - run.startedAt);
  const c = run.counts;
  const left = !c || c.total === undefined || c.total === null ? '?' : Math.max(0, c.total - c.settled - c.running);
  const rate = c ? c.settled / up * 1000 : undefined;
  const eta = left === '?' || !rate ? '?' : seconds((left + c.running) / rate * 1000);
  tr.append(cell(run.id), cell('pid ' + run.pid + '@' + run.host + (run.queue ? ', queue ' + run.queue : '')), cell(seconds(up)),
    cell(c ? c.done : '?'), cell(c ? c.failed : '?'), cell(c ? c.running : '?'), cell(left), cell(rate === undefined ? '?' : rate.toFixed(1) + '/s'), cell(eta),
    cell(run.state), cell(run.command || '(a library pool)', 'command'));
  const actions = document.createElement('td');
  const button = document.createElement('button');
  button.textContent = run.state === 'running' ? 'Stop' : 'Force';
  button.hidden = run.state === 'forcing';
  button.onclick = () => stop(run.id, run.state !== 'running');
  actions.append(button);
  tr.append(actions);
  return tr;
}
function workerRow(worker, now) {
  const tr = document.createElement('tr');
  const running = worker.running.map((job) => job.jobId + ' (' + job.what + ', ' + seconds(Math.max(0, now - job.since)) + ')').join('; ');
  tr.append(cell('pid ' + worker.pid + '@' + worker.host), cell(worker.queue), cell(worker.concurrency), cell(worker.state),
    cell(seconds(Math.max(1, now - worker.startedAt))), cell(worker.finished), cell(running || 'idle', 'command'));
  return tr;
}
function render(s) {
  $('when').textContent = 'as of ' + new Date(s.at).toLocaleTimeString();
  $('problem').textContent = s.problem || '';
  document.title = 'andon: ' + s.runs.length + ' run' + (s.runs.length === 1 ? '' : 's');
  $('runs').tBodies[0].replaceChildren(...s.runs.map((run) => runRow(run, s.at)));
  $('noruns').hidden = s.runs.length > 0;
  $('workersection').hidden = !s.workers;
  if (s.workers) $('workers').tBodies[0].replaceChildren(...s.workers.map((worker) => workerRow(worker, s.at)));
  const chosen = s.runs.find((run) => run.id === selected);
  $('failures').replaceChildren(...((chosen && chosen.failures) || []).map((f) => {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'job ' + f.seq + ' failed: ' + f.command;
    const pre = document.createElement('pre');
    pre.textContent = f.tail;
    details.append(summary, pre);
    return details;
  }));
}
// The selected run's timeline, drawn from its job log: reloaded at most once a second, and for
// at most a fifth of the time, so a big job log does not keep the page busy.
let selected = '', loading = false, askedAt = -Infinity, loadMs = 0;
$('report').addEventListener('load', () => { loading = false; loadMs = performance.now() - askedAt; });
function select(run) { selected = run; askedAt = -Infinity; loading = false; refreshTimeline(); }
function refreshTimeline() {
  $('timeline').hidden = selected === '';
  if (selected === '' || loading || performance.now() - askedAt < Math.max(1000, 5 * loadMs)) return;
  loading = true;
  askedAt = performance.now();
  $('timelinetitle').textContent = 'Timeline of run ' + selected;
  $('report').src = '/report?token=' + encodeURIComponent(token) + '&run=' + encodeURIComponent(selected) + '&t=' + Date.now();
}
const events = new EventSource('/events?token=' + encodeURIComponent(token));
events.onmessage = (event) => { render(JSON.parse(event.data)); refreshTimeline(); };
async function stop(run, force) {
  if (!confirm(force ? 'Force run ' + run + ' to stop now? Its running jobs are killed.' : 'Stop run ' + run + '? Its running jobs get their grace period, then are forced.')) return;
  const response = await fetch('/stop', { method: 'POST', headers: { 'X-Andon-Token': token, 'Content-Type': 'application/json' }, body: JSON.stringify({ run, force }) });
  if (!response.ok) $('problem').textContent = (await response.json().catch(() => ({}))).error || 'the stop failed';
}
</script></body></html>
`;
}
