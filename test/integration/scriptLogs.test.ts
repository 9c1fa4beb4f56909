// A script's stderr reaches clients that set a log level as notifications/message, rate-limited,
// on both eras; clients that set none get none; the failed-result stderr tail is unaffected.
// Guards against stderr reaching nobody (the operator's only window into a script), and against
// it flooding every client whether it asked or not.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_STDERR_LOG_BURST_LINES } from '../../src/defaults.js';
import { messagesOf, modernToolCall, ROOT, startConfig, tempDir, v2Client } from '../helpers/servers.js';

const folder = tempDir();
let server: Awaited<ReturnType<typeof startConfig>>;

before(async () => {
  const script = join(ROOT, 'test/fixtures/scripts/stderrLines.mjs');
  server = await startConfig(
    `tools:\n  - name: noisy\n    description: writes stderr lines\n    command: node\n    args: ["${script}", "{{n}}"]\n    parameters: { n: { type: integer } }\n`,
    folder.dir,
  );
});
after(async () => {
  await server.close();
  folder.remove();
});

test('2025: a client that set a level gets the lines at or above it; one that set none gets none', async () => {
  const heard: Array<{ level: string; data: unknown; logger?: string }> = [];
  const listening = await v2Client(server.url, 'legacy');
  listening.setNotificationHandler('notifications/message', (n) => void heard.push(n.params as (typeof heard)[number]));
  await listening.setLoggingLevel('info');
  const result = await listening.callTool({ name: 'noisy', arguments: { n: 3 } });
  assert.deepEqual(result.content, [{ type: 'text', text: 'done' }]);
  assert.deepEqual(heard, [
    { level: 'warning', data: 'warning: first of the lines', logger: 'noisy' },
    { level: 'info', data: 'line 1', logger: 'noisy' },
    { level: 'info', data: 'line 2', logger: 'noisy' },
  ]);
  heard.length = 0;
  await listening.setLoggingLevel('warning');
  await listening.callTool({ name: 'noisy', arguments: { n: 3 } });
  assert.deepEqual(heard.map((m) => m.level), ['warning']);
  await listening.close();

  const silent: unknown[] = [];
  const other = await v2Client(server.url, 'legacy');
  other.setNotificationHandler('notifications/message', (n) => void silent.push(n));
  await other.callTool({ name: 'noisy', arguments: { n: 3 } });
  assert.deepEqual(silent, []);
  await other.close();
});

test('a flood is cut to a burst and a note of what was skipped', async () => {
  const heard: string[] = [];
  const client = await v2Client(server.url, 'legacy');
  client.setNotificationHandler('notifications/message', (n) => void heard.push(String(n.params.data)));
  await client.setLoggingLevel('debug');
  await client.callTool({ name: 'noisy', arguments: { n: 5000 } });
  assert.ok(heard.length <= DEFAULT_STDERR_LOG_BURST_LINES + 15, `${heard.length} messages for 5,000 lines`);
  assert.match(heard.at(-1)!, /^\[\d+ stderr lines skipped/);
  await client.close();
});

test('2026-07-28: the envelope\'s log level decides, per request', async () => {
  const withLevel = await messagesOf(await modernToolCall(server.url, 'noisy', { args: { n: 2 }, meta: { 'io.modelcontextprotocol/logLevel': 'info' } }));
  assert.deepEqual(
    withLevel.filter((m) => m.method === 'notifications/message').map((m) => (m.params as { data: string }).data),
    ['warning: first of the lines', 'line 1'],
  );
  const without = await messagesOf(await modernToolCall(server.url, 'noisy', { args: { n: 2 } }));
  assert.deepEqual(without.filter((m) => m.method === 'notifications/message'), []);
});
