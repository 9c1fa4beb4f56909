// Special files in a served folder. Guards against: opening a FIFO (named
// pipe) for a read, which waits for a writer forever on a threadpool thread;
// four such reads used to take the whole pool, after which every file read,
// listing and spooled call hung and shutdown never finished. Only regular
// files are served; a FIFO, socket or device is refused before it can block.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { post, startConfig, tempDir, v2Client } from '../helpers/servers.js';

const tmp = tempDir();
const root = join(tmp.dir, 'share');
let server: RunningHttpServer;
let client: Client;
const socketServer = createServer();

before(async () => {
  mkdirSync(root);
  writeFileSync(join(root, 'plain.txt'), 'plain text\n');
  execFileSync('mkfifo', [join(root, 'pipe.txt')]);
  await new Promise<void>((resolve) => socketServer.listen(join(root, 'sock.txt'), resolve));
  symlinkSync('/dev/zero', join(tmp.dir, 'zero-link'));
  symlinkSync(join(root, 'pipe.txt'), join(root, 'pipe-alias.txt'));
  server = await startConfig(
    `
resources:
  - name: share
    uri: files://{path}
    directory: ./share
  - name: fifo
    uri: fifo://one
    file: ./share/pipe.txt
`,
    tmp.dir,
  );
  client = await v2Client(server.url, 'legacy');
});
after(async () => {
  await client.close();
  await server.close();
  socketServer.close();
  tmp.remove();
});

async function refusal(uri: string): Promise<ProtocolError> {
  const error = await client.readResource({ uri }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ProtocolError, `${uri} is refused with a JSON-RPC error`);
  return error;
}

test('FIFOs, sockets and symlinks to them are refused with -32602 naming what they are, and never block', async () => {
  // More reads at once than libuv has threads (4): any that blocked would stall the rest.
  const uris = [...Array.from({ length: 8 }, () => 'files://pipe.txt'), 'files://pipe-alias.txt', 'fifo://one', 'files://sock.txt'];
  const errors = await Promise.all(uris.map(refusal));
  for (const [i, error] of errors.entries()) {
    assert.equal(error.code, -32602, uris[i]);
    assert.match(error.message, uris[i] === 'files://sock.txt' ? /regular file.*socket/ : /regular file.*FIFO/, uris[i]);
  }
  const plain = await client.readResource({ uri: 'files://plain.txt' });
  assert.equal((plain.contents[0] as { text: string }).text, 'plain text\n', 'reads of regular files go on');
});

test('the listing leaves special files out, and raw streams refuse them too', async () => {
  const { resources } = await client.listResources();
  assert.deepEqual(resources.map((r) => r.uri).filter((u) => u.startsWith('files://')), ['files://plain.txt']);
  const init = await post(server.url, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: { resourceStreaming: {} }, clientInfo: { name: 'raw', version: '0' } } });
  const session = init.headers.get('mcp-session-id')!;
  await init.body?.cancel();
  const raw = await post(server.url, { jsonrpc: '2.0', id: 2, method: 'resources/stream', params: { uri: 'files://pipe.txt' } }, { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' });
  const answer = (await raw.json()) as { error?: { code: number; message: string } };
  assert.equal(answer.error?.code, -32602);
  assert.match(answer.error?.message ?? '', /FIFO/);
});

test('shutdown is not held up by refused special files', async () => {
  const tmp2 = tempDir();
  execFileSync('mkfifo', [join(tmp2.dir, 'p')]);
  const other = await startConfig('resources:\n  - name: p\n    uri: p://one\n    file: ./p\n', tmp2.dir);
  const c = await v2Client(other.url, 'modern');
  await Promise.all(Array.from({ length: 6 }, () => c.readResource({ uri: 'p://one' }).catch(() => {})));
  await c.close();
  const started = performance.now();
  await other.close();
  assert.ok(performance.now() - started < 3000, `closed in ${Math.round(performance.now() - started)} ms`);
  tmp2.remove();
});
