// nodeFetch, the CLI's `fetch` over node:http, against a real server. Guards
// against: a body or header lost on the way, a redirect not followed (or a
// POST body sent to a 303's target), an abort that does not stop a request or
// a streaming body, an error that is not fetch's TypeError, a bodiless status
// that throws, a keep-alive socket that keeps the process from exiting, and
// https:// (TLS loaded on demand, the certificate checked).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeBody, nodeFetch } from '../../src/client/nodeFetch.js';
import { ROOT } from '../helpers/servers.js';

const seen: Array<{ method: string; url: string; body: string; headers: IncomingMessage['headers'] }> = [];
let base = '';
const streams: ServerResponse[] = [];
const server = createServer(async (request, response) => {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  seen.push({ method: request.method!, url: request.url!, body, headers: request.headers });
  if (request.url === '/echo') {
    response.setHeader('set-cookie', ['a=1', 'b=2']);
    response.writeHead(201, { 'content-type': 'text/plain' }).end(`${request.method} ${body}`);
  } else if (request.url === '/see-other') response.writeHead(303, { location: '/echo' }).end();
  else if (request.url === '/temporary') response.writeHead(307, { location: `${base}/echo` }).end();
  else if (request.url === '/loop') response.writeHead(302, { location: '/loop' }).end();
  else if (request.url === '/empty') response.writeHead(204).end();
  else if (request.url === '/stream') {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: first\n\n');
    streams.push(response);
  } else if (request.url === '/never') streams.push(response);
  else response.writeHead(404).end();
});
before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  for (const response of streams) response.destroy();
  server.close();
});

test('a POST with headers in any form: status, body and repeated headers come back', async () => {
  const headers = new Headers({ 'content-type': 'application/json' });
  headers.append('x-one', '1');
  const response = await nodeFetch(`${base}/echo`, { method: 'POST', headers, body: '{"a":1}' });
  assert.equal(response.status, 201);
  assert.equal(await response.text(), 'POST {"a":1}');
  assert.equal(response.headers.get('content-type'), 'text/plain');
  assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.equal(seen.at(-1)!.headers['x-one'], '1');
  const bytes = await nodeFetch(new URL(`${base}/echo`), { method: 'PUT', headers: [['x-two', '2']], body: new TextEncoder().encode('raw') });
  assert.equal(await bytes.text(), 'PUT raw');
  assert.equal(seen.at(-1)!.headers['x-two'], '2');
});

test('redirects: a 303 turns into a GET without the body, a 307 keeps both, a loop fails', async () => {
  const other = await nodeFetch(`${base}/see-other`, { method: 'POST', body: 'dropped' });
  assert.equal(await other.text(), 'GET ');
  const temporary = await nodeFetch(`${base}/temporary`, { method: 'POST', body: 'kept' });
  assert.equal(await temporary.text(), 'POST kept');
  await assert.rejects(nodeFetch(`${base}/loop`), (error: Error) => error instanceof TypeError && /too many redirects/.test(error.message));
  const manual = await nodeFetch(`${base}/loop`, { redirect: 'manual' });
  assert.equal(manual.status, 302);
});

test('a 204 has a null body; an unreachable server is a TypeError with the cause', async () => {
  const empty = await nodeFetch(`${base}/empty`, { method: 'DELETE' });
  assert.equal(empty.status, 204);
  assert.equal(empty.body, null);
  await assert.rejects(nodeFetch('http://127.0.0.1:1/mcp'), (error: Error) => error instanceof TypeError && (error.cause as NodeJS.ErrnoException).code === 'ECONNREFUSED');
});

test('an abort stops a request still waiting for its answer, and a body still streaming', async () => {
  const waiting = new AbortController();
  const pending = nodeFetch(`${base}/never`, { signal: waiting.signal });
  waiting.abort(new Error('gave up'));
  await assert.rejects(pending, /gave up/);
  const reading = new AbortController();
  const response = await nodeFetch(`${base}/stream`, { signal: reading.signal });
  const reader = response.body!.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), 'data: first\n\n');
  const closed = once(streams.at(-1)!, 'close');
  reading.abort(new Error('stop reading'));
  await assert.rejects(reader.read(), /stop reading/);
  await closed; // the server saw the connection go
});

test('nodeBody: the Node stream itself while the web body is unread, then no more; never for another fetch', async () => {
  const direct = await nodeFetch(`${base}/echo`, { method: 'POST', body: 'node' });
  const body = nodeBody(direct)!;
  let text = '';
  for await (const chunk of body) text += Buffer.from(chunk).toString();
  assert.equal(text, 'POST node');
  assert.equal(nodeBody(direct), undefined, 'handed out once');
  const web = await nodeFetch(`${base}/echo`, { method: 'POST', body: 'web' });
  assert.equal(await web.text(), 'POST web');
  assert.equal(nodeBody(web), undefined, 'its web stream was read');
  assert.equal(nodeBody(await fetch(`${base}/echo`)), undefined);
});

test('a process that used it exits on its own: kept-alive sockets do not hold it', async () => {
  const script = `import { nodeFetch } from ${JSON.stringify(join(ROOT, 'src/client/nodeFetch.ts'))}; const r = await nodeFetch(${JSON.stringify(`${base}/echo`)}); console.log(await r.text());`;
  // Not spawnSync: the server answering it runs in this process.
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000 });
  assert.equal(stdout.trim(), 'GET');
});

test('https:// works (TLS is loaded by the first such request), with the certificate checked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
    const secure = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => response.end(`TLS ${request.method}`));
    secure.listen(0, '127.0.0.1');
    await once(secure, 'listening');
    const url = `https://127.0.0.1:${(secure.address() as AddressInfo).port}/`;
    try {
      const script = `import { nodeFetch } from ${JSON.stringify(join(ROOT, 'src/client/nodeFetch.ts'))}; const r = await nodeFetch(${JSON.stringify(url)}, { method: 'POST', body: 'x' }); console.log(await r.text());`;
      const run = (env: NodeJS.ProcessEnv) => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000, env });
      const { stdout } = await run({ ...process.env, NODE_EXTRA_CA_CERTS: cert });
      assert.equal(stdout.trim(), 'TLS POST');
      // Without the certificate trusted, the request fails: the agent checks it.
      await assert.rejects(run({ ...process.env, NODE_EXTRA_CA_CERTS: '' }), /self.signed|unable to verify|certificate/i);
    } finally {
      secure.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
