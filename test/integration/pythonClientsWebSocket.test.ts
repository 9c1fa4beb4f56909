// Interop over WebSocket with code others wrote: the official Python SDK's ClientSession (mcp
// 2.3.0) over a WebSocket of the `websockets` library (neither ships a WebSocket transport, so the
// test's adapter only moves messages between them), against `sluice serve --ws`: initialize,
// tools/list, a tool call with its progress. Guards against framing, subprotocol or handshake
// details that only our own client tolerates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleOverWebSocket } from '../helpers/cli.js';
import { runPythonWebSocketClient } from '../helpers/python.js';

const server = exampleOverWebSocket();

test('the official Python SDK session over a websockets connection: initialize, list, call with progress', async () => {
  const [report] = await runPythonWebSocketClient(server.wsUrl, 'count', 3);
  assert.deepEqual(report!.tools, ['analyze_dataset', 'count', 'echo', 'pipeline']);
  assert.equal(report!.text, 'counted to 3');
  assert.equal(report!.isError, false);
  assert.equal((report!.progress as number[]).at(-1), 3, 'the last progress value arrives');
});
