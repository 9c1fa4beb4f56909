/**
 * {@link Cluster} on Redis: nodes that beat, calls that are claimed,
 * cancellations that reach the node running the call (or wait for it), and
 * the reaping of nodes that stopped beating (`clusterScripts.ts` has the keys).
 *
 * - **Liveness.** Every node beats every `nodeTimeoutMs / 5` on Redis's
 *   clock. A node whose beat is older than `nodeTimeoutMs` is presumed dead;
 *   the first node to see it reaps it: each call it ran loses its claim, and
 *   its stream is taken over (fenced) and ended with a
 *   {@link ErrorCode.CallLost} error, so clients waiting on it fail fast.
 *   Worst case from death to that error: `nodeTimeoutMs` plus one sweep
 *   (`nodeTimeoutMs / 5`) plus jitter.
 * - **Coming back.** A node paused past the timeout (SIGSTOP, a long GC)
 *   finds at its next beat that it was reaped: it stops every call it runs
 *   (their streams refuse its appends anyway) and joins again under a new id.
 * - **Answers.** A client's answer to a request of this node's server that
 *   reached another node comes here on this node's channel.
 * - **Cancellation.** A durable marker first (a cancellation may arrive
 *   before its request), then a message on the owner's channel. After a
 *   reconnect, every call here re-checks its marker: a message lost while the
 *   link was down is not a cancellation lost.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { ErrorCode } from '../../protocol/wire.js';
import type { ClaimOutcome, Cluster, ClusterHandlers, NodeStatus, RequestId } from '../cluster.js';
import type { RedisEventLog } from './redisEventLog.js';
import type { RedisLink } from './redisLink.js';

export interface RedisClusterOptions {
  readonly prefix: string;
  /** A node silent for this long is presumed dead (ms). */
  readonly nodeTimeoutMs: number;
  /** Opens the log of a session (to take over the streams of a dead node). */
  readonly logOf: (sessionId: string) => RedisEventLog;
  /** Reports what an operator should know (a node reaped, this node presumed dead). */
  readonly report: (message: string) => void;
}

interface Claim {
  readonly sessionId: string;
  readonly requestId: RequestId;
  readonly member: string;
}

/** How long leaving the cluster waits for Redis (ms). */
const LEAVE_WAIT_MS = 1000;

type Message =
  | { t: 'cancel'; s: string; r: RequestId; why: string }
  | { t: 'ended'; s: string; from: string }
  | { t: 'response'; s: string; m: JSONRPCMessage };

export class RedisCluster implements Cluster {
  readonly #link: RedisLink;
  readonly #options: RedisClusterOptions;
  readonly #prefix: string;
  #nodeId = newNodeId();
  #handlers: ClusterHandlers | undefined;
  readonly #claims = new Map<string, Claim>();
  #timers: Array<ReturnType<typeof setInterval>> = [];
  #unwatch: Array<() => void> = [];
  #closed = false;
  #summary: (() => Readonly<Record<string, number>>) | undefined;
  /** Nodes this node reaped, and calls it finalized: for `/healthz` and the tests. */
  reaped = 0;
  finalized = 0;
  /** Times this node found itself presumed dead. */
  presumedDead = 0;

  constructor(link: RedisLink, options: RedisClusterOptions) {
    this.#link = link;
    this.#options = options;
    this.#prefix = options.prefix;
  }

  get nodeId(): string {
    return this.#nodeId;
  }

