/**
 * Large resources: one read per client process of a 100 MiB UTF-8 log, 50 MiB
 * of random bytes and 1 GiB of log, through the plain SDK v2 (server and
 * client, `resources/read` of the whole file) and through sluice (a folder
 * resource; `readResourceStream`: a raw `resources/stream` over HTTP, windows
 * over stdio). Each read reports its time and the growth of the peak RSS of
 * server and client over their RSS just before the read.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { type BenchServer, serverCorePrefix } from '../lib/processes.js';

export const MiB = 1024 * 1024;
const CLIENT = join(import.meta.dirname, '../clients/read.ts');
const READ_TIMEOUT_MS = 180_000;
/** Read once by every client before the measured read (same method, same server). */
export const WARM_UP_FILE = 'warm-up-8m.txt';

export interface ReadReport {
  readonly ms: number;
  readonly bytes: number;
  readonly error?: string;
  readonly clientGrowth: number;
  readonly serverGrowth: number;
}

/** A folder with `log-100m.txt`, `random-50m.bin`, `log-1g.txt` (unless `gib` is false) and the warm-up file (created once, reused while the sizes match). */
export async function benchFiles({ gib = true }: { gib?: boolean } = {}): Promise<{ dir: string; remove: () => void }> {
  const dir = join(tmpdir(), 'sluice-bench-resources');
  mkdirSync(dir, { recursive: true });
  await writeLog(join(dir, 'log-100m.txt'), 100 * MiB);
  await writeRandom(join(dir, 'random-50m.bin'), 50 * MiB);
  if (gib) await writeLog(join(dir, 'log-1g.txt'), 1024 * MiB);
  await writeLog(join(dir, WARM_UP_FILE), 8 * MiB);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Log lines with some non-ASCII text (names, places), exactly `size` bytes. */
async function writeLog(path: string, size: number): Promise<void> {
  if (existsSync(path) && statSync(path).size === size) return;
  const users = ['ana', 'josé', 'zoë', 'björn', 'łukasz', 'mei 李', 'ahmed', 'søren'];
  const out = createWriteStream(path);
  let written = 0;
  let line = 0;
  while (written < size) {
    let block = '';
    while (block.length < 256 * 1024) {
      const i = line++;
      block += `2026-11-21T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z INFO worker-${i % 8} request id=${i} user=${users[i % users.length]} path=/api/items/${(i * 7919) % 100000} status=${i % 50 === 0 ? 500 : 200} took=${(i * 31) % 997}ms\n`;
    }
    let bytes = Buffer.from(block, 'utf8');
    if (written + bytes.length > size) bytes = bytes.subarray(0, size - written);
    written += bytes.length;
    if (!out.write(bytes)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function writeRandom(path: string, size: number): Promise<void> {
  if (existsSync(path) && statSync(path).size === size) return;
  const { randomFillSync } = await import('node:crypto');
  const out = createWriteStream(path);
  for (let written = 0; written < size; written += MiB) {
    if (!out.write(randomFillSync(Buffer.alloc(Math.min(MiB, size - written))))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** The stdio target that runs `serverFile` on the server core. */
export function stdioTarget(serverFile: string, dir: string): string {
  return `stdio:${[...serverCorePrefix(), process.execPath, '--expose-gc', '--import', 'tsx', serverFile, dir, '--stdio'].join(' ')}`;
}

/**
 * One read by a fresh client process (`sdk` or `sluice`). Over HTTP, `server`
 * is the running server measured here; over stdio the client starts and
 * measures the server itself.
 */
export async function readOnce(kind: 'sdk' | 'sluice', target: string, uri: string, server?: BenchServer, extra: string[] = []): Promise<ReadReport> {
  const pid = server?.child.pid;
  const args = [CLIENT, kind, target, uri, '--warm-up', `file:///${WARM_UP_FILE}`, ...(pid === undefined ? [] : ['--server-pid', String(pid)]), ...extra];
  const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), READ_TIMEOUT_MS);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  const line = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) {
    return { ms: Number.NaN, bytes: 0, error: code === null ? `no answer within ${READ_TIMEOUT_MS / 1000} s` : `client exited with ${code}`, clientGrowth: Number.NaN, serverGrowth: Number.NaN };
  }
  const report = JSON.parse(line) as { ms: number; bytes: number; error?: string; clientBase: number; clientPeak: number; serverBase?: number; serverPeak?: number };
  return {
    ms: report.ms,
    bytes: report.bytes,
    ...(report.error !== undefined && { error: report.error }),
    clientGrowth: report.clientPeak - report.clientBase,
    serverGrowth: (report.serverPeak ?? Number.NaN) - (report.serverBase ?? Number.NaN),
  };
}
