/**
 * The baseline for large resources: a folder served the way the SDK v2 docs
 * show, with `McpServer.registerResource` and a template whose read callback
 * returns the whole file (text for text files, base64 blob otherwise).
 * Usage: resourceSdk.ts DIR [--stdio]; over HTTP it prints its URL.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

const dir = process.argv[2]!;

function factory() {
  const server = new McpServer({ name: 'plain-sdk-files', version: '1.0.0' });
  server.registerResource('files', new ResourceTemplate('file:///{name}', { list: undefined }), { description: 'files' }, async (uri, { name }) => {
    const bytes = await readFile(join(dir, String(name)));
    return String(name).endsWith('.txt')
      ? { contents: [{ uri: uri.href, mimeType: 'text/plain', text: bytes.toString('utf8') }] }
      : { contents: [{ uri: uri.href, mimeType: 'application/octet-stream', blob: bytes.toString('base64') }] };
  });
  return server;
}

if (process.argv.includes('--stdio')) {
  serveStdio(factory);
} else {
  const handler = toNodeHandler(createMcpHandler(factory));
  const http = createServer((req, res) => void handler(req, res));
  http.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp\n`));
}
