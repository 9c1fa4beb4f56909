/** Process helpers for tests: liveness checks and bounded waits. */
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process runs: alive and not a zombie (a killed grandchild stays a zombie until init reaps it, which can take a second here). */
export function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `check` every 25 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Waits for a JSON pid file written by a fixture script. */
export async function readPids(file: string): Promise<Record<string, number>> {
  await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').length > 0, 10_000, `pid file ${file}`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
}

/** A TCP port free on 127.0.0.1 right now (for a process that must be told its port up front). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
