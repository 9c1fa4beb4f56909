/**
 * The `sluice` commands. Thin: every behaviour lives in the library; these
 * functions parse, call, and print.
 *
 * Exit codes: 0 success; 1 the server or the tool failed; 2 bad usage or
 * config.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CallToolResult, Tool } from '@modelcontextprotocol/client';
import { connect, type Era } from '../client/connect.js';
import { chunkSizeOf } from '../client/readStream.js';
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SHUTDOWN_GRACE_MS } from '../defaults.js';
import { CancelledError, ConfigError, SluiceError } from '../errors.js';
import { buildServer, httpOptionsOf } from '../runner/buildServer.js';
import { loadConfig, type SluiceConfig } from '../runner/config.js';
import { JournaledTaskStore } from '../stores/file/journaledTaskStore.js';
import { memoryStores, type Stores } from '../stores/stores.js';
import { AddressInUseError, serveHttp, type RunningHttpServer } from '../transports/http/nodeServer.js';
import { serveStdio } from '../transports/stdio.js';
import { outputSink } from './outputSink.js';
import { createProgressView } from './progressView.js';
import { createTransferView, formatBytes } from './transferView.js';

/** A failure with its exit code; the message is printed as one line. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const log = (line: string) => process.stderr.write(`sluice: ${line}\n`);

/** The environment variable holding the key that seals 2026-07-28 `requestState` (the same on every node). */
export const STATE_KEY_ENV = 'SLUICE_STATE_KEY';

export interface ServeOptions {
  readonly port?: string;
  readonly host?: string;
  readonly stdio?: boolean;
  readonly store?: string;
}

export async function serveCommand(configPath: string | undefined, options: ServeOptions): Promise<void> {
  const file = configPath ?? 'sluice.yaml';
  if (configPath === undefined && !existsSync(resolve(file))) {
    throw new CliError('no config given and no sluice.yaml in this folder (try: sluice serve examples/sluice.yaml)', 2);
  }
  const config = await loadConfig(file);
  const store = storeOf(options.store, config);
  if (store !== undefined && options.stdio === true) throw new CliError('--store applies to HTTP; a stdio server has one client and keeps everything in memory', 2);
  const stateKey = process.env[STATE_KEY_ENV];
  if (stateKey !== undefined && Buffer.byteLength(stateKey) < 32) throw new CliError(`${STATE_KEY_ENV} must be at least 32 bytes`, 2);
  if (store !== undefined && stateKey === undefined) {
    log(`warning: ${STATE_KEY_ENV} is not set: 2026-07-28 requestState is sealed with this process's own key, so a next round sent to another node fails; give every node the same key (32+ bytes)`);
  }
  const sluice = buildServer(config, stateKey === undefined ? {} : { requestStateKey: stateKey });
  const summary = `${config.tools.length} tool(s), ${config.resources.length} resource(s) from ${config.file}`;

  // Signal handlers go in before the ready line: a supervisor may signal as soon as it reads it.
  let stop: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: shutting down (cancelling in-flight calls)`);
    // The transports give cancelled calls the grace period to answer; past it (plus a margin to cut sockets), exit anyway.
    const force = setTimeout(() => {
      log('shutdown took longer than the grace period: exiting');
      process.exit(1);
    }, DEFAULT_SHUTDOWN_GRACE_MS + 2000);
    force.unref();
    void (stop?.() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (options.stdio === true) {
    const running = serveStdio(sluice, { onerror: (e) => log(`error: ${e.message}`) });
    stop = running.close;
    void running.closed.then(() => process.exit(0));
    log(`serving ${summary} on stdio`);
  } else {
    const port = options.port === undefined ? DEFAULT_PORT : parsePort(options.port);
    const host = options.host ?? DEFAULT_HOST;
    let running: RunningHttpServer;
    let stores: Stores | undefined;
    try {
      stores = store === undefined ? journaledStores(config) : await openRedisStores(store);
      running = await serveHttp(sluice, { ...httpOptionsOf(config), host, port, ...(stores !== undefined && { stores }) });
    } catch (error) {
      sluice.abortAll();
      await stores?.close();
      if (error instanceof AddressInUseError) {
        throw new CliError(`${error.host}:${error.port} is already in use; pick another port with --port N (--port 0 picks a free one)`, 1);
      }
      throw error;
    }
    const server = running;
    stop = async () => {
      await server.close();
      await stores?.close();
    };
    if (stopping) await stop().then(() => process.exit(0));
    const where = store !== undefined ? ` (store ${redact(store.url)}, node ${stores!.cluster.nodeId})` : stores !== undefined ? ` (tasks in ${config.tasks.journal})` : '';
    log(`serving ${summary} at ${running.url}${where}`);
    if (!running.loopbackOnly) {
      log('warning: not bound to loopback; Host is not checked and Origin must match Host. Put authentication in front of it.');
    }
  }
}

/** Memory stores with the tasks in the config's journal (`tasks: { journal }`), or none. */
function journaledStores(config: SluiceConfig): Stores | undefined {
  if (config.tasks.journal === undefined) return undefined;
  try {
    return memoryStores(undefined, { tasks: new JournaledTaskStore(config.tasks.journal) });
  } catch (error) {
    throw new CliError(`tasks.journal ${config.tasks.journal}: ${(error as Error).message}`, 1);
  }
}

/** The store: `--store` over the config's `store:`; `memory` = none. */
function storeOf(flag: string | undefined, config: SluiceConfig): SluiceConfig['store'] {
  if (flag === 'memory') return undefined;
  if (flag === undefined) return config.store;
  if (!/^rediss?:\/\//.test(flag)) throw new CliError(`--store must be memory or redis://HOST:PORT[/DB]; got ${flag}`, 2);
  return { url: flag, prefix: config.store?.prefix, nodeTimeoutMs: config.store?.nodeTimeoutMs };
}

