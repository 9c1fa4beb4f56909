/**
 * The server's capabilities as it sent them.
 *
 * The SDK client parses the initialize (and `server/discover`) result with a
 * strict schema and drops what it does not know, such as SEP-2532's
 * `resources.stream`. This tap reads them off the wire before that happens.
 *
 * @module
 */
import type { Transport } from '@modelcontextprotocol/client';

/** Call before `client.connect(transport)`; returns the latest capabilities the server announced. */
export function tapServerCapabilities(transport: Transport): () => Readonly<Record<string, unknown>> | undefined {
  let capabilities: Readonly<Record<string, unknown>> | undefined;
  const start = transport.start.bind(transport);
  transport.start = async () => {
    // `connect` installs the client's handler, then starts the transport: wrap the handler in between.
    const deliver = transport.onmessage;
    if (deliver !== undefined) {
      transport.onmessage = (message, extra) => {
        const result = (message as { result?: { capabilities?: unknown } }).result;
        if (result !== undefined && result !== null && typeof result.capabilities === 'object' && result.capabilities !== null) {
          capabilities = result.capabilities as Record<string, unknown>;
        }
        deliver(message, extra);
      };
    }
    await start();
  };
  return () => capabilities;
}
