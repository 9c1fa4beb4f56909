/**
 * The conformance fixture server: every tool, resource and prompt the official
 * MCP conformance suite (0.1.16, and the 0.2.0-alpha.12 session and tasks scenarios)
 * expects, served by sluice's own HTTP transport. Run it with
 * `npm run conformance:server -- --port N`.
 *
 * Fixture names and behaviours follow shared/research/conformance.md §4.
 */
import { parseArgs } from 'node:util';
import { inputRequired, ProtocolError, type Server } from '@modelcontextprotocol/server';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveHttp } from '../../src/transports/http/nodeServer.js';

const RED_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const TINY_WAV = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Sleeps `ms` unless `signal` aborts first (then it resolves early; the task is already cancelled). */
const sleepUnless = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
const elicit = (message: string, property: string) => ({
  method: 'elicitation/create',
  params: { mode: 'form', message, requestedSchema: { type: 'object', properties: { [property]: { type: 'string' } }, required: [property] } },
});
const answered = (responses: Record<string, unknown> | undefined, key: string) =>
  (responses?.[key] as { action?: string; content?: Record<string, unknown> } | undefined) ?? undefined;

/** Builds the fixture definition. Exported for the tests that check a fixture is really there. */
export function conformanceFixture(): SluiceServer {
  const sluice = new SluiceServer({
    name: 'sluice-conformance-fixture',
    version: '1.0.0',
    capabilities: { logging: {}, completions: {}, resources: { subscribe: true }, tools: {}, prompts: {} },
    configure: (server: Server) => {
      server.setRequestHandler('completion/complete', () => ({ completion: { values: [], total: 0, hasMore: false } }));
      server.setRequestHandler('resources/subscribe', () => ({}));
      server.setRequestHandler('resources/unsubscribe', () => ({}));
    },
  });

  sluice
    .tool({
      name: 'test_simple_text',
      description: 'Returns a simple text response',
      handler: () => 'This is a simple text response for testing.',
    })
    .tool({
      name: 'test_image_content',
      description: 'Returns an image',
      handler: () => ({ content: [{ type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' }] }),
    })
    .tool({
      name: 'test_audio_content',
      description: 'Returns audio',
      handler: () => ({ content: [{ type: 'audio', data: TINY_WAV, mimeType: 'audio/wav' }] }),
    })
    .tool({
      name: 'test_embedded_resource',
      description: 'Returns an embedded resource',
      handler: () => ({
        content: [
          { type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } },
        ],
      }),
    })
    .tool({
      name: 'test_multiple_content_types',
      description: 'Returns text, an image and a resource',
      handler: () => ({
        content: [
          { type: 'text', text: 'Multiple content types test:' },
          { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' },
          { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' } },
        ],
      }),
    })
    .tool({
      name: 'test_tool_with_logging',
      description: 'Sends three log messages while it runs',
      handler: async (_args, ctx) => {
        await ctx.mcp.mcpReq.log('info', 'Tool execution started');
        await sleep(50);
        await ctx.mcp.mcpReq.log('info', 'Tool processing data');
        await sleep(50);
        await ctx.mcp.mcpReq.log('info', 'Tool execution completed');
        return 'Logging test completed';
      },
    })
    .tool({
      name: 'test_error_handling',
      description: 'Always fails with an error result',
      handler: () => ({ content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }], isError: true }),
    })
    .tool({
      name: 'test_tool_with_progress',
      description: 'Reports progress 0, 50 and 100 of 100',
      progressPerSecond: 0, // the suite counts every notification: unthrottled on purpose
      handler: async (_args, ctx) => {
        for (const done of [0, 50, 100]) {
          ctx.progress(done, 100, `Completed step ${done} of 100`);
          if (done < 100) await sleep(50);
        }
        return String(ctx.mcp.mcpReq._meta?.progressToken ?? 'no progress token');
      },
    })
    .tool({
      name: 'test_sampling',
      description: 'Asks the client to sample an LLM',
      inputSchema: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'] },
      handler: async (args: { prompt: string }, ctx) => {
        const result = await ctx.mcp.mcpReq.requestSampling({
          messages: [{ role: 'user', content: { type: 'text', text: args.prompt } }],
          maxTokens: 100,
        });
        const content = Array.isArray(result.content) ? result.content[0] : result.content;
        return `LLM response: ${content?.type === 'text' ? content.text : JSON.stringify(content)}`;
      },
    })
    .tool({
      name: 'test_elicitation',
      description: 'Asks the user for input',
      inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
      handler: async (args: { message: string }, ctx) => {
        const result = await ctx.mcp.mcpReq.elicitInput({
          message: args.message,
          requestedSchema: {
            type: 'object',
            properties: {
              username: { type: 'string', description: "User's response" },
              email: { type: 'string', description: "User's email address" },
            },
            required: ['username', 'email'],
          },
        });
        return `User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
      },
    })
    .tool({
      name: 'test_elicitation_sep1034_defaults',
      description: 'Elicitation with default values',
      handler: async (_args, ctx) => {
        const result = await ctx.mcp.mcpReq.elicitInput({
          message: 'Please confirm your details',
          requestedSchema: {
            type: 'object',
            properties: {
              name: { type: 'string', default: 'John Doe' },
              age: { type: 'integer', default: 30 },
              score: { type: 'number', default: 95.5 },
              status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
              verified: { type: 'boolean', default: true },
            },
            required: [],
          },
        });
        return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
      },
    })
    .tool({
      name: 'test_elicitation_sep1330_enums',
      description: 'Elicitation with every enum style',
      handler: async (_args, ctx) => {
        const result = await ctx.mcp.mcpReq.elicitInput({
          message: 'Pick options',
          requestedSchema: {
            type: 'object',
            properties: {
              untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
              titledSingle: {
                type: 'string',
                oneOf: [
                  { const: 'value1', title: 'First Option' },
                  { const: 'value2', title: 'Second Option' },
                  { const: 'value3', title: 'Third Option' },
                ],
              },
              legacyEnum: { type: 'string', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
              untitledMulti: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
              titledMulti: {
                type: 'array',
                minItems: 1,
                maxItems: 3,
                items: {
                  anyOf: [
                    { const: 'value1', title: 'First Choice' },
                    { const: 'value2', title: 'Second Choice' },
                    { const: 'value3', title: 'Third Choice' },
                  ],
                },
              },
            },
            required: [],
          },
        } as Parameters<typeof ctx.mcp.mcpReq.elicitInput>[0]);
        return `Elicitation completed: action=${result.action}`;
      },
    })
    .tool({
      name: 'test_reconnection',
      description: 'Closes its SSE stream before answering; the answer is replayed on reconnect',
      handler: async (_args, ctx) => {
        await sleep(50);
        ctx.mcp.http?.closeSSE?.();
        await sleep(100);
        return 'Reconnection test completed';
      },
    })
    .tool({
      name: 'json_schema_2020_12_tool',
      description: 'Tool with JSON Schema 2020-12 features ($schema, $defs, additionalProperties)',
      inputSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: { address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
        properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
        additionalProperties: false,
      },
      handler: (args) => JSON.stringify(args),
    });

  sluice
    .resource({
      uri: 'test://static-text',
      name: 'static-text',
      description: 'A static text resource',
      mimeType: 'text/plain',
      read: (uri) => ({ contents: [{ uri, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }] }),
    })
    .resource({
      uri: 'test://static-binary',
      name: 'static-binary',
      description: 'A static binary resource',
      mimeType: 'image/png',
      read: (uri) => ({ contents: [{ uri, mimeType: 'image/png', blob: RED_PIXEL_PNG }] }),
    })
    .resource({
      uri: 'test://watched-resource',
      name: 'watched-resource',
      description: 'A resource clients may subscribe to',
      mimeType: 'text/plain',
      read: (uri) => ({ contents: [{ uri, mimeType: 'text/plain', text: 'Watched resource content' }] }),
    })
    .resourceTemplate({
      uriTemplate: 'test://template/{id}/data',
      name: 'template',
      description: 'A templated resource',
      mimeType: 'application/json',
      read: (uri, { id }) => ({
        contents: [{ uri, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }],
      }),
    });

  sluice
    .prompt({
      name: 'test_simple_prompt',
      description: 'A simple prompt',
      get: () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }] }),
    })
    .prompt({
      name: 'test_prompt_with_arguments',
      description: 'A prompt with arguments',
      arguments: [
        { name: 'arg1', description: 'First argument', required: true },
        { name: 'arg2', description: 'Second argument', required: true },
      ],
      get: ({ arg1, arg2 }) => ({
        messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }],
      }),
    })
    .prompt({
      name: 'test_prompt_with_embedded_resource',
      description: 'A prompt with an embedded resource',
      arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
      get: ({ resourceUri }) => ({
        messages: [
          { role: 'user', content: { type: 'resource', resource: { uri: resourceUri!, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
          { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
        ],
      }),
    })
    .prompt({
      name: 'test_prompt_with_image',
      description: 'A prompt with an image',
      get: () => ({
        messages: [
          { role: 'user', content: { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' } },
          { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
        ],
      }),
    });
  tasksFixtures(sluice);
  return sluice;
}

/** The SEP-2663 fixtures of the 0.2.0-alpha.12 `tasks-*` scenarios (research §2.4). */
function tasksFixtures(sluice: SluiceServer): void {
  sluice
    .tool({
      name: 'greet',
      description: 'Greets someone at once (never a task)',
      inputSchema: { type: 'object', properties: { name: { type: 'string' } } },
      handler: (args: { name?: string }) => `Hello, ${args.name ?? 'World'}!`,
    })
    .tool({
      name: 'slow_compute',
      description: 'Sleeps for `seconds`, then answers; runs as a task for clients that know tasks',
      task: 'optional',
      inputSchema: { type: 'object', properties: { seconds: { type: 'number' }, label: { type: 'string' } } },
      handler: async (args: { seconds?: number; label?: string }, ctx) => {
        await sleepUnless((args.seconds ?? 1) * 1000, ctx.signal);
        return `Computed ${args.label ?? 'result'} after ${args.seconds ?? 1} s`;
      },
    })
    .tool({
      name: 'failing_job',
      description: 'Fails as a tool (isError) after about a second; runs only as a task',
      task: 'required',
      handler: async (_args, ctx) => {
        await sleepUnless(1000, ctx.signal);
        return { content: [{ type: 'text', text: 'The job failed: nothing to process' }], isError: true };
      },
    })
    .tool({
      name: 'protocol_error_job',
      description: 'Fails with a JSON-RPC error',
      task: 'optional',
      handler: () => {
        throw new ProtocolError(-32603, 'The job crashed (a protocol-level failure)');
      },
    })
    .tool({
      name: 'confirm_delete',
      description: 'Asks for confirmation (one elicitation), then deletes',
      task: 'optional',
      handler: (_args, ctx) => {
        const confirm = answered(ctx.mcp.mcpReq.inputResponses, 'confirm');
        if (confirm === undefined) return inputRequired({ inputRequests: { confirm: elicit('Delete the file?', 'confirm') } } as never);
        return confirm.action === 'accept' ? 'Deleted' : 'Kept: not confirmed';
      },
    })
    .tool({
      name: 'multi_input',
      description: 'Asks two questions at once, then answers with both',
      task: 'optional',
      handler: (_args, ctx) => {
        const responses = ctx.mcp.mcpReq.inputResponses;
        const first = answered(responses, 'first');
        const second = answered(responses, 'second');
        if (first === undefined || second === undefined) {
          return inputRequired({ inputRequests: { first: elicit('First name?', 'first'), second: elicit('Last name?', 'second') } } as never);
        }
        return `Got ${JSON.stringify(first.content ?? {})} and ${JSON.stringify(second.content ?? {})}`;
      },
    })
    .tool({
      name: 'test_tool_with_task',
      description: 'Asks for a name in the request (multi round trip), then runs as a task that greets it',
      task: 'required',
      beforeTask: (_args, ctx) =>
        answered(ctx.mcpReq.inputResponses, 'user_name') === undefined
          ? inputRequired({ inputRequests: { user_name: elicit('Your name?', 'name') } } as never)
          : undefined,
      handler: (_args, ctx) => {
        const content = answered(ctx.mcp.mcpReq.inputResponses, 'user_name')?.content ?? {};
        return `Hello, ${String(Object.values(content)[0] ?? 'nobody')}!`;
      },
    });
}

if (process.argv[1] !== undefined && import.meta.filename === (await import('node:fs')).realpathSync(process.argv[1])) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } } });
  const running = await serveHttp(conformanceFixture(), { port: Number(values.port), host: values.host! });
  process.stderr.write(`conformance fixture server at ${running.url}\n`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
