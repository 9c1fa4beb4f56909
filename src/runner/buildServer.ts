/**
 * Turns a validated {@link SluiceConfig} into a {@link SluiceServer}.
 *
 * @module
 */
import { DEFAULT_MAX_CONCURRENT_SCRIPTS, DEFAULT_MAX_QUEUED_SCRIPTS } from '../defaults.js';
import { ConcurrencyLimit } from '../flow/concurrencyLimit.js';
import { SluiceServer, type SluiceServerOptions } from '../server/sluiceServer.js';
import { serveHttp, type RunningHttpServer, type ServeHttpOptions } from '../transports/http/nodeServer.js';
import type { SluiceConfig } from './config.js';
import { fileResource } from './fileResource.js';
import { scriptTool, type ScriptToolOptions } from './scriptTool.js';
import { RunSpool } from './spool.js';

export interface BuildServerOptions extends Partial<SluiceServerOptions>, ScriptToolOptions {
  /** How long spooled outputs are kept (ms). @defaultValue {@link DEFAULT_SPOOL_TTL_MS} */
  readonly spoolTtlMs?: number;
}

export function buildServer(config: SluiceConfig, options: BuildServerOptions = {}): SluiceServer {
  const sluice = new SluiceServer({
    name: config.name,
    version: config.version,
    ...(config.progressPerSecond !== undefined && { progressPerSecond: config.progressPerSecond }),
    ...(config.heartbeatMs !== undefined && { progressHeartbeatMs: config.heartbeatMs }),
    ...(config.backpressure !== undefined && { slowConsumer: config.backpressure }),
    // Script tools send their stderr lines as log messages to clients that set a level (runner/stderrLog.ts).
    ...(config.tools.length > 0 && { capabilities: { logging: {} } }),
    ...options,
  });
  let spool = options.spool;
  if (spool === undefined && config.tools.length > 0) {
    // Full outputs beyond the inline limit live here, as runs://ID/stdout, until their TTL.
    const { ttlMs, maxBytesPerRun, maxTotalBytes } = config.spool;
    const owned = new RunSpool({
      ...((options.spoolTtlMs ?? ttlMs) !== undefined && { ttlMs: options.spoolTtlMs ?? ttlMs }),
      ...(maxBytesPerRun !== undefined && { maxBytesPerRun }),
      ...(maxTotalBytes !== undefined && { maxTotalBytes }),
    });
    sluice.onShutdown(() => owned.close());
    spool = owned;
  }
  if (spool !== undefined) sluice.resourceTemplate(spool.resourceTemplate());
  // One limit for every script process of this server, and one per tool that sets `concurrency`.
  const maxQueued = config.scripts.maxQueued ?? DEFAULT_MAX_QUEUED_SCRIPTS;
  const everyScript = new ConcurrencyLimit(config.scripts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_SCRIPTS, maxQueued);
  for (const tool of config.tools) {
    const limits = tool.concurrency === undefined ? [everyScript] : [new ConcurrencyLimit(tool.concurrency, maxQueued), everyScript];
    sluice.tool(scriptTool(tool, { ...options, ...(spool !== undefined && { spool }), limits, activity: sluice.activity }));
  }
  for (const resource of config.resources) {
    const definition = fileResource(resource);
    if ('uriTemplate' in definition) sluice.resourceTemplate(definition);
    else sluice.resource(definition);
  }
  return sluice;
}

/** The HTTP options a config sets (`sessions: { ttl, max, hibernate, cancelOnDisconnect, retry, keepAlive, eventLog }`). */
export function httpOptionsOf(config: SluiceConfig): ServeHttpOptions {
  const { ttlMs, max, hibernateMs, cancelOnDisconnect, retryMs, keepAliveMs, eventLog } = config.sessions;
  return {
    ...((ttlMs !== undefined || max !== undefined || hibernateMs !== undefined) && {
      sessions: { ...(ttlMs !== undefined && { ttlMs }), ...(max !== undefined && { max }), ...(hibernateMs !== undefined && { hibernateMs }) },
    }),
    ...(cancelOnDisconnect !== undefined && { cancelOnDisconnect }),
    ...(retryMs !== undefined && { retryMs }),
    ...(keepAliveMs !== undefined && { keepAliveMs }),
    ...(Object.keys(eventLog).length > 0 && { eventLog }),
    ...(config.dashboard !== undefined && { dashboard: config.dashboard }),
    ...(config.websocket !== undefined && { websocket: config.websocket }),
  };
}

/** Builds the server of a config and serves it over HTTP; `options` override the config. */
export async function serveConfig(
  config: SluiceConfig,
  options: ServeHttpOptions = {},
): Promise<RunningHttpServer & { readonly sluice: SluiceServer }> {
  const sluice = buildServer(config);
  const running = await serveHttp(sluice, { ...httpOptionsOf(config), ...options });
  return Object.assign(running, { sluice });
}
