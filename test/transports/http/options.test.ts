// Options are checked where they enter. Guards against: `streamChunkBytes: 0`
// answering a sequential resources/stream with an empty 200, and
// `streamHighWaterBytes: 0` making every call throw, found only by a client;
// event log bounds checked only when the first session opens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidOptionError } from '../../../src/errors.js';
import { SluiceServer } from '../../../src/server/sluiceServer.js';
import { createHttpHandler } from '../../../src/transports/http/handler.js';
import { serveHttp } from '../../../src/transports/http/nodeServer.js';

const sluice = new SluiceServer({ name: 't', version: '0' });

test('the HTTP handler refuses nonsensical options at once, naming them', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ streamChunkBytes: 0 }, /Option streamChunkBytes must be an integer >= 1; got 0/],
    [{ streamHighWaterBytes: 0 }, /Option streamHighWaterBytes must be an integer >= 1; got 0/],
    [{ maxRequestBodyBytes: 1.5 }, /Option maxRequestBodyBytes must be an integer >= 1; got 1.5/],
    [{ keepAliveMs: -1 }, /Option keepAliveMs must be an integer from 0 to 2147483647; got -1/],
    [{ retryMs: Number.NaN }, /Option retryMs/],
    [{ shutdownGraceMs: 1e12 }, /Option shutdownGraceMs must be an integer from 0 to 2147483647/],
    [{ eventLog: { maxEvents: 0 } }, /Option eventLog\.maxEvents must be an integer >= 1; got 0/],
    [{ eventLog: { maxSessionBytes: -5 } }, /Option eventLog\.maxSessionBytes/],
    [{ sessions: { max: 0 } }, /Option sessions\.max/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => createHttpHandler(sluice, options), (e: unknown) => e instanceof InvalidOptionError && message.test(e.message), JSON.stringify(options));
  }
  assert.doesNotThrow(() => createHttpHandler(sluice, { keepAliveMs: 0, retryMs: 0 }), '0 turns keepalive off and means "retry at once"');
});

test('serveHttp refuses a zero body timeout or budget before it listens', async () => {
  await assert.rejects(serveHttp(sluice, { port: 0, requestBodyTimeoutMs: 0 }), /Option requestBodyTimeoutMs/);
  await assert.rejects(serveHttp(sluice, { port: 0, maxBufferedRequestBytes: 0 }), /Option maxBufferedRequestBytes/);
});
