// A file rewritten in place while it is being read. Guards against: a
// resumed raw read (`Range`) splicing the first bytes of one version with the
// rest of another and ending with success. The first answer names the
// version (`ETag`); every resumption asks for it (`If-Match`) and a changed
// file gets 412 / -32011, which the client turns into ResourceChangedError.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/client';
import { connect, ResourceChangedError } from '../../src/client/index.js';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { post, startConfig, tempDir } from '../helpers/servers.js';

const tmp = tempDir();
const FILE = join(tmp.dir, 'share', 'data.bin');
const SIZE = 32 * 1024 * 1024;
let server: RunningHttpServer;

before(async () => {
  mkdirSync(join(tmp.dir, 'share'));
  writeFileSync(FILE, randomBytes(SIZE));
  server = await startConfig('resources:\n  - name: share\n    uri: files://{path}\n    directory: ./share\n', tmp.dir);
});
after(async () => {
  await server.close();
  tmp.remove();
});

function stream(headers: Record<string, string> = {}): Promise<Response> {
  const meta = { [PROTOCOL_VERSION_META_KEY]: '2026-07-28', [CLIENT_CAPABILITIES_META_KEY]: { resourceStreaming: {} }, [CLIENT_INFO_META_KEY]: { name: 'raw', version: '0' } };
  return post(server.url, { jsonrpc: '2.0', id: 3, method: 'resources/stream', params: { uri: 'files://data.bin', _meta: meta } }, { accept: 'application/json, */*', 'mcp-protocol-version': '2026-07-28', ...headers });
}

/** Rewrites the file in place (same inode, same size, other bytes). */
function rewriteInPlace(): void {
  writeFileSync(FILE, randomBytes(SIZE), { flag: 'r+' });
}

test('the raw stream names its version; a Range that names an old one gets 412 / -32011', async () => {
  const first = await stream();
  const etag = first.headers.get('etag');
  assert.match(etag ?? '', /^"[0-9a-z]+-[0-9a-z]+-[0-9a-z]+"$/);
  await first.body?.cancel();
  const same = await stream({ range: 'bytes=100-', 'if-match': etag! });
  assert.equal(same.status, 206, 'an unchanged file resumes');
  await same.body?.cancel();
  rewriteInPlace();
  await new Promise((r) => setTimeout(r, 100)); // past the 50 ms for which one stat of an open handle stands
  const changed = await stream({ range: 'bytes=100-', 'if-match': etag! });
  assert.equal(changed.status, 412);
  const body = (await changed.json()) as { error: { code: number; message: string } };
  assert.equal(body.error.code, -32011);
  assert.match(body.error.message, /changed since version/);
  assert.notEqual((await stream()).headers.get('etag'), etag, 'the new version has a new tag');
});

test('a read cut midway while the file is rewritten fails with ResourceChangedError instead of splicing', async () => {
  // A proxy that cuts the first raw response after 4 MiB, rewriting the file just before the cut.
  const sockets = new Set<Socket>();
  let cut = false;
  const proxy = createServer((client) => {
    const upstream = netConnect(server.port, '127.0.0.1');
    sockets.add(client).add(upstream);
    let sent = 0;
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (!cut && sent > 4 * 1024 * 1024) {
        cut = true;
        rewriteInPlace();
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    for (const s of [client, upstream]) s.on('error', () => {});
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}/mcp`;
  const client = await connect(url, { era: 'modern', reconnect: { initialDelayMs: 100, maxDelayMs: 200, maxAttempts: 3 } });
  try {
    let received = 0;
    await assert.rejects(
      (async () => {
        for await (const chunk of client.readResourceStream('files://data.bin')) received += chunk.length;
      })(),
      (error: unknown) => error instanceof ResourceChangedError && /changed after \d+ bytes were read/.test(error.message),
    );
    assert.ok(cut, 'the stream was cut');
    assert.ok(received < SIZE, `no complete read was reported (${received} bytes)`);
  } finally {
    await client.close();
    for (const s of sockets) s.destroy();
    proxy.close();
  }
});
