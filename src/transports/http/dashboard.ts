/**
 * `/dashboard`: a page sluice serves itself, and `/dashboard/state`, the JSON
 * it polls. What an operator on call looks at: calls running with their
 * progress, each open stream's bytes and unread bytes against its
 * high-water mark, sessions, tasks, script processes, totals, and in a
 * cluster one row per node (each node publishes its summary with its
 * heartbeat, `Cluster.publish`).
 *
 * On by default where the server is bound to loopback, off otherwise unless
 * enabled (`serveHttp({ dashboard: true })`, `dashboard: true` in
 * sluice.yaml): the page shows session ids and tool messages. Behind the same
 * Host/Origin checks as `/mcp`. The page loads nothing from elsewhere and is
 * answered with a content security policy that allows nothing else.
 *
 * @module
 */
import type { SluiceServer } from '../../server/sluiceServer.js';
import type { Stores } from '../../stores/stores.js';
import { DASHBOARD_HTML } from './dashboardPage.js';
import type { SessionRegistry } from './sessions.js';

/** How long the state waits for the store to list the nodes (ms): the page never hangs on a stalled Redis. */
const NODES_WAIT_MS = 500;

export interface DashboardSources {
  readonly sluice: SluiceServer;
  readonly sessions: SessionRegistry;
  readonly stores: Stores;
  readonly startedAt: number;
}

/** The numbers this node publishes for the cluster's node rows. */
export function nodeSummary(sluice: SluiceServer, sessions: SessionRegistry): Record<string, number> {
  const streams = sluice.activity.streams();
  return {
    calls: sluice.activity.calls().length,
    streams: streams.length,
    fullStreams: streams.filter((s) => s.full).length,
    unreadBytes: streams.reduce((sum, s) => sum + s.unreadBytes, 0),
    sessions: sessions.size,
    hibernating: sessions.hibernating,
    scripts: sluice.activity.scripts().length,
    tasksRunning: sluice.tasks.running,
  };
}

/** Everything the page shows, now. */
export async function dashboardState(sources: DashboardSources) {
  const { sluice, sessions, stores } = sources;
  const now = Date.now();
  const nodes = await Promise.race([stores.cluster.statuses().catch(() => undefined), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), NODES_WAIT_MS).unref())]);
  return {
    server: {
      name: sluice.options.name,
      version: sluice.options.version,
      node: stores.cluster.nodeId,
      store: stores.health().kind,
      uptimeSeconds: Math.round((now - sources.startedAt) / 1000),
      now,
    },
    calls: sluice.activity.calls().map((call) => ({ ...call, ageMs: now - call.startedAt })),
    streams: sluice.activity.streams().map((stream) => ({ ...stream, ageMs: now - stream.openedAt })),
    scripts: sluice.activity.scripts().map((script) => ({ ...script, ageMs: now - script.startedAt })),
    sessions: { open: sessions.size, hibernating: sessions.hibernating },
    tasks: { running: sluice.tasks.running },
    totals: {
      streams: sluice.activity.streamTotals,
      cancellations: sluice.activity.cancellations,
      calls: Object.fromEntries(sluice.activity.callTotals),
    },
    nodes: nodes ?? [],
  };
}

/** The page's headers: nothing from elsewhere, no framing, no caching. */
export const DASHBOARD_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export { DASHBOARD_HTML };
