/**
 * Prometheus metrics of the HTTP transport, on a private prom-client registry
 * (never the global one, so two servers in one process do not collide).
 *
 * @module
 */
import { Counter, Gauge, Registry } from 'prom-client';

export interface HttpMetrics {
  readonly registry: Registry;
  readonly requestsInflight: Gauge;
  readonly requests: Counter<'method' | 'outcome' | 'era'>;
}

/** Outcome label of an answered request, from its HTTP status. */
export function outcomeOf(status: number): 'ok' | 'client_error' | 'server_error' {
  return status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : 'ok';
}

export function createHttpMetrics(sessionsActive: () => number): HttpMetrics {
  const registry = new Registry();
  new Gauge({
    name: 'sluice_sessions_active',
    help: 'Live 2025-era sessions',
    registers: [registry],
    collect() {
      this.set(sessionsActive());
    },
  });
  const requestsInflight = new Gauge({
    name: 'sluice_requests_inflight',
    help: 'HTTP requests on the MCP endpoint being answered or streamed',
    registers: [registry],
  });
  const requests = new Counter({
    name: 'sluice_requests_total',
    help: 'Requests on the MCP endpoint by JSON-RPC method (or HTTP method), outcome and protocol era',
    labelNames: ['method', 'outcome', 'era'] as const,
    registers: [registry],
  });
  return { registry, requestsInflight, requests };
}
