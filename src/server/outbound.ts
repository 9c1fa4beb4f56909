/**
 * Where a tool call finds the meter of the stream its notifications travel
 * on. Transports register a meter for each request they serve (keyed by the
 * web `Request` the SDK hands to handlers as `ctx.http.req`); stdio needs none,
 * because the SDK's stdio writer already awaits drain.
 *
 * @module
 */
import type { ServerContext } from '@modelcontextprotocol/server';
import type { OutboundMeter } from '../flow/outboundMeter.js';

const meters = new WeakMap<Request, OutboundMeter>();

/** Registers the meter of the response stream that answers `request`. */
export function setOutboundMeter(request: Request, meter: OutboundMeter): void {
  meters.set(request, meter);
}

/** The meter of the stream a call's notifications go out on, if its transport has one. */
export function outboundMeterOf(ctx: ServerContext): OutboundMeter | undefined {
  const request = ctx.http?.req;
  return request === undefined ? undefined : meters.get(request);
}
