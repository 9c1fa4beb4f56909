/**
 * `sluice call TARGET TOOL key=value...`: arguments typed by the tool's
 * schema, progress as a bar, partial output streamed to stdout, Ctrl-C
 * cancels (a task is left running).
 *
 * @module
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/client';
import type { Era } from '../client/connect.js';
import { CliError, log, secondsOption } from './cliError.js';
import { connectOrFail } from './connectTarget.js';
import { createProgressView } from './progressView.js';

export interface CallOptions {
  readonly json?: string;
  readonly era?: Era;
  readonly timeout?: string;
  /** Ask for a task: its id is printed, the call waits for it, Ctrl-C stops waiting and leaves it running. */
  readonly task?: boolean;
  /** The TTL asked for the task (seconds; 2025-11-25 servers honour it). */
  readonly ttl?: string;
}

export async function callCommand(target: string, tool: string, pairs: string[], options: CallOptions): Promise<void> {
  const view = await createProgressView();
  const client = await connectOrFail(target, options.era, (line) => view.interrupt(() => log(line)));
  const controller = new AbortController();
  let taskId: string | undefined;
  // Ctrl-C cancels the call (the server is told) instead of killing the process; a task is left running.
  const onSigint = () => {
    if (taskId === undefined) return controller.abort(new Error('interrupted (Ctrl-C)'));
    view.stop();
    log(`stopped waiting; task ${taskId} keeps running (sluice task wait ${target} ${taskId})`);
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  try {
    const tools = await client.listTools();
    const definition = tools.find((t) => t.name === tool);
    if (definition === undefined) {
      throw new CliError(`unknown tool "${tool}"; the server has: ${tools.map((t) => t.name).join(', ') || 'no tools'}`, 1);
    }
    const args = { ...parseJsonArgs(options.json), ...parsePairs(pairs, definition) };
    // Output streams to stdout as it arrives (partial results); the final result then adds only what was not streamed.
    let streamed = false;
    const result = await client.callTool(tool, args, {
      onProgress: (event) => view.update(event),
      onPartial: (event) => {
        for (const item of event.content) {
          if (item.type === 'text') {
            streamed = true;
            view.interrupt(() => process.stdout.write(item.text));
          }
        }
      },
      signal: controller.signal,
      ...(options.timeout !== undefined && { timeoutMs: Number(options.timeout) * 1000 }),
      ...(options.task === true && {
        task: options.ttl === undefined ? true : { ttlMs: secondsOption('--ttl', options.ttl) * 1000 },
        onTask: (task) => {
          taskId = task.taskId;
          view.interrupt(() => log(`task ${task.taskId} (${task.status}); wait for it from anywhere with: sluice task wait ${target} ${task.taskId}`));
        },
      }),
    });
    view.stop();
    if (options.task === true && taskId === undefined) log(`the server ran "${tool}" without a task (it does not offer one for this tool)`);
    printResult(result, streamed && result.isError !== true);
    if (result.isError === true) {
      const first = result.content.find((c) => c.type === 'text');
      throw new CliError(`tool "${tool}" failed: ${first?.type === 'text' ? first.text.split('\n')[0] : 'isError result'}`, 1);
    }
  } finally {
    view.stop();
    process.off('SIGINT', onSigint);
    await client.close().catch(() => {});
  }
}

function parseJsonArgs(json: string | undefined): Record<string, unknown> {
  if (json === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new CliError(`--json is not valid JSON: ${(error as Error).message}`, 2);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CliError('--json must be a JSON object', 2);
  return value as Record<string, unknown>;
}

/** `key=value` pairs, typed by the tool's input schema (numbers, booleans, JSON for objects and arrays). */
export function parsePairs(pairs: readonly string[], tool: Pick<Tool, 'inputSchema'>): Record<string, unknown> {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, { type?: string | string[] }>;
  const args: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`argument "${pair}" must look like key=value`, 2);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const declared = properties[key]?.type;
    const type = Array.isArray(declared) ? declared.find((t) => t !== 'null') : declared;
    args[key] = coerce(key, raw, type);
  }
  return args;
}

function coerce(key: string, raw: string, type: string | undefined): unknown {
  switch (type) {
    case 'integer':
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new CliError(`${key}=${raw}: expected a number`, 2);
      return n;
    }
    case 'boolean':
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw new CliError(`${key}=${raw}: expected true or false`, 2);
    case 'object':
    case 'array':
      try {
        return JSON.parse(raw);
      } catch {
        throw new CliError(`${key}=${raw}: expected JSON`, 2);
      }
    default:
      return raw;
  }
}

export function printResult(result: CallToolResult, textAlreadyStreamed: boolean): void {
  for (const item of result.content) {
    if (item.type === 'text') {
      if (!textAlreadyStreamed) process.stdout.write(item.text.endsWith('\n') ? item.text : `${item.text}\n`);
    } else if (item.type === 'resource_link') {
      process.stderr.write(`sluice: full output at ${item.uri} (sluice read TARGET ${item.uri})\n`);
    } else {
      process.stdout.write(`${JSON.stringify(item)}\n`);
    }
  }
  if (result.structuredContent !== undefined && result.content.length === 0) {
    process.stdout.write(`${JSON.stringify(result.structuredContent)}\n`);
  }
}

