/**
 * Prometheus metrics of the HTTP transport, on a private prom-client registry
 * (never the global one, so two servers in one process do not collide).
 *
 * Label values come from closed sets only: a client chooses the method string
 * it sends, so a method sluice does not know is counted as `other`. Otherwise
 * any client, even one rejected before it has a session, could add series
 * without bound (memory and `/metrics` size grow with every new string).
 *
 * @module
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { Method } from '../../protocol/wire.js';

export interface HttpMetrics {
  readonly registry: Registry;
  readonly requestsInflight: Gauge;
  readonly requests: Counter<'method' | 'outcome' | 'era'>;
}

/** Pseudo-methods the handler reports besides JSON-RPC methods. */
const PSEUDO_METHODS = ['batch', 'response', 'invalid', 'none', 'GET', 'DELETE'] as const;

/** Every value the `method` label can take. */
export const METHOD_LABELS: ReadonlySet<string> = new Set<string>([...Object.values(Method), ...PSEUDO_METHODS, 'other']);

/** The `method` label of a request: its method when sluice knows it, else `other`. */
export function methodLabel(method: string): string {
  return METHOD_LABELS.has(method) ? method : 'other';
}

/** Outcome label of an answered request, from its HTTP status. */
export function outcomeOf(status: number): 'ok' | 'client_error' | 'server_error' {
  return status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : 'ok';
}

export function createHttpMetrics(sessions: { readonly size: number; readonly hibernating: number }): HttpMetrics {
  const registry = new Registry();
  new Gauge({
    name: 'sluice_sessions_active',
    help: 'Open 2025-era sessions on this node, hibernating ones included',
    registers: [registry],
    collect() {
      this.set(sessions.size);
    },
  });
  new Gauge({
    name: 'sluice_sessions_hibernating',
    help: 'Open 2025-era sessions on this node whose transport and SDK server are released until their next request',
    registers: [registry],
    collect() {
      this.set(sessions.hibernating);
    },
  });
  const requestsInflight = new Gauge({
    name: 'sluice_requests_inflight',
    help: 'HTTP requests on the MCP endpoint being answered or streamed',
    registers: [registry],
  });
  const requests = new Counter({
    name: 'sluice_requests_total',
    help: 'Requests on the MCP endpoint by JSON-RPC method (or HTTP method; unknown methods count as "other"), outcome and protocol era',
    labelNames: ['method', 'outcome', 'era'] as const,
    registers: [registry],
  });
  return { registry, requestsInflight, requests };
}
