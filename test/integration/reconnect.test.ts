// Client reconnection over real sockets: a raw resource stream cut at random
// resumes with a Range request, byte for byte; a server that stays out of
// reach is given up after the configured budget with a clear error (not a
// hang); `sluice call` shows each attempt on stderr.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type ReconnectAttempt, StreamLostError } from '../../src/client/index.js';
import type { SluiceServer } from '../../src/server/sluiceServer.js';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { ChaosProxy } from '../helpers/chaosProxy.js';
import { CLI, startConfig, tempDir, tickerConfig } from '../helpers/servers.js';

const tmp = tempDir();
const FILE = randomBytes(4 * 1024 * 1024);
let server: RunningHttpServer & { sluice: SluiceServer };

before(async () => {
  mkdirSync(join(tmp.dir, 'files'));
  writeFileSync(join(tmp.dir, 'files', 'blob.bin'), FILE);
  const files = 'resources:\n  - uri: "files://{+path}"\n    name: files\n    directory: ./files\n';
  server = await startConfig(tickerConfig({ extra: files }), tmp.dir, { retryMs: 10 });
});
after(async () => {
  await server.close();
  tmp.remove();
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test('a raw resource stream cut at random resumes with Range requests, byte for byte', async () => {
  const proxy = new ChaosProxy(server.port, { minLifeMs: 2, maxLifeMs: 20, seed: 7, rawContentType: /application\/octet-stream/ });
  const url = `http://127.0.0.1:${await proxy.listen()}/mcp`;
  const attempts: ReconnectAttempt[] = [];
  const client = await connect(url, { era: 'modern', reconnect: { initialDelayMs: 1, maxDelayMs: 5, maxAttempts: 20 }, onReconnect: (a) => attempts.push(a) });
  try {
    // A slow reader keeps the stream open long enough to be cut several times.
    const stream = client.readResourceStream('files://blob.bin', { chunkSize: 65_536 });
    const parts: Uint8Array[] = [];
    for await (const chunk of stream) {
      parts.push(chunk);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.equal(stream.mode, 'raw');
    assert.equal(sha(Buffer.concat(parts)), sha(FILE));
    assert.ok(proxy.cuts >= 2, `the stream was cut (${proxy.cuts} cuts)`);
    assert.ok(attempts.length >= 1, `resumed after cuts (${attempts.length} resumptions, ${proxy.cuts} cuts, some of finished or idle connections)`);
  } finally {
    await client.close();
    await proxy.close();
  }
});

test('a server out of reach is given up after the reconnection budget, with a clear error', async () => {
  const proxy = new ChaosProxy(server.port, { minLifeMs: 1_000_000, maxLifeMs: 1_000_000, seed: 1 });
  const url = `http://127.0.0.1:${await proxy.listen()}/mcp`;
  const attempts: ReconnectAttempt[] = [];
  const client = await connect(url, { era: 'legacy', reconnect: { initialDelayMs: 10, maxDelayMs: 40, maxAttempts: 3 }, onReconnect: (a) => attempts.push(a) });
  try {
    const call = client.callTool('ticker', { count: 200, delay: 20 }, { timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await proxy.close(); // the network goes away: every resumption is refused
    await assert.rejects(call, (error: Error) => {
      assert.ok(error instanceof StreamLostError, `${error.name}: ${error.message}`);
      assert.match(error.message, /gave up after 3 attempts to resume the stream/);
      return true;
    });
    assert.ok(Date.now() - started < 5000, 'failed within the budget, not at the call timeout');
    // The call's stream and the session's standalone GET stream (open since its headers are sent at once) both resume.
    assert.deepEqual([...new Set(attempts.map((a) => a.attempt))], [1, 2, 3]);
    assert.ok(attempts.every((a) => a.delayMs >= 10), "never sooner than the server's retry (10 ms)");
  } finally {
    await client.close().catch(() => {});
  }
});

test('sluice call shows each resumption on stderr and still prints every line once', async () => {
  const proxy = new ChaosProxy(server.port, { minLifeMs: 30, maxLifeMs: 120, seed: 3 });
  const url = `http://127.0.0.1:${await proxy.listen()}/mcp`;
  try {
    const child = spawn(process.execPath, [CLI, 'call', url, 'ticker', 'count=40', 'delay=20', '--era', 'legacy'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.ok(proxy.cuts >= 1, `cut ${proxy.cuts} times`);
    assert.match(stderr, /sluice: the stream dropped; resuming in \d+ ms \(attempt 1 of 5\)/);
    assert.equal(stdout.trim(), Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n'));
  } finally {
    await proxy.close();
  }
});

test('windows (2025 era) through cut streams, and sluice read showing each resumption', async () => {
  const proxy = new ChaosProxy(server.port, { minLifeMs: 2, maxLifeMs: 20, seed: 11, rawContentType: /application\/octet-stream/ });
  const url = `http://127.0.0.1:${await proxy.listen()}/mcp`;
  try {
    // Windows ride on resumable SSE streams in a session: a cut window is resumed with Last-Event-ID.
    const client = await connect(url, { era: 'legacy', reconnect: { initialDelayMs: 1, maxDelayMs: 5, maxAttempts: 20 } });
    try {
      const parts: Uint8Array[] = [];
      for await (const chunk of client.readResourceStream('files://blob.bin', { raw: false, chunkSize: 65_536 })) parts.push(chunk);
      assert.equal(sha(Buffer.concat(parts)), sha(FILE));
    } finally {
      await client.close();
    }
    const out = join(tmp.dir, 'copy.bin');
    const child = spawn(process.execPath, [CLI, 'read', url, 'files://blob.bin', '-o', out, '--chunk-size', '16384'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.equal(sha(readFileSync(out)), sha(FILE));
    assert.match(stderr, /sluice: the stream dropped; resuming in \d+ ms \(attempt 1 of 5\)/);
    assert.ok(proxy.cuts >= 2, `cut ${proxy.cuts} times`);
  } finally {
    await proxy.close();
  }
});
