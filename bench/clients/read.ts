/**
 * One resource read in its own process, so its memory is measured alone.
 * Usage: read.ts sdk|sluice TARGET URI [--max-buffer BYTES] [--warm-up URI] [--server-pid PID]
 * TARGET is an http URL (then `--server-pid` names the server to measure) or
 * `stdio:COMMAND…` (this process starts the server and measures it). Prints one JSON line: time, bytes, and the
 * resident memory before the read and at its peak, of this client and (for
 * stdio) of the server.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { connect, parseTarget } from '../../src/client/index.js';
import { peakRssBytes, resetPeakRss, rssBytes } from '../lib/processes.js';

const [kind, target, uri] = process.argv.slice(2) as ['sdk' | 'sluice', string, string];
const maxBufferAt = process.argv.indexOf('--max-buffer');
const maxBuffer = maxBufferAt === -1 ? undefined : Number(process.argv[maxBufferAt + 1]);
const warmUpAt = process.argv.indexOf('--warm-up');
const warmUp = warmUpAt === -1 ? undefined : process.argv[warmUpAt + 1];
const serverPidAt = process.argv.indexOf('--server-pid');
const parsed = parseTarget(target);

let read: (uri: string) => Promise<number>;
let serverPid: number | undefined;
let close: () => Promise<void>;
if (kind === 'sdk') {
  const client = new Client({ name: 'bench', version: '0' });
  if (parsed.kind === 'websocket') throw new Error('the plain SDK v2 client has no WebSocket transport');
  const transport =
    parsed.kind === 'http'
      ? new StreamableHTTPClientTransport(parsed.url)
      : new StdioClientTransport({ command: parsed.command, args: [...parsed.args], stderr: 'ignore', ...(maxBuffer !== undefined && { maxBufferSize: maxBuffer }) });
  await client.connect(transport);
  serverPid = transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined;
  read = async (uri) => {
    const result = await client.readResource({ uri }, { timeout: 600_000 });
    let bytes = 0;
    for (const c of result.contents) bytes += 'blob' in c ? Buffer.from(c.blob, 'base64').length : Buffer.byteLength(c.text, 'utf8');
    return bytes;
  };
  close = () => client.close();
} else {
  const client = await connect(target);
  const transport = client.sdk.transport;
  serverPid = transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined;
  read = async (uri) => {
    let bytes = 0;
    for await (const chunk of client.readResourceStream(uri, { timeoutMs: 600_000 })) bytes += chunk.length;
    return bytes;
  };
  close = () => client.close();
}

// A warm-up read of a small file first: the runtime's young generation and compiled code settle, so
// the growth below is what this read itself holds, the same way for both clients.
if (warmUp !== undefined) await read(warmUp);
if (serverPidAt !== -1) serverPid = Number(process.argv[serverPidAt + 1]);
globalThis.gc?.();
const clientBase = rssBytes(process.pid);
const serverBase = serverPid === undefined ? undefined : rssBytes(serverPid);
resetPeakRss(process.pid);
if (serverPid !== undefined) resetPeakRss(serverPid);
const started = performance.now();
let bytes = 0;
let error: string | undefined;
try {
  bytes = await read(uri);
} catch (e) {
  error = (e as Error).message.split('\n')[0];
}
const ms = performance.now() - started;
const report = {
  ms,
  bytes,
  error,
  clientBase,
  clientPeak: peakRssBytes(process.pid),
  ...(serverPid !== undefined && { serverBase, serverPeak: peakRssBytes(serverPid) }),
};
await close().catch(() => {});
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
