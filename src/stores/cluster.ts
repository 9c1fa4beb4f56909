/**
 * What the nodes of one service tell each other: which node runs which
 * call, cancellations, ended sessions, and whether this node is still
 * counted as alive. One node needs none of it ({@link singleNode}); several
 * nodes share it through a store (`redis/redisCluster.ts`).
 *
 * Request ids are those of the client, scoped by session; a call is claimed
 * before it runs and released when it is answered or cancelled.
 *
 * @module
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';

export type RequestId = string | number;

/** Whether a request may run: `ok`; `cancelled` when its cancellation arrived first (it never runs); `taken` when a request with this id runs on another node. */
export type ClaimOutcome = 'ok' | 'cancelled' | 'taken';

/** What other nodes ask of this one. */
export interface ClusterHandlers {
  /** Cancel a request running here. */
  cancel(sessionId: string, requestId: RequestId, reason: string): void;
  /** A session was ended elsewhere: drop what this node holds of it. */
  sessionEnded(sessionId: string): void;
  /** This node was presumed dead and its calls were taken over: stop them all. */
  lost(): void;
  /** A client's answer to a request this node's server sent, which reached another node. */
  response(sessionId: string, message: JSONRPCMessage): void;
}

export interface Cluster {
  /** This node's id (a node presumed dead that comes back gets a new one). */
  readonly nodeId: string;
  /** Claims a request before it runs, on the stream that answers it. */
  claim(sessionId: string, requestId: RequestId, streamId: string): Promise<ClaimOutcome>;
  /** The request was answered or cancelled. */
  release(sessionId: string, requestId: RequestId): void;
  /** Cancels a request wherever it runs, or before it starts there. */
  cancel(sessionId: string, requestId: RequestId, reason: string): Promise<void>;
  /** Sends a client's answer to the node whose server asked (see `SessionTransport`: its id names that node). */
  forward(sessionId: string, node: string, message: JSONRPCMessage): Promise<void>;
  /** Tells every other node that a session ended. */
  sessionEnded(sessionId: string): Promise<void>;
  /** Where this node hears what the others ask (set once by the HTTP handler). */
  listen(handlers: ClusterHandlers): void;
  /** Nodes counted as alive, for `/healthz`. */
  nodes(): Promise<string[]>;
  /**
   * What this node says of itself (numbers only: calls, streams, sessions…),
   * read when it is published; on a shared store, with each heartbeat.
   */
  publish(summary: () => Readonly<Record<string, number>>): void;
  /** The last summary of every node counted as alive (the dashboard's node rows); a node that published none has `{}`. */
  statuses(): Promise<NodeStatus[]>;
}

/** One node's last published summary. */
export interface NodeStatus {
  readonly node: string;
  readonly summary: Readonly<Record<string, number>>;
}

/** One process: every call runs here, so a cancellation that is not for a call in flight here has nothing to reach. */
export function singleNode(): Cluster {
  let summary: () => Readonly<Record<string, number>> = () => ({});
  return {
    nodeId: 'local',
    claim: async () => 'ok',
    release: () => {},
    cancel: async () => {},
    forward: async () => {},
    sessionEnded: async () => {},
    listen: () => {},
    nodes: async () => ['local'],
    publish: (next) => void (summary = next),
    statuses: async () => [{ node: 'local', summary: summary() }],
  };
}
