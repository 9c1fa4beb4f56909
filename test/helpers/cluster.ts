/**
 * Several real sluice processes on one real Redis, behind a round-robin
 * proxy: `sluice serve CONFIG --port 0` (the config names the store), or a
 * fixture script that serves code tools the same way. Every process is
 * started here and stopped by its PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterProxy, type ClusterProxyOptions } from './clusterProxy.js';
import { waitFor } from './processes.js';
import { type RunningRedis, startRedis } from './redisServer.js';
import { CLI, ROOT, tempDir, tickerConfig } from './servers.js';

export interface ClusterNode {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the node wrote to stderr so far. */
  readonly stderr: () => string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export interface Cluster {
  readonly redis: RunningRedis;
  readonly nodes: ClusterNode[];
  readonly proxy: ClusterProxy;
  /** The proxy's MCP endpoint. */
  readonly url: string;
  readonly dir: string;
  close(): Promise<void>;
}

/** Starts one node: `sluice serve` of a config file, or a fixture script given as `script`. */
export async function startNode(options: { config?: string; script?: string; args?: string[]; env?: Record<string, string> }): Promise<ClusterNode> {
  const argv =
    options.script === undefined
      ? [CLI, 'serve', options.config!, '--port', '0', ...(options.args ?? [])]
      : ['--import', 'tsx', options.script, ...(options.args ?? [])];
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(() => /at http:\/\/127\.0\.0\.1:\d+\/mcp/.test(stderr) || child.exitCode !== null, 20_000, 'a node to start');
  const port = Number(/at http:\/\/127\.0\.0\.1:(\d+)\/mcp/.exec(stderr)?.[1]);
  if (!Number.isInteger(port)) throw new Error(`the node did not start: ${stderr}`);
  return {
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    process: child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT'); // a stopped node must wake to hear SIGTERM
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Redis, `count` nodes and the proxy. `config` is the YAML of every node
 * without its `store:` (added here, with `storeExtra` such as a node timeout);
 * `script` runs a fixture instead, given the Redis URL as its argument.
 */
export async function startCluster(options: {
  count: number;
  config?: string;
  storeExtra?: string;
  script?: string;
  proxy?: ClusterProxyOptions;
  /** Environment of each node, by its index. */
  env?: (index: number) => Record<string, string>;
}): Promise<Cluster> {
  const redis = await startRedis();
  const { dir, remove } = tempDir();
  const nodes: ClusterNode[] = [];
  try {
    const file = join(dir, 'sluice.yaml');
    if (options.config !== undefined) {
      writeFileSync(file, `${options.config}\nstore: { url: "${redis.url}"${options.storeExtra === undefined ? '' : `, ${options.storeExtra}`} }\n`);
    }
    for (let i = 0; i < options.count; i++) {
      const env = options.env?.(i) ?? {};
      nodes.push(await startNode(options.script === undefined ? { config: file, env } : { script: options.script, args: [redis.url], env }));
    }
  } catch (error) {
    await Promise.allSettled(nodes.map((node) => node.stop()));
    await redis.stop();
    remove();
    throw error;
  }
  const proxy = new ClusterProxy(
    nodes.map((node) => node.port),
    options.proxy,
  );
  const url = `http://127.0.0.1:${await proxy.listen()}/mcp`;
  return {
    redis,
    nodes,
    proxy,
    url,
    dir,
    close: async () => {
      await proxy.close();
      await Promise.allSettled(nodes.map((node) => node.stop()));
      await redis.stop();
      remove();
    },
  };
}

/**
 * The tools every cluster test serves: `ticker` (numbered lines with
 * progress, slowly; `beating` the same with its pid in a file), `sleepy` (records its pids in a file, runs until
 * stopped), `numbered` (lines as fast as the pipe takes them, the count so
 * far in a file).
 */
export function clusterTools(extra = ''): string {
  const script = (name: string) => join(ROOT, 'test/fixtures/scripts', name);
  // The one-node tests' `ticker` config, with the cluster tests' tools after it.
  return tickerConfig({
    extra: `  - name: beating
    description: prints numbered lines slowly, its pid in a file
    command: node
    args: ["${script('ticker.mjs')}", "{{count}}", "{{delay}}", "{{pidFile}}"]
    parameters: { count: { type: integer }, delay: { type: integer }, pidFile: { type: string } }
  - name: sleepy
    description: runs until stopped
    command: node
    args: ["${script('sleepy.mjs')}", "{{pidFile}}"]
    parameters: { pidFile: { type: string } }
  - name: numbered
    description: prints numbered lines as fast as it can
    command: node
    args: ["${script('numbered.mjs')}", "{{lines}}", "{{size}}", "{{countFile}}"]
    parameters: { lines: { type: integer }, size: { type: integer }, countFile: { type: string } }
${extra}`,
  });
}

/** A raw 2025 `initialize` POST to one node; the session id. */
export async function openSession(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }),
  });
  await response.text();
  const id = response.headers.get('mcp-session-id');
  if (response.status !== 200 || id === null) throw new Error(`initialize answered ${response.status}`);
  return id;
}

/** A raw 2025 request or notification in a session, to one node. */
export function inSession(url: string, session: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<Response> {
  return fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': session,
      'mcp-protocol-version': '2025-11-25',
      ...headers,
    },
    ...(method === 'POST' && { body: JSON.stringify(body) }),
  });
}
