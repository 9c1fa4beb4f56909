/**
 * A real Redis for tests: Debian's `redis-server`, started on a free loopback
 * port with no persistence, stopped by its PID. `.ci/run` installs it where
 * it is missing; a test that needs it fails, naming it, when it is absent.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from './processes.js';

export interface RunningRedis {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** Stops it (SIGTERM, then waits for the exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

function launch(port: number): Promise<ChildProcess> {
  if (spawnSync('redis-server', ['--version']).error !== undefined) {
    throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run does)');
  }
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
}

export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  let child = await launch(port);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid!;
    },
    stop,
    start: async () => {
      child = await launch(port);
    },
  };
}
