// Reading /metrics for `sluice top`: samples with labels (escaped quotes too), HELP/TYPE skipped,
// sums by a label. Guards against a label value with a comma or quote splitting wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePromText, sumBy, total } from '../../src/cli/promText.js';

const TEXT = `# HELP sluice_tool_calls_total Tool calls
# TYPE sluice_tool_calls_total counter
sluice_tool_calls_total{tool="count",outcome="ok"} 3
sluice_tool_calls_total{tool="count",outcome="error"} 1
sluice_tool_calls_total{tool="a \\"b\\", c",outcome="ok"} 2
sluice_requests_inflight 4
sluice_tool_call_duration_seconds_sum{tool="count"} 1.5 1700000000000
garbage line
`;

test('samples, labels with escapes, sums', () => {
  const samples = parsePromText(TEXT);
  assert.equal(samples.length, 5);
  assert.deepEqual(samples[2]!.labels, { tool: 'a "b", c', outcome: 'ok' });
  assert.equal(samples[4]!.value, 1.5);
  assert.deepEqual([...sumBy(samples, 'sluice_tool_calls_total', 'tool')], [['count', 4], ['a "b", c', 2]]);
  assert.equal(total(samples, 'sluice_tool_calls_total', { outcome: 'ok' }), 5);
  assert.equal(total(samples, 'sluice_requests_inflight'), 4);
  assert.equal(total(samples, 'sluice_nothing'), 0);
});
