// The CLI over WebSocket as a user runs it: `sluice serve --ws` says its ws:// URL, `sluice call`
// and `sluice read` take ws:// targets (read: windows, byte for byte), `sluice top` finds the
// server's /metrics from a ws:// URL too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run, serve, serveWebSocket } from '../helpers/cli.js';
import { EXAMPLE_CONFIG, ROOT } from '../helpers/servers.js';

let server: Awaited<ReturnType<typeof serveWebSocket>>;
let wsUrl: string;

before(async () => {
  server = await serveWebSocket([EXAMPLE_CONFIG, '--port', '0']);
  wsUrl = server.wsUrl;
});
after(() => server.child.kill('SIGKILL'));

test('serve --ws says its ws:// URL; call, read and top take it', async () => {
  assert.equal(wsUrl, server.url.replace(/^http:/, 'ws:'));
  const call = await run(['call', wsUrl, 'echo', 'text=over a socket']);
  assert.equal(call.code, 0, call.stderr);
  assert.match(call.stdout, /over a socket/);
  const read = await run(['read', wsUrl, 'data://sales.csv', '--chunk-size', '1000']);
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout, readFileSync(join(ROOT, 'examples/data/sales.csv'), 'utf8'));
  const top = await run(['top', wsUrl, '--once', '--interval', '0.2']);
  assert.equal(top.code, 0, top.stderr);
  assert.match(top.stdout, /^websocket\s+\d+/m);
});

test('a server without --ws refuses the upgrade', async () => {
  const plain = await serve([EXAMPLE_CONFIG, '--port', '0']);
  try {
    const r = await run(['call', plain.url.replace(/^http:/, 'ws:'), 'echo', 'text=x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^sluice: Cannot connect to ws:\/\//m);
  } finally {
    plain.child.kill('SIGKILL');
  }
});
