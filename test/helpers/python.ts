/**
 * The Python MCP clients the interop tests run: the official SDK `mcp` and
 * FastMCP's client, pinned, in a virtual environment the tests create once
 * (kept in node_modules/.cache, so a fresh clone gets a fresh one).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './servers.js';

export const PYTHON_PACKAGES = ['mcp==2.3.0', 'fastmcp==4.0.10'];
const VENV = join(ROOT, 'node_modules/.cache/sluice-python-clients');
const MARKER = join(VENV, `installed-${PYTHON_PACKAGES.join('-')}`);
export const PYTHON = join(VENV, 'bin/python');
export const PYTHON_CLIENT = join(ROOT, 'test/interop/python_client.py');

/** Creates the venv and installs the pinned clients unless already there. Throws with pip's output on failure. */
export function ensurePythonClients(): void {
  if (existsSync(MARKER)) return;
  const run = (command: string, args: string[]) => {
    try {
      execFileSync(command, args, { stdio: 'pipe', timeout: 600_000 });
    } catch (error) {
      const e = error as { stderr?: Buffer; stdout?: Buffer; message: string };
      throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`, { cause: error });
    }
  };
  run('python3', ['-m', 'venv', VENV]);
  // Fail fast on an index that cannot be reached (this machine's pip also lists a public one): the
  // packages come from the local wheel mirror pip is set up to use.
  run(join(VENV, 'bin/pip'), ['install', '--disable-pip-version-check', '--quiet', '--retries', '0', '--timeout', '5', ...PYTHON_PACKAGES]);
  execFileSync('touch', [MARKER]);
}

/** Runs the Python client; resolves with one report per job, rejects with its stderr when it fails. */
export function runPythonClient(client: 'mcp' | 'fastmcp', mode: 'legacy' | '2026-07-28', target: string, jobs: string[]): Promise<Array<Record<string, unknown>>> {
  return runPython(PYTHON_CLIENT, [client, mode, target, ...jobs], `${client} (${mode}) against ${target}`);
}

/** The official Python SDK's ClientSession over a WebSocket of the `websockets` library (test/interop/python_ws_client.py). */
export function runPythonWebSocketClient(url: string, tool: string, n: number): Promise<Array<Record<string, unknown>>> {
  return runPython(join(ROOT, 'test/interop/python_ws_client.py'), [url, tool, String(n)], `the Python SDK over WebSocket against ${url}`);
}

/** Runs a Python script of the venv; its stdout as JSON lines. */
function runPython(script: string, args: string[], what: string): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-W', 'ignore', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${what} exited ${code}:\n${stderr.slice(-4000)}`));
      else resolve(stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>));
    });
  });
}
