// The desktop and editor configs in docs/deploy/clients/ (Claude Desktop, Claude Code, VS Code,
// Cursor) as those apps would use them: each stdio entry's command is started and each HTTP
// entry's URL is reached, with the stock SDK v2 client, and a tool is called. Guards against a
// snippet that drifted from the CLI (a renamed flag, a wrong key) and still looks right.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { CLI, EXAMPLE_CONFIG, ROOT, startExample } from '../helpers/servers.js';

const DIR = join(ROOT, 'docs/deploy/clients');
/** What a user writes in place of the placeholders: the example config, and `sluice` as installed (npm link / npm i -g). */
const CONFIG_PLACEHOLDERS = ['/absolute/path/to/sluice.yaml', '${workspaceFolder}/sluice.yaml'];
let server: RunningHttpServer;

before(async () => {
  server = await startExample();
});
after(() => server.close());

interface Entry {
  readonly type?: string;
  readonly command?: string;
  readonly args?: string[];
  readonly url?: string;
}

async function callEcho(client: Client): Promise<void> {
  const tools = await client.listTools();
  assert.ok(tools.tools.some((tool) => tool.name === 'echo'));
  const result = await client.callTool({ name: 'echo', arguments: { text: 'from a snippet' } });
  assert.match(JSON.stringify(result.content), /from a snippet/);
}

for (const file of readdirSync(DIR).filter((name) => name.endsWith('.json'))) {
  test(`docs/deploy/clients/${file}: every entry starts or reaches sluice`, async () => {
    const parsed = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { mcpServers?: Record<string, Entry>; servers?: Record<string, Entry> };
    const entries = Object.entries(parsed.mcpServers ?? parsed.servers ?? {});
    assert.ok(entries.length > 0, 'the snippet names a server');
    for (const [name, entry] of entries) {
      const client = new Client({ name: `snippet-${name}`, version: '0' });
      if (entry.url !== undefined) {
        assert.ok(entry.type === undefined || entry.type === 'http', `${name}: an HTTP entry`);
        const url = new URL(entry.url);
        assert.equal(url.port, '3001', 'the default port of sluice serve');
        url.port = String(server.port);
        await client.connect(new StreamableHTTPClientTransport(url));
      } else {
        assert.equal(entry.command, 'sluice', `${name}: runs the sluice command`);
        assert.ok(entry.type === undefined || entry.type === 'stdio');
        const args = entry.args!.map((arg) => (CONFIG_PLACEHOLDERS.includes(arg) ? EXAMPLE_CONFIG : arg));
        assert.ok(args.includes(EXAMPLE_CONFIG), `${name}: names a config`);
        await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], stderr: 'ignore' }));
      }
      try {
        await callEcho(client);
      } finally {
        await client.close();
      }
    }
  });
}
