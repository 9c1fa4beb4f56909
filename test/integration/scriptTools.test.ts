// Script tools with real child processes: arguments reach the script as one
// argv element each (no shell), progress lines become throttled progress, a
// failing script gives an isError result with the end of its stderr, and a
// timeout or a 2026 client disconnect stops the whole process group,
// grandchildren included (SIGKILL after the grace period if SIGTERM is ignored).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SluiceServer } from '../../src/server/sluiceServer.js';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { isAlive, readPids, waitFor } from '../helpers/processes.js';
import { modernToolCall, ROOT, startConfig, tempDir, v2Client } from '../helpers/servers.js';

const SCRIPTS = join(ROOT, 'test/fixtures/scripts');
const tmp = tempDir();
let server: RunningHttpServer & { sluice: SluiceServer };

before(async () => {
  server = await startConfig(
    `
tools:
  - name: args
    description: prints argv
    command: node
    args: ["${SCRIPTS}/args.mjs", "{{a}}", "--opt={{b}}", "literal"]
    parameters: { a: { type: string }, b: { type: integer } }
    required: [a]
  - name: fail
    description: fails
    command: node
    args: ["${SCRIPTS}/fail.mjs"]
  - name: sleepy
    description: never ends by itself
    command: node
    args: ["${SCRIPTS}/sleepy.mjs", "{{pidfile}}"]
    parameters: { pidfile: { type: string } }
    timeout: 1s
  - name: sleepy_long
    description: never ends by itself
    command: node
    args: ["${SCRIPTS}/sleepy.mjs", "{{pidfile}}"]
    parameters: { pidfile: { type: string } }
  - name: stubborn
    description: ignores SIGTERM
    command: node
    args: ["${SCRIPTS}/ignore-term.mjs", "{{pidfile}}"]
    parameters: { pidfile: { type: string } }
    timeout: 500ms
  - name: missing
    description: a command that does not exist
    command: /nonexistent/command
`,
    tmp.dir,
  );
});
after(async () => {
  await server.close();
  tmp.remove();
});

test('arguments arrive as single argv elements; absent optional elements are left out', async () => {
  const client = await v2Client(server.url, 'legacy');
  const hostile = `x"; rm -rf / ; echo $(id) \`id\` 'q'`;
  const r1 = await client.callTool({ name: 'args', arguments: { a: hostile, b: 3 } });
  assert.deepEqual(JSON.parse((r1.content[0] as { text: string }).text), [hostile, '--opt=3', 'literal']);
  const r2 = await client.callTool({ name: 'args', arguments: { a: 'only' } });
  assert.deepEqual(JSON.parse((r2.content[0] as { text: string }).text), ['only', 'literal']);
  await client.close();
});

test('a non-zero exit gives isError with the exit code and the stderr tail', async () => {
  const client = await v2Client(server.url, 'modern');
  const result = await client.callTool({ name: 'fail', arguments: {} });
  assert.equal(result.isError, true);
  const text = (result.content as Array<{ text: string }>).map((c) => c.text).join('\n');
  assert.match(text, /exited with code 3/);
  assert.match(text, /fatal: the input was malformed/);
  assert.match(text, /partial output before failing/);
  await client.close();
});

test('a command that cannot start gives isError naming it', async () => {
  const client = await v2Client(server.url, 'modern');
  const result = await client.callTool({ name: 'missing', arguments: {} });
  assert.equal(result.isError, true);
  assert.match((result.content[0] as { text: string }).text, /could not start \/nonexistent\/command: ENOENT/);
  await client.close();
});

test('the timeout kills the process group, grandchild included', async () => {
  const client = await v2Client(server.url, 'legacy');
  const pidfile = join(tmp.dir, 'timeout.json');
  const result = await client.callTool({ name: 'sleepy', arguments: { pidfile } });
  assert.equal(result.isError, true);
  assert.match((result.content[0] as { text: string }).text, /timed out after 1s/);
  const pids = await readPids(pidfile);
  await waitFor(() => !isAlive(pids.child!) && !isAlive(pids.grandchild!), 5000, 'child and grandchild to exit');
  await client.close();
});

test('SIGKILL follows SIGTERM after the grace period', async () => {
  const { SluiceServer } = await import('../../src/server/sluiceServer.js');
  const { scriptTool } = await import('../../src/runner/scriptTool.js');
  const { serveHttp } = await import('../../src/transports/http/nodeServer.js');
  const sluice = new SluiceServer({ name: 't', version: '0' }).tool(
    scriptTool(
      {
        name: 'stubborn',
        description: 'ignores SIGTERM',
        command: 'node',
        args: [`${SCRIPTS}/ignore-term.mjs`, '{{pidfile}}'],
        parameters: { pidfile: { type: 'string' } },
        required: [],
        timeoutMs: 300,
        progressPerSecond: undefined,
        backpressure: undefined,
      closeStreamAfterMs: undefined,
        cwd: tmp.dir,
        env: {},
      },
      { killGraceMs: 300 },
    ),
  );
  const running = await serveHttp(sluice, { port: 0 });
  const client = await v2Client(running.url, 'modern');
  const pidfile = join(tmp.dir, 'stubborn.json');
  const started = Date.now();
  const call = client.callTool({ name: 'stubborn', arguments: { pidfile } });
  const pids = await readPids(pidfile);
  const result = await call;
  assert.equal(result.isError, true);
  await waitFor(() => !isAlive(pids.child!), 5000, 'the SIGTERM-ignoring child to be killed');
  assert.ok(Date.now() - started >= 550, 'it survived SIGTERM for the grace period');
  await client.close();
  await running.close();
});

test('a 2026 client closing its request stream cancels the tool and stops the script', async () => {
  const pidfile = join(tmp.dir, 'disconnect.json');
  const response = await modernToolCall(server.url, 'sleepy_long', { args: { pidfile }, meta: { progressToken: 9 }, id: 9 });

  assert.equal(response.status, 200);
  const pids = await readPids(pidfile);
  assert.ok(isAlive(pids.child!));
  await response.body!.cancel(); // the client goes away
  await waitFor(() => !isAlive(pids.child!) && !isAlive(pids.grandchild!), 5000, 'the script to be stopped');
  await waitFor(() => server.sluice.inflight === 0, 5000, 'no tool call in flight');
});
