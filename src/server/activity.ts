/**
 * `Activity`: what a server is doing now and has done, for the people who
 * watch it. One per {@link SluiceServer} (`sluice.activity`):
 * - **calls running**: tool, era, session, progress, output bytes, age;
 * - **streams open**: kind, bytes and events sent, unread bytes against the
 *   stream's high-water mark (read live from its log), drops, resumptions,
 *   replays;
 * - **script processes** running;
 * - **totals** since start, per stream kind and per cause, which the
 *   Prometheus metrics read when scraped (plain numbers on the hot path, no
 *   label lookups per event).
 *
 * Tool calls (`server/toolCall.ts`), transports (SSE bodies, the stdio pump,
 * raw resource streams, resumptions) and the runner (scripts) report into it;
 * `/metrics`, `/dashboard` and the CLI's logs read it. Listeners hear each
 * call that ends (durations for the histogram, one log line per call).
 *
 * Every label value is from a closed set: tool names are the server's own
 * (an unknown tool never reaches a call), kinds, causes and policies are the
 * unions below. Nothing a client chooses becomes a series.
 *
 * @module
 */
import type { StreamPressure } from '../stores/eventLog.js';

/** What an outbound stream carries: a 2025 POST answer, the 2025 GET stream, a 2026-07-28 exchange, stdio, a WebSocket, raw resource bytes. */
export type StreamKind = 'session' | 'standalone' | 'exchange' | 'stdio' | 'websocket' | 'resource';
export const STREAM_KINDS: readonly StreamKind[] = ['session', 'standalone', 'exchange', 'stdio', 'websocket', 'resource'];

/** Where a call's messages go: a stream kind, or a task (no client stream). */
export type CallStream = Exclude<StreamKind, 'standalone' | 'resource'> | 'task';

/** How a call ended. */
export type CallOutcome = 'ok' | 'error' | 'cancelled';
export const CALL_OUTCOMES: readonly CallOutcome[] = ['ok', 'error', 'cancelled'];

/** Why a call was cancelled: the client asked, its connection went, its time ran out, the server stops, or it stalled its stream. */
export type CancelCause = 'client' | 'disconnect' | 'timeout' | 'shutdown' | 'stall';
export const CANCEL_CAUSES: readonly CancelCause[] = ['client', 'disconnect', 'timeout', 'shutdown', 'stall'];

/** The partial-result policies that drop (see `server/partial.ts`). */
export type DropPolicy = 'drop-newest' | 'drop-oldest' | 'coalesce-latest';
export const DROP_POLICIES: readonly DropPolicy[] = ['drop-newest', 'drop-oldest', 'coalesce-latest'];

/** A call as the watchers see it. */
export interface CallView {
  readonly id: number;
  /** The JSON-RPC request id (a task's calls: undefined). */
  readonly requestId: string | number | undefined;
  readonly tool: string;
  readonly stream: CallStream;
  readonly session: string | undefined;
  readonly task: string | undefined;
  readonly startedAt: number;
  readonly progress: number | undefined;
  readonly total: number | undefined;
  readonly message: string | undefined;
  /** Output the tool produced so far: text of partial results (UTF-16 code units as bytes, an estimate for non-ASCII). */
  readonly outputBytes: number;
  readonly dropped: number;
}

/** A call that ended. */
export interface EndedCall extends CallView {
  readonly durationMs: number;
  readonly outcome: CallOutcome;
  readonly cause: CancelCause | undefined;
}

/** A stream as the watchers see it. */
export interface StreamView {
  readonly id: number;
  readonly kind: StreamKind;
  readonly session: string | undefined;
  readonly openedAt: number;
  readonly bytesSent: number;
  readonly eventsSent: number;
  /** Appended and not yet taken by the client (0 for raw resource streams, which have no log). */
  readonly unreadBytes: number;
  readonly highWaterBytes: number;
  /** At the high-water mark: producers wait. */
  readonly full: boolean;
  /** Events replayed to this connection from before it opened (a resumption). */
  readonly replayed: number;
  readonly resumed: boolean;
}

/** A script process as the watchers see it. */
export interface ScriptView {
  readonly pid: number;
  readonly tool: string;
  readonly startedAt: number;
}

/** Totals per stream kind since the server started. */
export interface StreamTotals {
  bytes: number;
  events: number;
  resumptions: number;
  replays: number;
  tooLate: number;
  drops: Record<DropPolicy, number>;
}

/** Told when a call ends. Listeners must not throw (a throw is ignored). */
export type CallEndListener = (call: EndedCall) => void;

/** Reports of one call; each is a no-op after `end`. */
export interface CallTracker {
  progress(done: number, total: number | undefined, message: string | undefined): void;
  output(bytes: number): void;
  dropped(policy: DropPolicy, count: number): void;
  end(outcome: CallOutcome, cause?: CancelCause): void;
}

/** Reports of one open stream (one connection reading it). */
export interface StreamTracker {
  /** One event (or raw chunk) of `bytes` went to the client. */
  sent(bytes: number): void;
  /** The connection is a resumption (`Last-Event-ID` or `Range`). */
  resumed(): void;
  /** One event sent was a replay of one from before the connection opened. */
  replayed(): void;
  close(): void;
}

interface CallState extends Omit<CallView, 'progress' | 'total' | 'message' | 'outputBytes' | 'dropped'> {
  progress: number | undefined;
  total: number | undefined;
  message: string | undefined;
  outputBytes: number;
  dropped: number;
}

