/**
 * Script output at full speed: a script prints 1 KiB lines as fast as it can
 * (bench/servers/scripts.ts). How fast does the server absorb them, and at
 * what CPU cost per MiB, for a client that reads every partial result and
 * for one that asks for the final result only; and what do ten clients that
 * stop reading cost the server while their scripts are held back?
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchServer, cpuSeconds, peakRssBytes, resetPeakRss, rssBytes } from '../lib/processes.js';
import { RawClient } from '../lib/rawClient.js';

const PARTIALS = { meta: { partialResultToken: 'p' }, capabilities: { partialResults: {} } };

export interface AbsorbResult {
  readonly reading: boolean;
  /** Script output (MiB) and the time from the request to the last byte of the answer. */
  readonly mib: number;
  readonly ms: number;
  /** Server CPU seconds over the call, user and system. */
  readonly serverCpuSeconds: number;
  readonly serverGrowth: number;
}

/** One call of `print_lines` over 2026-07-28, its answer read to the end. */
export async function absorb(server: BenchServer, mib: number, reading: boolean): Promise<AbsorbResult> {
  const pid = server.child.pid!;
  const client = await RawClient.connect(server.url, '2026-07-28');
  resetPeakRss(pid);
  const rss = rssBytes(pid);
  const cpu = cpuSeconds(pid);
  const started = performance.now();
  const response = await client.startStalled('print_lines', { mib }, reading ? PARTIALS.meta : {}, reading ? PARTIALS.capabilities : {});
  // The answer ends with its result; look for it across chunk boundaries without keeping the body.
  let tail = '';
  let result = false;
  for await (const chunk of response.body! as AsyncIterable<Uint8Array>) {
    const text = tail + Buffer.from(chunk).toString('latin1');
    result ||= text.includes('"result":{');
    tail = text.slice(-16);
  }
  const ms = performance.now() - started;
  if (!result) throw new Error(`print_lines gave no result: HTTP ${response.status} …${tail}`);
  return { reading, mib, ms, serverCpuSeconds: cpuSeconds(pid) - cpu, serverGrowth: peakRssBytes(pid) - rss };
}

export interface StalledResult {
  readonly clients: number;
  /** Server CPU over the measured window, as a share of one core. */
  readonly serverCpuShare: number;
  readonly windowMs: number;
  readonly serverGrowth: number;
}

/**
 * `clients` calls of `print_lines` (each asking for partial results) whose
 * clients never read their answer. After `settleMs` (the scripts fill their
 * pipes and the streams their high-water marks), the server's CPU is
 * measured for `windowMs`; its peak RSS growth covers the whole time.
 */
export async function stalledScripts(server: BenchServer, clients: number, settleMs: number, windowMs: number): Promise<StalledResult> {
  const pid = server.child.pid!;
  resetPeakRss(pid);
  const rss = rssBytes(pid);
  const responses: Response[] = [];
  for (let i = 0; i < clients; i++) {
    const client = await RawClient.connect(server.url, '2026-07-28');
    responses.push(await client.startStalled('print_lines', { mib: 1024 }, PARTIALS.meta, PARTIALS.capabilities));
  }
  await sleep(settleMs);
  const cpu = cpuSeconds(pid);
  const started = performance.now();
  await sleep(windowMs);
  const result = { clients, serverCpuShare: (cpuSeconds(pid) - cpu) / ((performance.now() - started) / 1000), windowMs, serverGrowth: peakRssBytes(pid) - rss };
  // Closing each answer cancels its call (2026-07-28): the scripts are stopped.
  await Promise.all(responses.map((response) => response.body?.cancel()));
  return result;
}

export const absorbedMibPerSecond = (r: AbsorbResult): number => r.mib / (r.ms / 1000);
/** Server CPU milliseconds per MiB of script output. */
export const cpuMsPerMib = (r: AbsorbResult): number => (r.serverCpuSeconds * 1000) / r.mib;
