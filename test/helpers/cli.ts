/**
 * The `sluice` binary as a user runs it (the built dist/bin/sluice.mjs in a child
 * process): `run` waits for a command to finish; `serve` starts `sluice serve`
 * and resolves with the URL it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before } from 'node:test';
import { waitFor } from './processes.js';
import { CLI, EXAMPLE_CONFIG, ROOT } from './servers.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(args: string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sluice ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `sluice serve` and resolves with the URL it prints. */
export function serve(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no URL line within 15 s: ${stderr}`)), 15_000);
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      const url = /http:\/\/\S+\/mcp/.exec(stderr)?.[0];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ child, url, stderr: () => stderr });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}


export type ServedWebSocket = Awaited<ReturnType<typeof serve>> & { wsUrl: string };

/** `sluice serve … --ws`, resolved once it also said its ws:// URL (the line after the ready line). */
export async function serveWebSocket(args: string[]): Promise<ServedWebSocket> {
  const server = await serve([...args, '--ws']);
  const pattern = /ws:\/\/127\.0\.0\.1:\d+\/mcp/;
  await waitFor(() => pattern.test(server.stderr()), 5000, 'the ws:// line');
  return { ...server, wsUrl: pattern.exec(server.stderr())![0] };
}

/**
 * The example served with `--ws` around the calling file's tests: started
 * before them, killed after. The fields are there once `before` has run.
 */
export function exampleOverWebSocket(): ServedWebSocket {
  const served = {} as ServedWebSocket;
  before(async () => {
    Object.assign(served, await serveWebSocket([EXAMPLE_CONFIG, '--port', '0']));
  });
  after(() => served.child?.kill('SIGKILL'));
  return served;
}
