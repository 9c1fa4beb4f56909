// /dashboard in a real headless Chromium (Debian's chromium through playwright-core): a call's
// bar moves, a stalled client's stream turns full, a screenshot is taken, and the page loads
// nothing from anywhere but the server. Guards against a page that renders once and freezes,
// a stream that never shows as full while its producer waits, and a page that reaches outside.
// Also: the dashboard follows the same Host/Origin rules as /mcp, and can be turned off.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { connect } from '../../src/client/index.js';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { modernToolCall } from '../helpers/servers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STEP_MS = 150;
let sluice: SluiceServer;
let server: RunningHttpServer;
let browser: Browser;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  sluice = new SluiceServer({ name: 'dashboard-test', version: '1.0' })
    .tool({
      name: 'crawl',
      description: 'forty slow steps',
      handler: async (_args, ctx) => {
        for (let i = 1; i <= 40; i++) {
          await sleep(STEP_MS, ctx.signal);
          ctx.progress(i, 40, `page ${i}`);
        }
        return 'crawled';
      },
    })
    .tool({
      name: 'firehose',
      description: 'output until cancelled',
      handler: async (_args, ctx) => {
        const chunk = 'x'.repeat(32 * 1024);
        while (!ctx.signal.aborted) await ctx.partial(chunk);
        return 'stopped';
      },
    });
  server = await serveHttp(sluice, { port: 0, streamHighWaterBytes: 256 * 1024 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('a call\'s bar moves, a stalled stream turns full, and a screenshot is taken', async () => {
  const origin = new URL(server.url).origin;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const elsewhere: string[] = [];
  page.on('request', (request) => void (request.url().startsWith(`${origin}/`) || elsewhere.push(request.url())));
  await page.goto(`${origin}/dashboard`);
  await page.waitForSelector('#status:not(.down)');

  const client = await connect(server.url, { era: 'legacy' });
  const crawling = client.callTool('crawl', {}, { onProgress: () => {} });
  const bar = 'tr[data-tool="crawl"] .bar[data-fraction]';
  await page.waitForSelector(`${bar}:not([data-fraction=""])`, { timeout: 10_000 });
  const first = Number(await page.getAttribute(bar, 'data-fraction'));
  // Runs in the page (this file is type-checked without the DOM's types; the page's CSP forbids a string).
  type Page = { document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null } };
  await page.waitForFunction(
    ([selector, before]) => Number((globalThis as unknown as Page).document.querySelector(selector as string)?.getAttribute('data-fraction')) > (before as number),
    [bar, first] as const,
    { timeout: 10_000 },
  );
  const width = await page.$eval(`${bar} > div`, (fill) => (fill as unknown as { style: { width: string } }).style.width);
  assert.notEqual(width, '0.0%');

  // A 2026-07-28 client that asks for partial results and then reads nothing more.
  const stalled = new AbortController();
  const response = await modernToolCall(server.url, 'firehose', { meta: { partialResultToken: 'p' }, capabilities: { partialResults: {} } });
  const reader = response.body!.getReader();
  await reader.read();
  await page.waitForSelector('tr[data-kind="exchange"][data-full="true"] .badge.full', { timeout: 20_000 });
  assert.equal(await page.textContent('#n-full'), '1');

  const dir = process.env.SLUICE_SCREENSHOT_DIR ?? join(tmpdir(), 'sluice-dashboard');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'dashboard.png');
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(statSync(file).size > 10_000, 'a screenshot with something in it');

  assert.deepEqual(elsewhere, [], 'the page loads nothing from anywhere else');
  stalled.abort();
  await reader.cancel();
  assert.deepEqual((await crawling).content, [{ type: 'text', text: 'crawled' }]);
  await client.close();
  await page.close();
});

test('the dashboard keeps /mcp\'s Host and Origin rules, and can be turned off', async () => {
  const origin = new URL(server.url).origin;
  const state = await fetch(`${origin}/dashboard/state`);
  assert.equal(state.status, 200);
  assert.equal(((await state.json()) as { server: { name: string } }).server.name, 'dashboard-test');
  const page = await fetch(`${origin}/dashboard`);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.equal((await fetch(`${origin}/dashboard/state`, { headers: { origin: 'http://evil.example' } })).status, 403);
  const off = await serveHttp(sluice, { port: 0, dashboard: false });
  try {
    const refused = await fetch(`${new URL(off.url).origin}/dashboard`);
    assert.equal(refused.status, 404);
    assert.match(await refused.text(), /dashboard is off/);
  } finally {
    await off.close();
  }
});