interface StreamState {
  readonly id: number;
  readonly kind: StreamKind;
  readonly session: string | undefined;
  readonly openedAt: number;
  readonly pressure: StreamPressure | undefined;
  readonly highWaterBytes: number;
  bytesSent: number;
  eventsSent: number;
  replayed: number;
  resumed: boolean;
}

const zeroDrops = (): Record<DropPolicy, number> => ({ 'drop-newest': 0, 'drop-oldest': 0, 'coalesce-latest': 0 });

export class Activity {
  readonly #calls = new Map<number, CallState>();
  readonly #streams = new Map<number, StreamState>();
  readonly #scripts = new Map<number, ScriptView>();
  readonly #listeners = new Set<CallEndListener>();
  readonly #now: () => number;
  #nextId = 1;
  /** Totals per stream kind. */
  readonly streamTotals: Record<StreamKind, StreamTotals>;
  /** Cancelled calls per cause. */
  readonly cancellations: Record<CancelCause, number> = { client: 0, disconnect: 0, timeout: 0, shutdown: 0, stall: 0 };
  /** Ended calls per tool and outcome. */
  readonly callTotals = new Map<string, Record<CallOutcome, number>>();

  /** @param now - wall time in ms (injectable for tests). @defaultValue `Date.now` */
  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.streamTotals = Object.fromEntries(
      STREAM_KINDS.map((kind) => [kind, { bytes: 0, events: 0, resumptions: 0, replays: 0, tooLate: 0, drops: zeroDrops() }]),
    ) as Record<StreamKind, StreamTotals>;
  }

  /** Calls running now. */
  calls(): CallView[] {
    return [...this.#calls.values()].map((call) => ({ ...call }));
  }

  /** Streams open now, with their unread bytes read from their logs. */
  streams(): StreamView[] {
    return [...this.#streams.values()].map((stream) => {
      const { pressure, ...rest } = stream;
      return { ...rest, unreadBytes: pressure?.unreadBytes ?? 0, full: pressure?.full ?? false };
    });
  }

  /** Script processes running now. */
  scripts(): ScriptView[] {
    return [...this.#scripts.values()];
  }

  /** Listens to every call that ends; returns the function that stops listening. */
  onCallEnd(listener: CallEndListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  startCall(info: { readonly tool: string; readonly stream: CallStream; readonly requestId?: string | number; readonly session?: string; readonly task?: string }): CallTracker {
    const state: CallState = {
      id: this.#nextId++,
      requestId: info.requestId,
      tool: info.tool,
      stream: info.stream,
      session: info.session,
      task: info.task,
      startedAt: this.#now(),
      progress: undefined,
      total: undefined,
      message: undefined,
      outputBytes: 0,
      dropped: 0,
    };
    this.#calls.set(state.id, state);
    const streamKind = info.stream === 'task' ? undefined : info.stream;
    let ended = false;
    return {
      progress: (done, total, message) => {
        if (ended) return;
        state.progress = done;
        state.total = total;
        if (message !== undefined) state.message = message;
      },
      output: (bytes) => {
        if (!ended) state.outputBytes += bytes;
      },
      dropped: (policy, count) => {
        if (ended || count <= 0) return;
        state.dropped += count;
        if (streamKind !== undefined) this.streamTotals[streamKind].drops[policy] += count;
      },
      end: (outcome, cause) => {
        if (ended) return;
        ended = true;
        this.#calls.delete(state.id);
        const perTool = this.callTotals.get(state.tool) ?? { ok: 0, error: 0, cancelled: 0 };
        perTool[outcome]++;
        this.callTotals.set(state.tool, perTool);
        if (outcome === 'cancelled' && cause !== undefined) this.cancellations[cause]++;
        const record: EndedCall = { ...state, durationMs: this.#now() - state.startedAt, outcome, cause: outcome === 'cancelled' ? cause : undefined };
        for (const listener of this.#listeners) {
          try {
            listener(record);
          } catch {
            // A watcher never alters a call.
          }
        }
      },
    };
  }

  openStream(info: { readonly kind: StreamKind; readonly session?: string; readonly pressure?: StreamPressure; readonly highWaterBytes?: number }): StreamTracker {
    const state: StreamState = {
      id: this.#nextId++,
      kind: info.kind,
      session: info.session,
      openedAt: this.#now(),
      pressure: info.pressure,
      highWaterBytes: info.highWaterBytes ?? 0,
      bytesSent: 0,
      eventsSent: 0,
      replayed: 0,
      resumed: false,
    };
    this.#streams.set(state.id, state);
    const totals = this.streamTotals[info.kind];
    return {
      sent: (bytes) => {
        state.bytesSent += bytes;
        state.eventsSent++;
        totals.bytes += bytes;
        totals.events++;
      },
      resumed: () => {
        if (state.resumed) return;
        state.resumed = true;
        totals.resumptions++;
      },
      replayed: () => {
        state.replayed++;
        totals.replays++;
      },
      close: () => void this.#streams.delete(state.id),
    };
  }

  /** A resumption was refused because its events had left the log (410). */
  tooLate(kind: StreamKind): void {
    this.streamTotals[kind].tooLate++;
  }

  /** A script process started; returns the function to call when it exits. */
  scriptStarted(pid: number, tool: string): () => void {
    this.#scripts.set(pid, { pid, tool, startedAt: this.#now() });
    return () => void this.#scripts.delete(pid);
  }
}
