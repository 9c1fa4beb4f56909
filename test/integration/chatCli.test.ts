// `sluice chat` as a user runs it: the real Anthropic SDK (ANTHROPIC_BASE_URL pointing at the
// local stand-in of the Messages API) and a real `sluice serve`: the answer on stdout, a line
// per tool event on stderr (no terminal), exit 0; precise exits for a missing key or prompt.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { startStandIn, type StandIn } from '../fixtures/anthropicStandIn.js';
import { run, serve } from '../helpers/cli.js';
import { CLI, EXAMPLE_CONFIG, ROOT } from '../helpers/servers.js';

let standIn: StandIn;
let server: Awaited<ReturnType<typeof serve>>;

before(async () => {
  standIn = await startStandIn();
  server = await serve([EXAMPLE_CONFIG, '--port', '0']);
});
after(async () => {
  server.child.kill('SIGKILL');
  await standIn.close();
});

function chat(args: string[], env: Record<string, string | undefined>, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'chat', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(stdin);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the answer streams to stdout, the tool\'s progress to stderr', async () => {
  const env = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: standIn.url };
  const r = await chat([server.url, '--model', 'claude-test', '--prompt', 'use count {"n":3}'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Let me check.The tool said: counted to 3.\n');
  assert.match(r.stderr, /^tool count: started$/m);
  assert.match(r.stderr, /^tool count: 3\/3/m);
  assert.match(r.stderr, /^tool count: done$/m);
  const fromStdin = await chat([server.url, '--model', 'claude-test'], env, 'hello from stdin');
  assert.equal(fromStdin.stdout, 'Hello! You said: hello from stdin\n');
});

test('no key, no model or no prompt: exit 2 with the reason', async () => {
  const noKey = await chat([server.url, '--model', 'm', '--prompt', 'hi'], { ANTHROPIC_API_KEY: undefined });
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /^sluice: ANTHROPIC_API_KEY is not set$/m);
  const noModel = await run(['chat', server.url, '--prompt', 'hi']);
  assert.equal(noModel.code, 2);
  assert.match(noModel.stderr, /--model is required/);
  const noPrompt = await chat([server.url, '--model', 'm'], { ANTHROPIC_API_KEY: 'k' }, '');
  assert.equal(noPrompt.code, 2);
  assert.match(noPrompt.stderr, /no prompt/);
});

test('on a terminal: a bar per running tool, the answer below it', async () => {
  // `script` gives the command a pseudo-terminal (stdout and stderr both). Not spawnSync: the
  // stand-in answers from this very process.
  const command = `${process.execPath} ${CLI} chat ${server.url} --model claude-test --prompt 'use count {"n":3}'`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: standIn.url },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0, out);
  const bar = out.lastIndexOf('count ');
  assert.ok(bar > 0 && /^count [^\n]*3\/3 done/.test(out.slice(bar)), 'the tool\'s bar ends full and done');
  assert.ok(out.indexOf('The tool said: counted to 3.') > bar, 'the answer comes below the bar');
});
