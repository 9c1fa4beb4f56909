// The package's exports map resolves to built files and exposes the
// documented entry points (run after `npm run build`, as `npm test` does).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..');

test('mcp-sluice, mcp-sluice/client, mcp-sluice/agent and mcp-sluice/redis resolve through the exports map', async () => {
  const main = await import('mcp-sluice');
  assert.equal(typeof main.SluiceServer, 'function');
  assert.equal(typeof main.serveHttp, 'function');
  assert.equal(typeof main.serveStdio, 'function');
  const client = await import('mcp-sluice/client');
  assert.equal(typeof client.connect, 'function');
  const agent = await import('mcp-sluice/agent');
  assert.equal(typeof agent.runAgent, 'function');
  assert.equal(typeof agent.anthropicProvider, 'function');
  const redis = await import('mcp-sluice/redis');
  assert.equal(typeof redis.redisStores, 'function');
});

test('the bin points at an executable script with a shebang', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { sluice: string } };
  assert.match(readFileSync(join(ROOT, pkg.bin.sluice), 'utf8'), /^#!\/usr\/bin\/env node/);
});
