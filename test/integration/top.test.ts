// `sluice top` as a user runs it against a live server: one frame with the server's tools and
// streams (--once), frames redrawn in place on a terminal (the alternate screen, given back),
// precise exits for a stdio target and an unreachable one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { run, serve } from '../helpers/cli.js';
import { CLI, EXAMPLE_CONFIG, ROOT } from '../helpers/servers.js';

let server: Awaited<ReturnType<typeof serve>>;

before(async () => {
  server = await serve([EXAMPLE_CONFIG, '--port', '0']);
  assert.equal((await run(['call', server.url, 'count', 'n=2'])).code, 0);
});
after(() => server.child.kill('SIGKILL'));

test('--once prints one frame with the tools that ran and every stream kind', async () => {
  const r = await run(['top', server.url, '--once', '--interval', '0.2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^sluice top  ${server.url.replace(/\/mcp$/, '/metrics').replace(/[.]/g, '\\.')}`));
  assert.match(r.stdout, /^count\s+0\s+\S+\s+1\s+0\s+0\s+\d+\.\d\d s$/m);
  for (const kind of ['session', 'standalone', 'exchange', 'stdio', 'resource']) assert.match(r.stdout, new RegExp(`^${kind}\\s`, 'm'));
  assert.ok(!r.stdout.includes('\x1b['), 'no escape codes when stdout is not a terminal');
});

test('on a terminal it redraws in place and gives the screen back', () => {
  const out = spawnSync('script', ['-qec', `${process.execPath} ${CLI} top ${server.url} --interval 0.2 -n 3`, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  assert.equal(out.status, 0, out.stdout);
  assert.ok(out.stdout.includes('\x1b[?1049h'), 'the alternate screen');
  assert.equal(out.stdout.split('\x1b[H').length - 1, 3, 'three frames, each from the top');
  assert.ok(out.stdout.includes('\x1b[?25h\x1b[?1049l'), 'the cursor and the screen given back');
});

test('a stdio target is exit 2, an unreachable server exit 1', async () => {
  const stdio = await run(['top', 'stdio:node x.js']);
  assert.equal(stdio.code, 2);
  assert.match(stdio.stderr, /^sluice: sluice top reads \/metrics over HTTP/m);
  const down = await run(['top', 'http://127.0.0.1:9/mcp', '--once']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^sluice: cannot read http:\/\/127\.0\.0\.1:9\/metrics: /m);
});
