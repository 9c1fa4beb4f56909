/**
 * Whether a `Last-Event-ID` can be resumed, answered before any cursor is
 * opened: a log that can no longer serve it gets 410 Gone with -32010 (send
 * the request again), never a silent gap; an id this server never issued is
 * a 400.
 *
 * @module
 */
import type { EventLog } from '../../stores/eventLog.js';
import { ErrorCode } from '../../protocol/wire.js';
import { jsonRpcError } from './responses.js';

export async function refuseResume(log: EventLog, lastEventId: string): Promise<Response | undefined> {
  const verdict = await log.check(lastEventId);
  if (verdict === 'ok') return undefined;
  if (verdict === 'malformed') {
    return jsonRpcError(400, ErrorCode.TransportError, `Bad Request: ${JSON.stringify(lastEventId)} is not an event id of this server`);
  }
  return jsonRpcError(
    410,
    ErrorCode.ReplayExpired,
    `Too late to resume: the events after Last-Event-ID ${JSON.stringify(lastEventId)} have left the event log. Send the request again.`,
    { data: { lastEventId } },
  );
}