/** Redis is loaded only when a command needs it. */
async function openRedisStores(store: NonNullable<SluiceConfig['store']>): Promise<Stores> {
  const { redisStores } = await import('../stores/redis/redisStores.js');
  try {
    return await redisStores(store.url, {
      ...(store.prefix !== undefined && { prefix: store.prefix }),
      ...(store.nodeTimeoutMs !== undefined && { nodeTimeoutMs: store.nodeTimeoutMs }),
      report: (message) => process.stderr.write(`${message}\n`),
    });
  } catch (error) {
    throw new CliError(`--store ${redact(store.url)}: ${(error as Error).message}`, 1);
  }
}

/** A URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be an integer 0-65535; got ${text}`, 2);
  return port;
}

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
  const view = createProgressView();
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

export interface ReadOptions {
  readonly output?: string;
  readonly era?: Era;
  readonly chunkSize?: string;
}

/**
 * Streams a resource to stdout or `-o FILE`, byte for byte, with progress on
 * stderr. A file is written under a temporary name and renamed only when the
 * read completed, so a failed read never leaves a truncated file behind.
 */
export async function readCommand(target: string, uri: string, options: ReadOptions): Promise<void> {
  let chunkSize: number;
  try {
    chunkSize = chunkSizeOf(options.chunkSize === undefined ? undefined : Number(options.chunkSize));
  } catch (error) {
    throw new CliError(`--chunk-size ${options.chunkSize ?? ''}: ${(error as Error).message}`.replace(/\s+:/, ':'), 2);
  }
  const view = createTransferView();
  const client = await connectOrFail(target, options.era, (line) => view.notice(`sluice: ${line}`));
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.on('SIGINT', onSigint);
  const sink = outputSink(options.output, (error) => controller.abort(error));
  let completed = false;
  try {
    const stream = client.readResourceStream(uri, { chunkSize, signal: controller.signal });
    let bytes = 0;
    for await (const chunk of stream) {
      bytes += chunk.length;
      await sink.write(chunk);
      view.update(bytes, stream.size);
    }
    view.update(bytes, stream.size);
    view.stop();
    await sink.commit();
    completed = true;
    const stats = stream.stats();
    log(
      `read ${bytes} bytes of ${uri}${options.output === undefined ? '' : ` into ${options.output}`} in ${(stats.elapsedMs / 1000).toFixed(2)} s ` +
        `(${formatBytes(stats.bytesPerSecond)}/s, ${stream.mode ?? 'windows'})`,
    );
  } finally {
    view.stop();
    process.off('SIGINT', onSigint);
    if (!completed) await sink.abandon();
    await client.close().catch(() => {});
  }
}

/** Connects; `notice` gets one line per attempt to resume a dropped stream. */
export async function connectOrFail(target: string, era: Era | undefined, notice: (line: string) => void) {
  try {
    return await connect(target, {
      ...(era !== undefined && { era }),
      onReconnect: ({ attempt, maxAttempts, delayMs }) =>
        notice(`the stream dropped; resuming in ${delayMs} ms (attempt ${attempt} of ${maxAttempts})`),
    });
  } catch (error) {
    if (error instanceof SluiceError && error.code === 'SLUICE_TARGET') throw new CliError(error.message, 2);
    throw error;
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

/** A positive number of seconds from an option, or exit 2 naming it. */
export function secondsOption(name: string, text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`${name} must be a positive number of seconds; got ${text}`, 2);
  return seconds;
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

/** Maps any failure to its one-line message and exit code. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof CancelledError) return { message: error.message, exitCode: 130 };
  if (error instanceof ConfigError) return { message: error.message, exitCode: 2 };
  if (error instanceof SluiceError && error.code === 'SLUICE_TARGET') return { message: error.message, exitCode: 2 };
  const message = error instanceof Error ? error.message : String(error);
  return { message: message.split('\n')[0] ?? message, exitCode: 1 };
}
