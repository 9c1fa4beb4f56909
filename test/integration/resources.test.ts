// Folder and file resources over a real server: listing with mime types and
// sizes, text read as text, non-UTF-8 read as a byte-exact blob, and
// confinement: `..` (plain or percent-encoded), absolute paths and symlinks
// leading outside are refused with -32602, while a symlink inside is fine.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { startConfig, tempDir, v2Client } from '../helpers/servers.js';

const tmp = tempDir();
const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0xc3, 0x28]);
let server: RunningHttpServer;
let client: Client;

before(async () => {
  const root = join(tmp.dir, 'share');
  mkdirSync(join(root, 'nested/deeper'), { recursive: true });
  writeFileSync(join(root, 'hello.txt'), 'héllo wörld\n');
  writeFileSync(join(root, 'nested/deeper/data.json'), '{"ok":true}');
  writeFileSync(join(root, 'blob.bin'), BINARY);
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(tmp.dir, 'secret.txt'), 'outside the folder');
  symlinkSync(join(tmp.dir, 'secret.txt'), join(root, 'escape.txt'));
  symlinkSync(join(root, 'hello.txt'), join(root, 'alias.txt'));
  server = await startConfig(
    `
resources:
  - name: share
    description: a shared folder
    uri: files://{path}
    directory: ./share
  - name: one
    uri: one://hello
    file: ./share/hello.txt
`,
    tmp.dir,
  );
  client = await v2Client(server.url, 'legacy');
});
after(async () => {
  await client.close();
  await server.close();
  tmp.remove();
});

test('lists files with mime types and sizes, sub-folders included', async () => {
  const { resources } = await client.listResources();
  const byUri = new Map(resources.map((r) => [r.uri, r]));
  assert.equal(byUri.get('files://hello.txt')?.mimeType, 'text/plain');
  assert.equal(byUri.get('files://hello.txt')?.size, Buffer.byteLength('héllo wörld\n'));
  assert.equal(byUri.get('files://nested/deeper/data.json')?.mimeType, 'application/json');
  assert.equal(byUri.get('files://blob.bin')?.mimeType, 'application/octet-stream');
  assert.equal(byUri.get('one://hello')?.size, Buffer.byteLength('héllo wörld\n'), 'a file: resource lists its current size');
  assert.ok(!byUri.has('files://escape.txt'), 'symlinks are not listed');
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ['files://{path}']);
});

test('reads text as text and bytes that are not UTF-8 as an exact blob', async () => {
  const text = await client.readResource({ uri: 'files://hello.txt' });
  assert.deepEqual(text.contents, [{ uri: 'files://hello.txt', mimeType: 'text/plain', text: 'héllo wörld\n' }]);
  const nested = await client.readResource({ uri: 'files://nested/deeper/data.json' });
  assert.equal((nested.contents[0] as { text: string }).text, '{"ok":true}');
  const blob = await client.readResource({ uri: 'files://blob.bin' });
  assert.ok(Buffer.from((blob.contents[0] as { blob: string }).blob, 'base64').equals(BINARY));
  const empty = await client.readResource({ uri: 'files://empty.txt' });
  assert.equal((empty.contents[0] as { text: string }).text, '');
  const single = await client.readResource({ uri: 'one://hello' });
  assert.equal((single.contents[0] as { text: string }).text, 'héllo wörld\n');
  const alias = await client.readResource({ uri: 'files://alias.txt' });
  assert.equal((alias.contents[0] as { text: string }).text, 'héllo wörld\n', 'a symlink inside the folder is fine');
});

test('refuses every way out of the folder with -32602, and keeps serving', async () => {
  for (const uri of [
    'files://../secret.txt',
    'files://%2e%2e/secret.txt',
    'files://nested/%2E%2E/%2e%2e/secret.txt',
    'files://..%5csecret.txt',
    'files:///etc/passwd',
    'files://%2Fetc%2Fpasswd',
    'files://escape.txt',
    'files://a%00b',
  ]) {
    await assert.rejects(client.readResource({ uri }), (error: unknown) => {
      assert.ok(error instanceof ProtocolError, `${uri}: ${String(error)}`);
      assert.equal(error.code, -32602, uri);
      assert.match(error.message, /not allowed/, uri);
      return true;
    });
  }
  await assert.rejects(client.readResource({ uri: 'files://nested' }), /not found/i);
  await assert.rejects(client.readResource({ uri: 'files://missing.txt' }), /not found/i);
  const ok = await client.readResource({ uri: 'files://hello.txt' });
  assert.equal(ok.contents.length, 1);
});
