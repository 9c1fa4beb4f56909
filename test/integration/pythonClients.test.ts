// Real clients nobody here wrote: the official Python SDK (`mcp` 2.3) and
// FastMCP's client (4.0), in a venv the test creates. Guards against: answers
// larger than the 1 MiB SSE event the Python SDK accepts (windows, tool
// results and their excerpts); a paging note that stops a literal reader early
// or adds bytes the file does not have. Each client reads a 20 MiB UTF-8 file
// byte-identical by following the note, and gets a large tool result with its
// resource_link, over 2025 and 2026 HTTP and over stdio.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SluiceServer } from '../../src/server/sluiceServer.js';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { ensurePythonClients, runPythonClient } from '../helpers/python.js';
import { CLI, ROOT, startConfig, tempDir } from '../helpers/servers.js';

const MESSAGE_LIMIT = 1024 * 1024; // what the Python SDK accepts in one SSE event
const tmp = tempDir();
let server: RunningHttpServer & { sluice: SluiceServer };
let fileSha = '';
let fileSize = 0;
const FLOOD_LINES = 64;
const floodSha = createHash('sha256').update(`${'x'.repeat(64 * 1024 - 1)}\n`.repeat(FLOOD_LINES)).digest('hex');
const config = `
resources:
  - name: share
    uri: files://{path}
    directory: ./share
tools:
  - name: flood
    description: prints 4 MiB
    command: node
    args: ["${join(ROOT, 'test/fixtures/scripts/flood.mjs')}", "${FLOOD_LINES}"]
`;

before(
  async () => {
    ensurePythonClients();
    mkdirSync(join(tmp.dir, 'share'));
    // 20 MiB of text with 2-, 3- and 4-byte characters, so windows end on character boundaries.
    const line = 'héllo wörld, ünïcödé ✓ 日本語テキスト 🙂 ~ "quoted" \\ back\\slash\t tab\n';
    const text = Buffer.from(line.repeat(Math.ceil((20 * 1024 * 1024) / Buffer.byteLength(line))));
    writeFileSync(join(tmp.dir, 'share', 'big.txt'), text);
    fileSha = createHash('sha256').update(text).digest('hex');
    fileSize = text.length;
    writeFileSync(join(tmp.dir, 'sluice.yaml'), config);
    server = await startConfig(config, tmp.dir);
  },
  { timeout: 600_000 },
);
after(async () => {
  await server?.close();
  tmp.remove();
});

function check(reports: Array<Record<string, unknown>>, what: string): void {
  const [read, call] = reports as [
    { sha256: string; size: number; windows: number; largestMessage: number },
    { isError: boolean; largestMessage: number; link?: string; linked?: { sha256: string; size: number; largestMessage: number } },
  ];
  assert.equal(read.size, fileSize, `${what}: every byte`);
  assert.equal(read.sha256, fileSha, `${what}: byte-identical`);
  assert.ok(read.windows > 20, `${what}: in windows (${read.windows})`);
  assert.ok(read.largestMessage < MESSAGE_LIMIT, `${what}: window messages under 1 MiB (${read.largestMessage})`);
  assert.equal(call.isError, false);
  assert.ok(call.largestMessage < MESSAGE_LIMIT, `${what}: the tool result is under 1 MiB (${call.largestMessage})`);
  assert.match(call.link ?? '', /^runs:\/\/[0-9a-f-]{36}\/stdout$/, `${what}: the result links its full output`);
  assert.equal(call.linked?.sha256, floodSha, `${what}: the linked output is the whole output`);
}

for (const client of ['mcp', 'fastmcp'] as const) {
  for (const mode of ['legacy', '2026-07-28'] as const) {
    test(`${client} over HTTP (${mode}): a 20 MiB file byte-identical by the note, a large result with its link`, async () => {
      check(await runPythonClient(client, mode, server.url, ['read:files://big.txt', 'call:flood']), `${client} ${mode}`);
    });
  }
  test(`${client} over stdio: the same`, async () => {
    const target = `stdio:${JSON.stringify([process.execPath, CLI, 'serve', join(tmp.dir, 'sluice.yaml'), '--stdio'])}`;
    check(await runPythonClient(client, 'legacy', target, ['read:files://big.txt', 'call:flood']), `${client} stdio`);
  });
}
