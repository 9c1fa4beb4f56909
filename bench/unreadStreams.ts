/**
 * Memory that unread streams and finished calls cost a server, measured in
 * its own process (`bench/servers/unread.ts`): bytes retained after a forced
 * GC (V8 heap in use plus external memory), which RSS hides behind the heap V8
 * keeps once it grew:
 *
 * - N tool-call streams that are never read, per era, each a call whose
 *   result is past the inline limit (4 MiB of output: a ~0.5 MiB excerpt plus
 *   the link), counted once every call has finished;
 * - N finished 4 MiB calls in one 2025 session, read to the end, kept by the
 *   session's event log until it ends.
 *
 * Run: `node --import tsx bench/unreadStreams.ts [N]`. Prints one line per row;
 * the README's bounds table quotes it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.argv[2] ?? 200);
const ROOT = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'sluice-unread-'));
writeFileSync(
  join(dir, 'sluice.yaml'),
  `scripts: { maxConcurrent: 16, maxQueued: ${N * 2} }\n${process.env.SESSION_BYTES === undefined ? "" : `sessions: { eventLog: { maxSessionBytes: ${process.env.SESSION_BYTES} } }\n`}tools:\n  - name: flood\n    description: 4 MiB of output\n    command: node\n    args: ["${join(ROOT, 'test/fixtures/scripts/flood.mjs')}", "64"]\n`,
);
const server = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'servers/unread.ts'), join(dir, 'sluice.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
// However this script ends (a failed read included), the server it started goes with it.
process.once('exit', () => {
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});
let out = '';
server.stdout.on('data', (c: Buffer) => (out += c.toString()));
/** Bytes the server retains after a GC. */
async function retained(): Promise<number> {
  const before = out.length;
  server.kill('SIGUSR2');
  while (!out.slice(before).includes('\n')) await new Promise((r) => setTimeout(r, 20));
  return Number(out.slice(before).trim());
}
const url = await new Promise<string>((resolve) => {
  let text = '';
  server.stderr.on('data', (c: Buffer) => {
    text += c.toString();
    const m = /(http:\/\/\S+\/mcp)/.exec(text);
    if (m !== null) resolve(m[1]!);
  });
});
const headers = (extra: Record<string, string>) => ({ 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...extra });
const inflight = async () => Number(/"toolCallsInflight":(\d+)/.exec(await (await fetch(new URL('/healthz', url))).text())?.[1]);
const settle = async () => {
  while ((await inflight()) > 0) await new Promise((r) => setTimeout(r, 200));
};
const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function session(): Promise<Record<string, string>> {
  const init = await fetch(url, { method: 'POST', headers: headers({}), body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '0' } } }) });
  await init.text();
  const h = headers({ 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' });
  await (await fetch(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  return h;
}
const call = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'flood', arguments: {} } });
const modern = (id: number) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'flood', arguments: {}, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'b', version: '0' }, 'io.modelcontextprotocol/clientCapabilities': {} } },
  });

await settle();
const base = await retained();
const open: Response[] = [];
for (let i = 1; i <= N; i++) {
  open.push(await fetch(url, { method: 'POST', headers: headers({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'flood' }), body: modern(i) }));
}
await settle();
const modernRss = (await retained()) - base;
console.log(`2026-07-28: ${N} unread streams of finished 4 MiB calls: +${MB(modernRss)} (${MB(modernRss / N)} per stream)`);
for (const r of open.splice(0)) await r.body?.cancel();
await settle();

const base2 = await retained();
const h = await session();
for (let i = 1; i <= N; i++) open.push(await fetch(url, { method: 'POST', headers: h, body: call(i) }));
await settle();
const legacyRss = (await retained()) - base2;
console.log(`2025-11-25: ${N} unread streams of finished 4 MiB calls (one session): +${MB(legacyRss)} (${MB(legacyRss / N)} per stream)`);
for (const r of open.splice(0)) await r.body?.cancel();
await fetch(url, { method: 'DELETE', headers: h });
await settle();

const base3 = await retained();
const h2 = await session();
for (let i = 1; i <= 100; i++) await (await fetch(url, { method: 'POST', headers: h2, body: call(i) })).text();
await settle();
console.log(`2025-11-25: 100 finished and read 4 MiB calls kept by one session's event log: +${MB((await retained()) - base3)}`);
server.kill('SIGTERM');
