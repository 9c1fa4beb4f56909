/**
 * The machine itself, measured in the same run as sluice so that every
 * "distance from the limit" compares numbers taken minutes apart on the same
 * load: a plain `node:http` file server read with `http.get` and with
 * `fetch`, `cat FILE > /dev/null` for the disk and `cat FILE > OUT` for
 * writing to it, a child's `cat FILE` read
 * through a plain pipe for stdio. Each is a fresh process pinned like every
 * bench client (bench/machine/).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const MACHINE = join(import.meta.dirname, '../machine');

export interface Ceiling {
  readonly ms: number;
  readonly bytes: number;
  readonly mibPerSecond: number;
}

export const mibPerSecond = (bytes: number, ms: number): number => bytes / (1024 * 1024) / (ms / 1000);

/** One read by a plain client process: `http-get` or `fetch` of a URL, `pipe` of a file, or a `script`'s stdout (`node FILE ARG`). */
export async function plainRead(how: 'http-get' | 'fetch' | 'pipe' | 'script', where: string, arg?: string): Promise<Ceiling> {
  const child = spawn(process.execPath, [join(MACHINE, 'readPlain.mjs'), how, where, ...(arg === undefined ? [] : [arg])], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`readPlain ${how} exited with ${code}`);
  const { ms, bytes } = JSON.parse(out.trim()) as { ms: number; bytes: number };
  return { ms, bytes, mibPerSecond: mibPerSecond(bytes, ms) };
}

/** `cat FILE > /dev/null`: how fast the disk (or the page cache) gives the file. */
export async function diskRead(file: string, bytes: number): Promise<Ceiling> {
  const devNull = openSync('/dev/null', 'w');
  try {
    return await timedCat(file, devNull, bytes);
  } finally {
    closeSync(devNull);
  }
}

/** `cat FILE > OUT`: how fast the disk takes a file as large (what `sluice read -o` writes to); OUT is removed after. */
export async function diskWrite(file: string, out: string, bytes: number): Promise<Ceiling> {
  const target = openSync(out, 'w');
  try {
    return await timedCat(file, target, bytes);
  } finally {
    closeSync(target);
    rmSync(out, { force: true });
  }
}

/** `cat FILE` with its stdout on the descriptor `out`, timed from spawn to exit. */
async function timedCat(file: string, out: number, bytes: number): Promise<Ceiling> {
  const started = performance.now();
  const child = spawn('cat', [file], { stdio: ['ignore', out, 'inherit'] });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`cat exited with ${code}`);
  const ms = performance.now() - started;
  return { ms, bytes, mibPerSecond: mibPerSecond(bytes, ms) };
}

/** The best (fastest) of `rounds` measurements. */
export async function fastest(rounds: number, measure: () => Promise<Ceiling>): Promise<Ceiling> {
  let best: Ceiling | undefined;
  for (let round = 0; round < rounds; round++) {
    const next = await measure();
    if (best === undefined || next.ms < best.ms) best = next;
  }
  return best!;
}
