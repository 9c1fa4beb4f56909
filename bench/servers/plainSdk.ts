/**
 * The baseline: what a user writes today with the plain SDK v2, following its
 * docs: McpServer + createMcpHandler (2026-07-28, with the default stateless
 * 2025 fallback) + toNodeHandler, behind the SDK's localhost Host and Origin
 * validation, on node:http bound to 127.0.0.1. With `--stdio`: serveStdio.
 *
 * Tools: `echo`; `flood_progress` (count progress notifications as fast as
 * notify() returns); `flood_output` (64 KiB chunks of output, streamed the
 * only way the SDK offers: as progress messages); `wait` (runs until
 * cancelled, records when its signal fired); `last_abort` (that time).
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
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';
import { CHUNK_TEXT, ECHO_DESCRIPTION, echo, epochMs } from './echoTool.js';

let lastAbortAt = 0;

function factory() {
  const server = new McpServer({ name: 'plain-sdk', version: '1.0.0' });
  server.registerTool('echo', { description: ECHO_DESCRIPTION, inputSchema: z.object({ text: z.string() }) }, ({ text }) => echo(text));
  server.registerTool('flood_progress', { description: 'progress flood', inputSchema: z.object({ count: z.number() }) }, async ({ count }, ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    for (let i = 1; i <= count && progressToken !== undefined; i++) {
      await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: i, total: count } });
    }
    return echo('done');
  });
  server.registerTool('flood_output', { description: 'output flood', inputSchema: z.object({ chunks: z.number() }) }, async ({ chunks }, ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    for (let i = 1; i <= chunks && progressToken !== undefined && !ctx.mcpReq.signal.aborted; i++) {
      await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: i, message: CHUNK_TEXT } }).catch(() => {});
    }
    return echo('done');
  });
  server.registerTool('wait', { description: 'runs until cancelled' }, async (ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    if (progressToken !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: 1 } });
    await new Promise<void>((resolve) =>
      ctx.mcpReq.signal.addEventListener('abort', () => {
        lastAbortAt = epochMs();
        resolve();
      }),
    );
    return echo('cancelled');
  });
  server.registerTool('last_abort', { description: 'when wait was last cancelled' }, () => echo(String(lastAbortAt)));
  return server;
}

if (process.argv.includes('--stdio')) {
  serveStdio(factory);
} else {
  const handler = createMcpHandler(factory);
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
}
