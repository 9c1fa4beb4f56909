/**
 * Starting the CLI, as a user feels it: wall time of whole `sluice` commands
 * (process start to exit), the median of several runs, beside `node -e 0`,
 * the floor every Node program pays; and each command's peak RSS (the
 * kernel's `maxrss` of the process, read at exit by a preload that adds
 * nothing else). Timed runs go without the preload.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { percentile } from '../lib/stats.js';

const CLI = join(import.meta.dirname, '../../dist/bin/sluice.mjs');
/** Prints the process's peak RSS (KiB) as its last stderr line, at exit. */
const MAXRSS_HOOK = `data:text/javascript,${encodeURIComponent("import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(2, `\\nmaxrss ${process.resourceUsage().maxRSS}\\n`));")}`;

export interface CommandTiming {
  readonly command: string;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly peakRssBytes: number;
  readonly runs: number;
}

/**
 * The environment of the timed commands: this one without
 * `NODE_EXTRA_CA_CERTS`, which makes every Node process parse a bundle of
 * certificates at start (tens of ms) and which a user's shell rarely sets.
 */
export function cliEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

async function runOnce(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stderr: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').at(-1)}`);
  return { ms, stderr };
}

/** One run of `node ARGS…` with the peak-RSS preload: its wall time and peak RSS. */
export async function measureOnce(args: readonly string[], env: NodeJS.ProcessEnv = cliEnvironment()): Promise<{ ms: number; peakRssBytes: number }> {
  const { ms, stderr } = await runOnce(['--import', MAXRSS_HOOK, ...args], env);
  return { ms, peakRssBytes: Number(/maxrss (\d+)\s*$/.exec(stderr)?.[1]) * 1024 };
}

/** `runs` timed runs of `node ARGS…` (after one untimed run that warms the disk cache), then one with the peak-RSS preload. */
export async function timeCommand(command: string, args: readonly string[], runs: number, env: NodeJS.ProcessEnv = cliEnvironment()): Promise<CommandTiming> {
  await runOnce(args, env);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push((await runOnce(args, env)).ms);
  const { peakRssBytes } = await measureOnce(args, env);
  const sorted = times.sort((a, b) => a - b);
  return { command, medianMs: percentile(sorted, 50), maxMs: sorted.at(-1)!, peakRssBytes, runs };
}

/** The CLI's arguments for `node`: `sluice ARGS…` from dist/. */
export const sluiceArgs = (...args: string[]): string[] => [CLI, ...args];
