/**
 * Prometheus series of a server's {@link Activity}: tool calls, streams,
 * cancellations, scripts and what the stores hold, registered on a private
 * registry (the HTTP transport's).
 *
 * Totals live in `Activity` as plain numbers and are read when `/metrics` is
 * scraped (a counter is set to the total then), so the hot path (an SSE event,
 * a raw chunk) pays an addition, never a label lookup. The duration histogram
 * is observed when a call ends. Every label value comes from a closed set:
 * tool names the server registered, and the unions of `server/activity.ts`.
 * The series, their labels and example alerts are in docs/operations.md.
 *
 * @module
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type Activity, CALL_OUTCOMES, CANCEL_CAUSES, DROP_POLICIES, STREAM_KINDS, type StreamKind, type StreamTotals } from '../server/activity.js';
import type { EventLogStats } from '../stores/eventLog.js';

/** Call durations in seconds: from a quick lookup to a five-minute script. */
export const CALL_DURATION_BUCKETS_SECONDS = [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30, 60, 300];

export interface ActivitySources {
  readonly activity: Activity;
  /** What the event log store holds in this process (absent on Redis). */
  readonly eventLogs?: () => EventLogStats;
  /** Session records in the session store (all nodes when it is shared). */
  readonly storedSessions: () => Promise<number>;
}

export function registerActivityMetrics(registry: Registry, sources: ActivitySources): void {
  const { activity } = sources;
  const registers = [registry];
  new Counter({
    name: 'sluice_tool_calls_total',
    help: 'Tool calls that ended, by tool and outcome (ok, error: an isError result or a JSON-RPC error, cancelled)',
    labelNames: ['tool', 'outcome'] as const,
    registers,
    collect() {
      this.reset();
      for (const [tool, outcomes] of activity.callTotals) for (const outcome of CALL_OUTCOMES) this.inc({ tool, outcome }, outcomes[outcome]);
    },
  });
  const duration = new Histogram({
    name: 'sluice_tool_call_duration_seconds',
    help: 'Time from a tool call starting to its end, by tool',
    labelNames: ['tool'] as const,
    buckets: CALL_DURATION_BUCKETS_SECONDS,
    registers,
  });
  activity.onCallEnd((call) => duration.observe({ tool: call.tool }, call.durationMs / 1000));
  new Gauge({
    name: 'sluice_tool_calls_running',
    help: 'Tool calls running now, by tool',
    labelNames: ['tool'] as const,
    registers,
    collect() {
      this.reset();
      for (const call of activity.calls()) this.inc({ tool: call.tool });
    },
  });
  new Counter({
    name: 'sluice_cancellations_total',
    help: 'Tool calls cancelled, by cause (client: it asked; disconnect: its connection went; timeout; shutdown; stall: it took nothing for the stall timeout)',
    labelNames: ['cause'] as const,
    registers,
    collect() {
      this.reset();
      for (const cause of CANCEL_CAUSES) this.inc({ cause }, activity.cancellations[cause]);
    },
  });
  streamCounter(registry, activity, 'sluice_stream_bytes_sent_total', 'Bytes sent to clients on outbound streams (SSE frames, stdio lines, raw resource bytes), by stream kind', (t) => t.bytes);
  streamCounter(registry, activity, 'sluice_stream_events_sent_total', 'Events (raw: chunks) sent to clients on outbound streams, by stream kind', (t) => t.events);
  streamCounter(registry, activity, 'sluice_stream_resumptions_total', 'Connections that resumed a stream (Last-Event-ID, Range), by stream kind', (t) => t.resumptions);
  streamCounter(registry, activity, 'sluice_stream_replayed_events_total', 'Events sent again to a resuming connection, by stream kind', (t) => t.replays);
  streamCounter(registry, activity, 'sluice_stream_too_late_total', 'Resumptions refused with 410 because their events had left the log, by stream kind', (t) => t.tooLate);
  new Counter({
    name: 'sluice_stream_drops_total',
    help: 'Partial results dropped because the client read too slowly, by stream kind and the tool\'s policy',
    labelNames: ['kind', 'policy'] as const,
    registers,
    collect() {
      this.reset();
      for (const kind of STREAM_KINDS) for (const policy of DROP_POLICIES) this.inc({ kind, policy }, activity.streamTotals[kind].drops[policy]);
    },
  });
  new Gauge({
    name: 'sluice_stream_unread_bytes',
    help: 'Bytes appended to open streams and not yet taken by their clients, by stream kind (producers wait at each stream\'s high-water mark)',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      this.reset();
      for (const kind of STREAM_KINDS) this.set({ kind }, 0);
      for (const stream of activity.streams()) this.inc({ kind: stream.kind }, stream.unreadBytes);
    },
  });
  new Gauge({
    name: 'sluice_streams_open',
    help: 'Outbound streams with a connection reading them, by stream kind; full: those at their high-water mark',
    labelNames: ['kind', 'full'] as const,
    registers,
    collect() {
      this.reset();
      for (const kind of STREAM_KINDS) for (const full of ['true', 'false']) this.set({ kind, full }, 0);
      for (const stream of activity.streams()) this.inc({ kind: stream.kind, full: String(stream.full) });
    },
  });
  new Gauge({
    name: 'sluice_script_processes',
    help: 'Script processes running (the leader of each script tool run)',
    registers,
    collect() {
      this.set(activity.scripts().length);
    },
  });
  new Gauge({
    name: 'sluice_session_store_sessions',
    help: 'Session records in the session store (every node\'s, when it is shared)',
    registers,
    async collect() {
      this.set(await sources.storedSessions().catch(() => Number.NaN));
    },
  });
  if (sources.eventLogs !== undefined) eventLogGauges(registry, sources.eventLogs);
}

function streamCounter(registry: Registry, activity: Activity, name: string, help: string, pick: (totals: StreamTotals) => number): void {
  new Counter({
    name,
    help,
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const kind of STREAM_KINDS) this.inc({ kind }, pick(activity.streamTotals[kind as StreamKind]));
    },
  });
}

function eventLogGauges(registry: Registry, stats: () => EventLogStats): void {
  for (const [field, help] of [
    ['streams', 'Streams the event log store holds in this process'],
    ['events', 'Events the event log store holds in this process'],
    ['bytes', 'Encoded bytes the event log store holds in this process'],
  ] as const) {
    new Gauge({
      name: `sluice_event_log_${field}`,
      help,
      registers: [registry],
      collect() {
        this.set(stats()[field]);
      },
    });
  }
}
