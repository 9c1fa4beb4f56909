// The CLI over WebSocket as a user runs it: `sluice serve --ws` says its ws:// URL, `sluice call`
// and `sluice read` take ws:// targets (read: windows, byte for byte), `sluice top` finds the
// server's /metrics from a ws:// URL too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exampleOverWebSocket, run, serve } from '../helpers/cli.js';
import { EXAMPLE_CONFIG, ROOT } from '../helpers/servers.js';

const server = exampleOverWebSocket();

test('serve --ws says its ws:// URL; call, read and top take it', async () => {
  assert.equal(server.wsUrl, server.url.replace(/^http:/, 'ws:'));
  const call = await run(['call', server.wsUrl, 'echo', 'text=over a socket']);
  assert.equal(call.code, 0, call.stderr);
  assert.match(call.stdout, /over a socket/);
  const read = await run(['read', server.wsUrl, 'data://sales.csv', '--chunk-size', '1000']);
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout, readFileSync(join(ROOT, 'examples/data/sales.csv'), 'utf8'));
  const top = await run(['top', server.wsUrl, '--once', '--interval', '0.2']);
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
