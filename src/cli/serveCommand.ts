/**
 * `sluice serve`: the tools and resources of a `sluice.yaml` over HTTP or
 * stdio, with its stores (memory, a task journal, or Redis, loaded only
 * when named).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SHUTDOWN_GRACE_MS } from '../defaults.js';
import { buildServer, httpOptionsOf } from '../runner/buildServer.js';
import { loadConfig, type SluiceConfig } from '../runner/config.js';
import { JournaledTaskStore } from '../stores/file/journaledTaskStore.js';
import { memoryStores, type Stores } from '../stores/stores.js';
import { AddressInUseError, serveHttp, type RunningHttpServer } from '../transports/http/nodeServer.js';
import { serveStdio } from '../transports/stdio.js';
import { CliError } from './cliError.js';
import { logCalls, logLevelOption, serverLogger } from './serverLog.js';

/** The environment variable holding the key that seals 2026-07-28 `requestState` (the same on every node). */
export const STATE_KEY_ENV = 'SLUICE_STATE_KEY';

export interface ServeOptions {
  readonly port?: string;
  readonly host?: string;
  readonly stdio?: boolean;
  readonly store?: string;
  readonly logLevel?: string;
  readonly dashboard?: boolean;
  readonly ws?: boolean;
}

export async function serveCommand(configPath: string | undefined, options: ServeOptions): Promise<void> {
  const file = configPath ?? 'sluice.yaml';
  if (configPath === undefined && !existsSync(resolve(file))) {
    throw new CliError('no config given and no sluice.yaml in this folder (try: sluice serve examples/sluice.yaml)', 2);
  }
  const logger = await serverLogger(logLevelOption(options.logLevel));
  const config = await loadConfig(file);
  const store = storeOf(options.store, config);
  if (store !== undefined && options.stdio === true) throw new CliError('--store applies to HTTP; a stdio server has one client and keeps everything in memory', 2);
  const stateKey = process.env[STATE_KEY_ENV];
  if (stateKey !== undefined && Buffer.byteLength(stateKey) < 32) throw new CliError(`${STATE_KEY_ENV} must be at least 32 bytes`, 2);
  if (store !== undefined && stateKey === undefined) {
    logger.warn(`${STATE_KEY_ENV} is not set: 2026-07-28 requestState is sealed with this process's own key, so a next round sent to another node fails; give every node the same key (32+ bytes)`);
  }
  const sluice = buildServer(config, stateKey === undefined ? {} : { requestStateKey: stateKey });
  logCalls(sluice.activity, logger);
  const summary = `${config.tools.length} tool(s), ${config.resources.length} resource(s) from ${config.file}`;

  // Signal handlers go in before the ready line: a supervisor may signal as soon as it reads it.
  let stop: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    logger.info(`${signal}: shutting down (cancelling in-flight calls)`);
    // The transports give cancelled calls the grace period to answer; past it (plus a margin to cut sockets), exit anyway.
    const force = setTimeout(() => {
      logger.error('shutdown took longer than the grace period: exiting');
      process.exit(1);
    }, DEFAULT_SHUTDOWN_GRACE_MS + 2000);
    force.unref();
    void (stop?.() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (options.stdio === true) {
    const running = serveStdio(sluice, { onerror: (e) => logger.error({ err: e }, e.message) });
    stop = running.close;
    void running.closed.then(() => process.exit(0));
    logger.info(`serving ${summary} on stdio`);
  } else {
    const port = options.port === undefined ? DEFAULT_PORT : parsePort(options.port);
    const host = options.host ?? DEFAULT_HOST;
    let running: RunningHttpServer;
    let stores: Stores | undefined;
    try {
      stores = store === undefined ? journaledStores(config) : await openRedisStores(store, (message) => logger.warn(message));
      running = await serveHttp(sluice, { ...httpOptionsOf(config), host, port, ...(stores !== undefined && { stores }), ...(options.dashboard !== undefined && { dashboard: options.dashboard }), ...(options.ws === true && { websocket: true }) });
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
    logger.info({ url: running.url }, `serving ${summary} at ${running.url}${where}`);
    if (running.webSocketUrl !== undefined) logger.info({ url: running.webSocketUrl }, `WebSocket: ${running.webSocketUrl}`);
    if (!running.loopbackOnly) {
      logger.warn('not bound to loopback; Host is not checked and Origin must match Host. Put authentication in front of it.');
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
async function openRedisStores(store: NonNullable<SluiceConfig['store']>, report: (message: string) => void): Promise<Stores> {
  const { redisStores } = await import('../stores/redis/redisStores.js');
  try {
    return await redisStores(store.url, {
      ...(store.prefix !== undefined && { prefix: store.prefix }),
      ...(store.nodeTimeoutMs !== undefined && { nodeTimeoutMs: store.nodeTimeoutMs }),
      report,
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

