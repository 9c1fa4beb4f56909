// docs/deploy/nginx.conf, run: Debian's nginx with that very server block (its two ports
// changed) in front of sluice, and the chaos test through it (a proxy before nginx cuts
// resumable streams about a hundred times; every event arrives exactly once and in order with our
// client and the stock SDK client). Also: progress passes while a call still runs (nothing
// buffered), and /healthz and /dashboard answer through it. Guards against a config that
// buffers SSE, times out quiet streams, or trips sluice's Host check.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { burstServer } from '../fixtures/servers/burst.js';
import { ChaosProxy } from '../helpers/chaosProxy.js';
import { CHAOS_SEED, runChaos } from '../helpers/chaosRun.js';
import { freePort, waitFor } from '../helpers/processes.js';
import { ROOT, tempDir } from '../helpers/servers.js';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const folder = tempDir();
let server: RunningHttpServer;
let nginx: ChildProcess;
let nginxPort: number;
let proxy: ChaosProxy;
let release: () => void = () => {};

/** The distribution's nginx.conf around the documented server block: this test's files and ports only. */
function nginxConf(serverBlock: string): string {
  const temp = (name: string) => join(folder.dir, name);
  for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(temp(name), { recursive: true });
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
${serverBlock}
}
`;
}

before(async () => {
  assert.equal(spawnSync(NGINX, ['-v']).error, undefined, `${NGINX} is missing: apt-get install -y nginx (.ci/run does)`);
  const sluice = burstServer().tool({
    name: 'gated',
    description: 'reports progress, then waits for the test',
    handler: async (_args, ctx) => {
      ctx.progress(1, 2, 'half way');
      await new Promise<void>((resolve) => (release = resolve));
      return 'through';
    },
  });
  // retry: 5 ms, so hundreds of resumptions fit in a few seconds (as in the chaos test without nginx).
  server = await serveHttp(sluice, { port: 0, retryMs: 5 });
  nginxPort = await freePort();
  const documented = readFileSync(join(ROOT, 'docs/deploy/nginx.conf'), 'utf8');
  const block = documented.replace('server 127.0.0.1:3001;', `server 127.0.0.1:${server.port};`).replace('listen 80;', `listen 127.0.0.1:${nginxPort};`);
  assert.notEqual(block, documented);
  const conf = join(folder.dir, 'nginx.conf');
  writeFileSync(conf, nginxConf(block));
  const check = spawnSync(NGINX, ['-t', '-p', folder.dir, '-e', join(folder.dir, 'error.log'), '-c', conf], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  nginx = spawn(NGINX, ['-p', folder.dir, '-e', join(folder.dir, 'error.log'), '-c', conf], { stdio: 'ignore' });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${nginxPort}/healthz`).catch(() => undefined))?.ok === true, 15_000, 'nginx to pass /healthz through');
  proxy = new ChaosProxy(nginxPort, { minLifeMs: 5, maxLifeMs: 60, seed: CHAOS_SEED });
});
after(async () => {
  release();
  await proxy?.close();
  if (nginx !== undefined && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx.once('exit', resolve));
    nginx.kill('SIGQUIT');
    await exited;
  }
  await server?.close();
  folder.remove();
});

test('through nginx: progress arrives while the call runs, and /healthz and /dashboard answer', async () => {
  const url = `http://127.0.0.1:${nginxPort}/mcp`;
  for (const era of ['legacy', 'modern'] as const) {
    const client = await connect(url, { era });
    let progressed: () => void = () => {};
    const progress = new Promise<void>((resolve) => (progressed = resolve));
    const call = client.callTool('gated', {}, { onProgress: () => progressed() });
    await progress; // were nginx buffering, this would wait for the end of the response
    release();
    assert.deepEqual((await call).content, [{ type: 'text', text: 'through' }]);
    await client.close();
  }
  const dashboard = await fetch(`http://127.0.0.1:${nginxPort}/dashboard`);
  assert.equal(dashboard.status, 200);
  assert.match(await dashboard.text(), /<title>sluice dashboard<\/title>/);
});

test(`chaos through nginx: every event exactly once through scores of cuts`, { timeout: 150_000 }, async (t) => {
  const url = `http://127.0.0.1:${await proxy.listen()}/mcp`;
  await runChaos(url);
  t.diagnostic(`${proxy.cuts} cuts over ${proxy.connections} connections, seed ${CHAOS_SEED}`);
  // Fewer than without nginx (about a hundred, not several): each resumption costs a hop more, so
  // a run's streams spend more of their time being opened than being cut.
  assert.ok(proxy.cuts >= 50, `scores of cuts expected, got ${proxy.cuts} (seed ${CHAOS_SEED})`);
  proxy.calm();
});
