/**
 * The dashboard page: one self-contained HTML document (styles and script
 * inline, nothing loaded from elsewhere, no build step). It polls
 * `dashboard/state` twice a second and redraws with DOM calls only
 * (`textContent`, never markup from data: tool messages and session ids are
 * the clients' words). Rates are computed here from two polls.
 *
 * Rows carry `data-*` attributes (`data-tool`, `data-progress`,
 * `data-kind`, `data-full`) for the browser test and for anyone scripting it.
 *
 * @module
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice dashboard</title>
<style>
  :root { --bg: #0f1419; --panel: #171d24; --line: #253040; --text: #d8dee6; --dim: #8a97a8; --ok: #3fb97a; --warn: #e0a030; --bad: #e5534b; --accent: #4c9be8; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--text); }
  header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; padding: 14px 20px; border-bottom: 1px solid var(--line); }
  header h1 { font-size: 18px; margin: 0 12px 0 0; }
  header .stat b { font-size: 18px; margin-right: 4px; font-variant-numeric: tabular-nums; }
  header .stat { color: var(--dim); }
  header .stat b { color: var(--text); }
  #status { margin-left: auto; color: var(--dim); }
  #status.down { color: var(--bad); }
  main { padding: 8px 20px 24px; display: grid; gap: 18px; }
  section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--dim); margin: 2px 0 8px; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th { text-align: left; font-weight: 500; color: var(--dim); font-size: 12px; padding: 4px 8px; border-bottom: 1px solid var(--line); }
  td { padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; white-space: nowrap; }
  td.msg { white-space: normal; color: var(--dim); max-width: 420px; overflow-wrap: anywhere; }
  tr:last-child td { border-bottom: none; }
  .empty { color: var(--dim); padding: 6px 8px; }
  .bar { position: relative; width: 220px; height: 14px; background: #0b0f14; border: 1px solid var(--line); border-radius: 7px; overflow: hidden; }
  .bar > div { height: 100%; background: var(--accent); transition: width .4s ease; }
  .bar.unknown > div { width: 100% !important; background: repeating-linear-gradient(45deg, #27415c 0 8px, #33577d 8px 16px); background-size: 200% 100%; animation: slide 1s linear infinite; }
  .bar.unread > div { background: var(--ok); }
  .bar.unread.high > div { background: var(--warn); }
  .bar.unread.full > div { background: var(--bad); }
  @keyframes slide { to { background-position: -45px 0; } }
  .badge { display: inline-block; font-size: 11px; padding: 1px 6px; border-radius: 8px; background: #253040; color: var(--dim); margin-left: 6px; }
  .badge.full { background: var(--bad); color: #fff; }
  .badge.ok { background: #1d3b2c; color: var(--ok); }
  .pct { margin-left: 8px; color: var(--dim); font-size: 12px; }
  .cells { display: flex; align-items: center; }
  code { font-size: 12px; color: var(--dim); }
</style>
</head>
<body>
<header>
  <h1 id="title">sluice</h1>
  <span class="stat"><b id="n-calls">0</b>calls</span>
  <span class="stat"><b id="n-streams">0</b>streams</span>
  <span class="stat"><b id="n-full">0</b>full</span>
  <span class="stat"><b id="n-sessions">0</b>sessions</span>
  <span class="stat"><b id="n-tasks">0</b>tasks running</span>
  <span class="stat"><b id="n-scripts">0</b>scripts</span>
  <span id="status">connecting…</span>
</header>
<main>
  <section><h2>Calls running</h2><table id="calls"><thead><tr><th>tool</th><th>progress</th><th>rate</th><th>output</th><th>age</th><th>where</th><th>message</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Open streams</h2><table id="streams"><thead><tr><th>kind</th><th>unread / high-water mark</th><th>sent</th><th>events</th><th>rate</th><th>resumed</th><th>replayed</th><th>age</th><th>session</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Script processes</h2><table id="scripts"><thead><tr><th>pid</th><th>tool</th><th>age</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Nodes</h2><table id="nodes"><thead><tr><th>node</th><th>calls</th><th>streams</th><th>full</th><th>unread</th><th>sessions</th><th>hibernating</th><th>tasks</th><th>scripts</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Since start</h2><table id="totals"><thead><tr><th>stream kind</th><th>bytes sent</th><th>events</th><th>resumptions</th><th>replayed</th><th>too late (410)</th><th>dropped</th></tr></thead><tbody></tbody></table>
    <p id="cancellations" class="empty"></p></section>
</main>
<script>
"use strict";
const POLL_MS = 500;
const previous = new Map();
const $ = (id) => document.getElementById(id);
const el = (tag, props, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
};
const bytes = (n) => n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : n < 1073741824 ? (n / 1048576).toFixed(1) + ' MiB' : (n / 1073741824).toFixed(2) + ' GiB';
const age = (ms) => ms < 1000 ? ms + ' ms' : ms < 60000 ? (ms / 1000).toFixed(1) + ' s' : Math.floor(ms / 60000) + ' min ' + Math.floor((ms % 60000) / 1000) + ' s';
const num = (n) => n.toLocaleString('en');

function rate(key, value, now) {
  const last = previous.get(key);
  previous.set(key, { value, now });
  if (last === undefined || now <= last.now) return undefined;
  return ((value - last.value) * 1000) / (now - last.now);
}

function bar(fraction, classes, attrs) {
  const fill = el('div');
  fill.style.width = (fraction === undefined ? 100 : Math.max(0, Math.min(1, fraction)) * 100).toFixed(1) + '%';
  const outer = el('div', { className: 'bar ' + classes }, fill);
  for (const [k, v] of Object.entries(attrs)) outer.setAttribute(k, v);
  return outer;
}

function fill(table, rows, empty) {
  const body = $(table).tBodies[0];
  body.replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { className: 'empty', colSpan: 9 }, empty))]));
}

function render(state) {
  const now = state.server.now;
  $('title').textContent = state.server.name + ' ' + state.server.version;
  document.title = state.server.name + ' · sluice';
  $('n-calls').textContent = state.calls.length;
  $('n-streams').textContent = state.streams.length;
  $('n-full').textContent = state.streams.filter((s) => s.full).length;
  $('n-sessions').textContent = state.sessions.open;
  $('n-tasks').textContent = state.tasks.running;
  $('n-scripts').textContent = state.scripts.length;
  $('status').textContent = 'node ' + state.server.node + ' · ' + state.server.store + ' · up ' + age(state.server.uptimeSeconds * 1000);
  $('status').className = '';

  fill('calls', state.calls.map((call) => {
    const fraction = call.total ? call.progress / call.total : undefined;
    const perSecond = call.progress === undefined ? undefined : rate('call-progress-' + call.id, call.progress, now);
    const outPerSecond = rate('call-bytes-' + call.id, call.outputBytes, now);
    const progressCell = el('div', { className: 'cells' },
      bar(fraction, fraction === undefined ? 'unknown' : '', { 'data-progress': String(call.progress ?? ''), 'data-fraction': fraction === undefined ? '' : String(fraction) }),
      el('span', { className: 'pct' }, call.progress === undefined ? '…' : fraction === undefined ? num(call.progress) : num(call.progress) + ' / ' + num(call.total) + ' (' + Math.round(fraction * 100) + '%)'));
    const row = el('tr', {},
      el('td', {}, call.tool, call.dropped > 0 ? el('span', { className: 'badge full' }, call.dropped + ' dropped') : ''),
      el('td', {}, progressCell),
      el('td', {}, perSecond === undefined ? '' : perSecond.toFixed(1) + '/s'),
      el('td', {}, bytes(call.outputBytes) + (outPerSecond ? ' · ' + bytes(Math.round(outPerSecond)) + '/s' : '')),
      el('td', {}, age(call.ageMs)),
      el('td', {}, call.stream, call.session ? el('code', {}, ' ' + call.session.slice(0, 8)) : '', call.task ? el('code', {}, ' task ' + call.task.slice(0, 8)) : ''),
      el('td', { className: 'msg' }, call.message ?? ''));
    row.dataset.tool = call.tool;
    row.dataset.callId = String(call.id);
    return row;
  }), 'No call is running.');

  fill('streams', state.streams.map((stream) => {
    const fraction = stream.highWaterBytes > 0 ? stream.unreadBytes / stream.highWaterBytes : 0;
    const perSecond = rate('stream-bytes-' + stream.id, stream.bytesSent, now);
    const unread = el('div', { className: 'cells' },
      bar(fraction, 'unread' + (stream.full ? ' full' : fraction >= 0.5 ? ' high' : ''), {}),
      el('span', { className: 'pct' }, stream.highWaterBytes > 0 ? bytes(stream.unreadBytes) + ' / ' + bytes(stream.highWaterBytes) : '—'),
      stream.full ? el('span', { className: 'badge full' }, 'FULL') : '');
    const row = el('tr', {},
      el('td', {}, stream.kind),
      el('td', {}, unread),
      el('td', {}, bytes(stream.bytesSent)),
      el('td', {}, num(stream.eventsSent)),
      el('td', {}, perSecond === undefined ? '' : bytes(Math.round(perSecond)) + '/s'),
      el('td', {}, stream.resumed ? el('span', { className: 'badge ok' }, 'resumed') : ''),
      el('td', {}, stream.replayed > 0 ? num(stream.replayed) : ''),
      el('td', {}, age(stream.ageMs)),
      el('td', {}, stream.session ? el('code', {}, stream.session.slice(0, 8)) : ''));
    row.dataset.kind = stream.kind;
    row.dataset.full = String(stream.full);
    row.dataset.streamId = String(stream.id);
    return row;
  }), 'No stream is open.');

  fill('scripts', state.scripts.map((script) => el('tr', {}, el('td', {}, script.pid), el('td', {}, script.tool), el('td', {}, age(script.ageMs)))), 'No script is running.');

  fill('nodes', state.nodes.map((node) => {
    const s = node.summary;
    const cell = (k, f) => el('td', {}, s[k] === undefined ? '—' : (f ?? num)(s[k]));
    const row = el('tr', {}, el('td', {}, node.node, node.node === state.server.node ? el('span', { className: 'badge ok' }, 'this node') : ''),
      cell('calls'), cell('streams'), cell('fullStreams'), cell('unreadBytes', bytes), cell('sessions'), cell('hibernating'), cell('tasksRunning'), cell('scripts'));
    row.dataset.node = node.node;
    return row;
  }), 'No node is listed.');

  fill('totals', Object.entries(state.totals.streams).map(([kind, t]) => el('tr', {},
    el('td', {}, kind), el('td', {}, bytes(t.bytes)), el('td', {}, num(t.events)), el('td', {}, num(t.resumptions)), el('td', {}, num(t.replays)), el('td', {}, num(t.tooLate)),
    el('td', {}, num(Object.values(t.drops).reduce((a, b) => a + b, 0))))), '');
  $('cancellations').textContent = 'Cancelled calls by cause: ' + Object.entries(state.totals.cancellations).map(([cause, n]) => cause + ' ' + num(n)).join(' · ');
}

async function poll() {
  try {
    const response = await fetch('dashboard/state', { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    render(await response.json());
  } catch (error) {
    $('status').textContent = 'cannot reach the server (' + error.message + '); retrying';
    $('status').className = 'down';
  } finally {
    setTimeout(poll, POLL_MS);
  }
}
poll();
</script>
</body>
</html>
`;
