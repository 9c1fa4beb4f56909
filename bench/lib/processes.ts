/** Starting bench servers as child processes and reading their peak RSS (Linux /proc). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * On a machine with 2+ cores and `taskset`, servers run on the last core and
 * the load generator on core 0, so the two never fight over one core and the
 * scheduler adds less noise. Both servers under test get the same treatment.
 */
const PIN = availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0;
const SERVER_CORE = String(availableParallelism() - 1);

/** Pins the calling process (the load generator) to core 0 when pinning is available. */
export function pinLoadGenerator(): string {
  if (!PIN) return 'not pinned';
  spawnSync('taskset', ['-p', '-c', '0', String(process.pid)]);
  return `load generator on core 0, each server on core ${SERVER_CORE} (taskset)`;
}

export interface BenchServer {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
}

/** The command prefix that runs a server on the server core (empty when pinning is not available). */
export function serverCorePrefix(): string[] {
  return PIN ? ['taskset', '-c', SERVER_CORE] : [];
}

/** Starts `node --import tsx FILE ARGS…`, which prints its URL as its first stdout line. */
export function startServer(name: string, file: string, extraArgs: readonly string[] = []): Promise<BenchServer> {
  return new Promise((resolve, reject) => {
    // --expose-gc for every server alike: sluice's resource streams collect as they go where the runtime allows it.
    const argv = [process.execPath, '--expose-gc', '--import', 'tsx', file, ...extraArgs];
    // taskset execs node, so the child's pid is the server's pid (for /proc readings).
    const [command, ...args] = PIN ? ['taskset', '-c', SERVER_CORE, ...argv] : argv;
    const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /http:\/\/\S+\/(mcp\b|files\/)/.exec(out)?.[0];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ name, url, child });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

/** Resets the peak-RSS counter of a process we started (Linux: writing 5 to clear_refs). */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not Linux or not permitted: the peak then covers the whole run, which the table says.
  }
}

/** A `kB` field of /proc/PID/status in bytes, or NaN where /proc is missing. */
function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of a process now, in bytes (VmRSS). */
export const rssBytes = (pid: number): number => statusBytes(pid, 'VmRSS');

/** CPU seconds a process used so far (utime + stime from /proc, in clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set size of a process in bytes (VmHWM). */
export const peakRssBytes = (pid: number): number => statusBytes(pid, 'VmHWM');

export function stopServer(server: BenchServer): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
    setTimeout(() => server.child.kill('SIGKILL'), 3000).unref();
  });
}
