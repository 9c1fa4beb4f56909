// Output beyond the inline limit: the result keeps a head and tail excerpt
// and links the full output as runs://ID/stdout, spooled to a file that is
// byte-identical to what the script printed and removed after its TTL.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { buildServer } from '../../src/runner/buildServer.js';
import { parseConfig } from '../../src/runner/config.js';
import { RunSpool } from '../../src/runner/spool.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { waitFor } from '../helpers/processes.js';
import { ROOT, tempDir } from '../helpers/servers.js';

const LINES = 48; // 3 MiB of output against a 1 MiB inline limit
const tmp = tempDir();
let spool: RunSpool;
let server: RunningHttpServer;

before(async () => {
  spool = new RunSpool({ ttlMs: 1500, dir: join(tmp.dir) });
  const config = parseConfig(
    `tools:\n  - name: big\n    description: prints 3 MiB\n    command: node\n    args: ["${join(ROOT, 'test/fixtures/scripts/flood.mjs')}", "${LINES}"]\n  - name: small\n    description: prints a line\n    command: node\n    args: ["-e", "console.log('tiny')"]\n`,
    join(tmp.dir, 'sluice.yaml'),
  );
  server = await serveHttp(buildServer(config, { spool }), { port: 0 });
});
after(async () => {
  await server.close();
  spool.close();
});

test('a big output is excerpted inline and linked in full as runs://ID/stdout', async () => {
  const client = await connect(server.url, { era: 'modern' });
  const result = await client.callTool('big', {});
  const [excerpt, link] = result.content;
  assert.equal(excerpt?.type, 'text');
  assert.ok(excerpt!.type === 'text' && excerpt.text.length <= 1024 * 1024 + 200, 'the inline part stays within the limit');
  assert.match(excerpt!.type === 'text' ? excerpt.text : '', /characters omitted; the full output is at runs:\/\/[0-9a-f-]{36}\/stdout/);
  assert.equal(link?.type, 'resource_link');
  const uri = link!.type === 'resource_link' ? link.uri : '';
  const id = /^runs:\/\/([0-9a-f-]{36})\/stdout$/.exec(uri)![1]!;
  const printed = `${'x'.repeat(64 * 1024 - 1)}\n`.repeat(LINES); // byte for byte, final newline included
  const file = spool.pathOf(id);
  assert.equal(readFileSync(file, 'utf8'), printed, 'the spooled file is the whole output');
  assert.equal(link!.type === 'resource_link' && link.size, statSync(file).size);
  const read = await client.readResource(uri);
  assert.ok(read.contents[0] !== undefined && 'text' in read.contents[0] && read.contents[0].text.startsWith('xxxx'));
  // ... and it is gone after the TTL.
  await waitFor(() => !existsSync(file), 10_000, 'the spooled output to expire');
  await assert.rejects(client.readResource(uri), /not found/i);
  await client.close();
});

test('a small output stays inline, with no link', async () => {
  const client = await connect(server.url, { era: 'legacy' });
  const result = await client.callTool('small', {});
  assert.deepEqual(result.content, [{ type: 'text', text: 'tiny' }]);
  await client.close();
});
