// A request's claim is released before its answer is appended: the client may send the same id
// next, to any node, as soon as it has the answer (a cluster test hit 409 on exactly that).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventLogLimits } from '../../../src/stores/eventLogLimits.js';
import { memoryEventLogs } from '../../../src/stores/memory/memoryEventLog.js';
import { SessionTransport } from '../../../src/transports/http/sessionTransport.js';

test('a request is settled (its cluster claim released) before its answer is appended', async () => {
  const order: string[] = [];
  const log = memoryEventLogs().open('s', { limits: eventLogLimits(), highWaterBytes: 1 << 20 });
  const append = log.append.bind(log);
  log.append = (streamId, data, options) => {
    if (data.includes('"result"')) order.push('answer appended');
    return append(streamId, data, options);
  };
  const transport = new SessionTransport('s', log, { onSettled: (id) => order.push(`settled ${String(id)}`) });
  await transport.openStream([7], false);
  await transport.send({ jsonrpc: '2.0', id: 7, result: {} });
  assert.deepEqual(order, ['settled 7', 'answer appended']);
  assert.equal(transport.inFlight(7), false);
});
