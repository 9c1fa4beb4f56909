// `sluice top`'s frame from two scrapes: rates from the difference over the time between them,
// running calls and outcomes per tool, streams per kind. Guards against rates that are totals,
// a first frame that invents a rate, and a tool that only runs (no call ended yet) going missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePromText } from '../../src/cli/promText.js';
import { metricsUrl } from '../../src/cli/topCommand.js';
import { renderTop } from '../../src/cli/topView.js';

const scrape = (text: string, at: number) => ({ samples: parsePromText(text), at });
const BEFORE = `sluice_tool_calls_total{tool="count",outcome="ok"} 10
sluice_stream_bytes_sent_total{kind="session"} 1000
sluice_sessions_active 2
`;
const NOW = `sluice_tool_calls_total{tool="count",outcome="ok"} 14
sluice_tool_calls_total{tool="count",outcome="error"} 1
sluice_tool_calls_running{tool="crawl"} 2
sluice_tool_call_duration_seconds_sum{tool="count"} 3
sluice_tool_call_duration_seconds_count{tool="count"} 15
sluice_stream_bytes_sent_total{kind="session"} 3048
sluice_streams_open{kind="session",full="true"} 1
sluice_streams_open{kind="session",full="false"} 2
sluice_stream_unread_bytes{kind="session"} 2048
sluice_sessions_active 3
sluice_cancellations_total{cause="client"} 4
`;

test('a frame: per tool running, rate, outcomes and mean time; per stream kind open, full, unread and rates', () => {
  const lines = renderTop('http://x/metrics', scrape(NOW, 2000), scrape(BEFORE, 0));
  const text = lines.join('\n');
  const row = (first: string) => lines.find((line) => line.startsWith(first))!.trim().split(/\s{2,}/);
  assert.deepEqual(row('count'), ['count', '0', '2.5', '14', '1', '0', '0.20 s']);
  assert.deepEqual(row('crawl'), ['crawl', '2', '0.0', '0', '0', '0', '—']);
  assert.deepEqual(row('session').slice(0, 5), ['session', '3', '1', '2.0 KiB', '1.0 KiB/s']);
  assert.match(text, /sessions 3 \(hibernating 0\)/);
  assert.match(text, /cancelled: client 4 · disconnect 0/);
});

test('the first frame shows no rate; the metrics URL of a target', () => {
  const lines = renderTop('http://x/metrics', scrape(NOW, 2000), undefined);
  assert.equal(lines.find((line) => line.startsWith('count'))!.trim().split(/\s{2,}/)[2], '—');
  assert.equal(metricsUrl('http://127.0.0.1:3001/mcp'), 'http://127.0.0.1:3001/metrics');
  assert.equal(metricsUrl('https://example.test/sluice/mcp?x=1'), 'https://example.test/sluice/metrics');
  assert.equal(metricsUrl('http://127.0.0.1:3001'), 'http://127.0.0.1:3001/metrics');
  assert.equal(metricsUrl('http://127.0.0.1:3001/metrics'), 'http://127.0.0.1:3001/metrics');
  assert.equal(metricsUrl('ws://127.0.0.1:3001/mcp'), 'http://127.0.0.1:3001/metrics');
  assert.throws(() => metricsUrl('stdio:node x'), /stdio server has none/);
  assert.throws(() => metricsUrl('ftp://x/'), /http\(s\)/);
});
