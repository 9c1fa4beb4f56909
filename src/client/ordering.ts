/**
 * Keeps notifications ahead of the response they preceded.
 *
 * The SDK client handles a response synchronously but dispatches every
 * notification on a microtask. When a progress notification and the result
 * arrive in one read (common over stdio), the result settles the request and
 * unregisters its progress handler before the notification is dispatched, so
 * the final progress value is lost. Deferring responses by one microtask puts
 * them behind the notifications already queued, in wire order.
 *
 * @module
 */
import type { Transport } from '@modelcontextprotocol/client';

/** Wraps `transport.onmessage` (call after `client.connect(transport)`). Idempotent per transport. */
export function deliverNotificationsBeforeResponses(transport: Transport): void {
  const deliver = transport.onmessage;
  if (deliver === undefined || (deliver as { sluiceOrdered?: boolean }).sluiceOrdered === true) return;
  const ordered: Transport['onmessage'] = (message, extra) => {
    if ('id' in message && !('method' in message)) {
      void Promise.resolve().then(() => deliver(message, extra));
    } else {
      deliver(message, extra);
    }
  };
  (ordered as { sluiceOrdered?: boolean }).sluiceOrdered = true;
  transport.onmessage = ordered;
}
