/**
 * The baseline: what a user writes today with the plain SDK v2, following its
 * docs: McpServer + createMcpHandler (2026-07-28, with the default stateless
 * 2025 fallback) + toNodeHandler, behind the SDK's localhost Host and Origin
 * validation, on node:http bound to 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  McpServer,
  originValidationResponse,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { ECHO_DESCRIPTION, echo } from './echoTool.js';

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'plain-sdk', version: '1.0.0' });
  server.registerTool('echo', { description: ECHO_DESCRIPTION, inputSchema: z.object({ text: z.string() }) }, ({ text }) => echo(text));
  return server;
});
const guarded = {
  fetch: (request: Request) =>
    Promise.resolve(
      hostHeaderValidationResponse(request, localhostAllowedHostnames()) ?? originValidationResponse(request, localhostAllowedOrigins()),
    ).then((rejected) => rejected ?? handler.fetch(request)),
};
const node = toNodeHandler(guarded);
const http = createServer((req, res) => void node(req, res));
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp\n`);
});
