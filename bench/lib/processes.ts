/** Starting bench servers as child processes and reading their peak RSS (Linux /proc). */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

export interface BenchServer {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
}

/** Starts `node --import tsx FILE`, which prints its URL as its first stdout line. */
export function startServer(name: string, file: string): Promise<BenchServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /http:\/\/\S+\/mcp/.exec(out)?.[0];
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

/** Peak resident set size of a process in bytes (VmHWM), or NaN where /proc is missing. */
export function peakRssBytes(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

export function stopServer(server: BenchServer): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
    setTimeout(() => server.child.kill('SIGKILL'), 3000).unref();
  });
}