  /** Joins the cluster and starts beating and reaping. */
  async start(): Promise<void> {
    await this.#join();
    const every = Math.max(50, Math.floor(this.#options.nodeTimeoutMs / 5));
    this.#timers.push(setInterval(() => void this.#beat(), every));
    // Jitter spreads the reapers of many nodes; only one takes a dead node anyway.
    this.#timers.push(setInterval(() => void this.#reap(), every + Math.floor(Math.random() * (every / 2))));
    for (const timer of this.#timers) timer.unref();
    this.#unwatch.push(this.#link.watch(`${this.#prefix}events`, (message) => this.#onMessage(message)));
    this.#unwatch.push(this.#link.onReconnect(() => void this.#afterReconnect()));
  }

  listen(handlers: ClusterHandlers): void {
    this.#handlers = handlers;
  }

  async claim(sessionId: string, requestId: RequestId, streamId: string): Promise<ClaimOutcome> {
    const rid = JSON.stringify(requestId);
    const member = JSON.stringify([sessionId, requestId, streamId]);
    // Listed with the node before the claim: a node that dies in between leaves nothing unreaped.
    await this.#link.commands.sadd(this.#owned(this.#nodeId), member);
    const outcome = (await this.#link.script('slClaim', [this.#calls(sessionId)], [this.#marker(sessionId, rid), rid, `${this.#nodeId}|${streamId}`])) as ClaimOutcome;
    if (outcome === 'ok') this.#claims.set(`${sessionId}\0${rid}`, { sessionId, requestId, member });
    else void this.#link.commands.srem(this.#owned(this.#nodeId), member).catch(() => {});
    return outcome;
  }

  release(sessionId: string, requestId: RequestId): void {
    const rid = JSON.stringify(requestId);
    const claim = this.#claims.get(`${sessionId}\0${rid}`);
    if (claim === undefined) return;
    this.#claims.delete(`${sessionId}\0${rid}`);
    const node = this.#nodeId;
    Promise.all([
      this.#link.script('slRelease', [this.#calls(sessionId)], [this.#marker(sessionId, rid), rid, node]),
      this.#link.commands.srem(this.#owned(node), claim.member),
    ]).catch((error: Error) => this.#options.report(`sluice: releasing call ${rid} of session ${sessionId} failed: ${error.message}`));
  }

  async cancel(sessionId: string, requestId: RequestId, reason: string): Promise<void> {
    const rid = JSON.stringify(requestId);
    const owner = String(await this.#link.script('slCancel', [this.#calls(sessionId)], [this.#marker(sessionId, rid), rid, reason]));
    if (owner === '') return; // not started yet (the marker stops it), or already answered
    const node = owner.slice(0, owner.indexOf('|'));
    if (node === this.#nodeId) this.#handlers?.cancel(sessionId, requestId, reason);
    else await this.#link.commands.publish(this.#inbox(node), JSON.stringify({ t: 'cancel', s: sessionId, r: requestId, why: reason } satisfies Message));
  }

  async forward(sessionId: string, node: string, message: JSONRPCMessage): Promise<void> {
    await this.#link.commands.publish(this.#inbox(node), JSON.stringify({ t: 'response', s: sessionId, m: message } satisfies Message));
  }

  async sessionEnded(sessionId: string): Promise<void> {
    await this.#link.commands.publish(`${this.#prefix}events`, JSON.stringify({ t: 'ended', s: sessionId, from: this.#nodeId } satisfies Message));
  }

  async nodes(): Promise<string[]> {
    return this.#link.commands.zrange(`${this.#prefix}nodes`, '0', '-1');
  }

  publish(summary: () => Readonly<Record<string, number>>): void {
    this.#summary = summary;
  }

  async statuses(): Promise<NodeStatus[]> {
    const nodes = await this.nodes();
    if (nodes.length === 0) return [];
    const values = await this.#link.commands.mget(...nodes.map((node) => this.#status(node)));
    return nodes.map((node, i) => ({ node, summary: parseSummary(values[i]) }));
  }

  /** Leaves the cluster: the calls here were answered or cancelled by then. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    for (const unwatch of this.#unwatch) unwatch();
    // Redis unreachable: nothing to wait for; the others reap this node after the timeout.
    if (!this.#link.ready) return;
    const leave = Promise.allSettled([this.#link.commands.zrem(`${this.#prefix}nodes`, this.#nodeId), this.#link.commands.del(this.#owned(this.#nodeId))]);
    await Promise.race([leave, new Promise((resolve) => setTimeout(resolve, LEAVE_WAIT_MS).unref())]);
  }

  async #join(): Promise<void> {
    await this.#link.script('slBeat', [`${this.#prefix}nodes`], [this.#nodeId, 'join']);
    this.#unwatch.push(this.#link.watch(this.#inbox(this.#nodeId), (message) => this.#onMessage(message)));
  }

  async #beat(): Promise<void> {
    if (this.#closed) return;
    try {
      const now = await this.#link.script('slBeat', [`${this.#prefix}nodes`], [this.#nodeId, 'beat']);
      if (now !== -1) void this.#publishStatus();
      if (now !== -1 || this.#closed) return;
      this.presumedDead++;
      const calls = this.#claims.size;
      this.#options.report(
        `sluice: node ${this.#nodeId} was presumed dead (no beat for ${this.#options.nodeTimeoutMs} ms, or Redis lost its data); its ${calls} call(s) belong to no one now and are stopped; joining again under a new id`,
      );
      this.#claims.clear();
      this.#nodeId = newNodeId();
      this.#handlers?.lost();
      await this.#join();
    } catch {
      // Redis unreachable: the next beat tries again.
    }
  }

  /** The summary beside the heartbeat: it outlives a dead node by two timeouts at most. */
  async #publishStatus(): Promise<void> {
    if (this.#summary === undefined) return;
    await this.#link.commands.set(this.#status(this.#nodeId), JSON.stringify(this.#summary()), 'PX', this.#options.nodeTimeoutMs * 2).catch(() => {});
  }

  #status(node: string): string {
    return `${this.#prefix}n:${node}:status`;
  }

  async #reap(): Promise<void> {
    if (this.#closed) return;
    try {
      const dead = (await this.#link.script('slReap', [`${this.#prefix}nodes`], [this.#options.nodeTimeoutMs])) as string[];
      for (const node of dead) await this.#finalize(node);
    } catch (error) {
      if (this.#link.ready) this.#options.report(`sluice: reaping dead nodes failed: ${(error as Error).message}`);
    }
  }

  /** Ends every call of a dead node: claim removed, stream taken over and ended with a CallLost error. */
  async #finalize(node: string): Promise<void> {
    this.reaped++;
    const members = await this.#link.commands.smembers(this.#owned(node));
    for (const member of members) {
      const [sessionId, requestId, streamId] = JSON.parse(member) as [string, RequestId, string];
      await this.#link.script('slDisown', [this.#calls(sessionId)], [JSON.stringify(requestId), node]);
      const error = {
        jsonrpc: '2.0',
        id: requestId,
        error: {
          code: ErrorCode.CallLost,
          message: `The node running this call stopped (node ${node}, silent for over ${this.#options.nodeTimeoutMs} ms); the call did not finish and may be sent again`,
          data: { reason: 'owner_lost', node, retryable: true },
        },
      };
      if (await this.#options.logOf(sessionId).takeOver(streamId, node, JSON.stringify(error))) this.finalized++;
    }
    await this.#link.commands.del(this.#owned(node));
    this.#options.report(`sluice: node ${node} presumed dead; ${members.length} call(s) it ran were ended with error ${ErrorCode.CallLost}`);
  }

  async #afterReconnect(): Promise<void> {
    void this.#beat();
    // A cancellation published while the link was down left its marker: honour it now.
    for (const claim of [...this.#claims.values()]) {
      const reason = await this.#link.commands.get(this.#marker(claim.sessionId, JSON.stringify(claim.requestId))).catch(() => null);
      if (reason !== null) this.#handlers?.cancel(claim.sessionId, claim.requestId, reason);
    }
  }

  #onMessage(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (message.t === 'cancel') this.#handlers?.cancel(message.s, message.r, message.why);
    else if (message.t === 'response') this.#handlers?.response(message.s, message.m);
    else if (message.t === 'ended' && message.from !== this.#nodeId) this.#handlers?.sessionEnded(message.s);
  }

  #owned(node: string): string {
    return `${this.#prefix}n:${node}:owned`;
  }

  #inbox(node: string): string {
    return `${this.#prefix}n:${node}`;
  }

  #calls(sessionId: string): string {
    return `${this.#prefix}s:{${sessionId}}:calls`;
  }

  #marker(sessionId: string, rid: string): string {
    return `${this.#prefix}s:{${sessionId}}:cx:${rid}`;
  }
}

function newNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** A stored summary: numbers by name; anything else (absent, expired, foreign) is `{}`. */
function parseSummary(value: string | null | undefined): Readonly<Record<string, number>> {
  if (value === null || value === undefined) return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed === null || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
  } catch {
    return {};
  }
}
