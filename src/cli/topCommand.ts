/**
 * `sluice top TARGET`: the dashboard's numbers in the terminal, for a server
 * reachable only by URL. Reads its `/metrics` every `--interval` seconds and
 * redraws in place on a terminal (the alternate screen, restored on exit);
 * elsewhere it prints one frame per scrape. `--once` prints one frame (rates
 * need two scrapes: it takes two, an interval apart), `-n N` stops after N.
 *
 * Exit 0 when stopped (Ctrl-C, `-n`); 1 when the first scrape fails; 2 for a
 * target that has no `/metrics` (stdio). A later failed scrape keeps the last
 * frame and says so in the title line.
 *
 * @module
 */
import { nodeFetch } from '../client/nodeFetch.js';
import { CliError, secondsOption } from './cliError.js';
import { parsePromText } from './promText.js';
import { renderTop, type Scrape } from './topView.js';

export interface TopOptions {
  readonly interval?: string;
  readonly iterations?: string;
  readonly once?: boolean;
}

/** How long one scrape may take (ms). */
const SCRAPE_TIMEOUT_MS = 5000;

export async function topCommand(target: string, options: TopOptions): Promise<void> {
  const url = metricsUrl(target);
  const intervalMs = secondsOption('--interval', options.interval ?? '1') * 1000;
  const frames = options.once === true ? 1 : options.iterations === undefined ? Number.POSITIVE_INFINITY : framesOption(options.iterations);
  const tty = process.stdout.isTTY === true && options.once !== true;
  let before: Scrape | undefined;
  try {
    before = await scrape(url);
  } catch (error) {
    throw new CliError(`cannot read ${url}: ${(error as Error).message}`, 1);
  }
  if (tty) enterScreen();
  try {
    for (let frame = 0; frame < frames; frame++) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      let now: Scrape;
      let note = '';
      try {
        now = await scrape(url);
      } catch (error) {
        note = `unreachable (${(error as Error).message}); showing the last scrape`;
        now = before!;
      }
      const lines = renderTop(url, now, now === before ? undefined : before, note);
      if (tty) process.stdout.write(`\x1b[H${lines.map((line) => `${line}\x1b[K`).join('\n')}\x1b[J`);
      else process.stdout.write(`${lines.join('\n')}\n\n`);
      before = now;
    }
  } finally {
    if (tty) leaveScreen();
  }
}

/** The `/metrics` URL of a target: the server's origin with `/metrics` (a URL that already names it is kept). */
export function metricsUrl(target: string): string {
  if (target.startsWith('stdio:')) throw new CliError('sluice top reads /metrics over HTTP; a stdio server has none (give its http(s):// URL)', 2);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new CliError(`${target} is not a URL (try http://127.0.0.1:3001/mcp)`, 2);
  }
  // A WebSocket endpoint is served by the same HTTP server: its /metrics is there.
  if (url.protocol === 'ws:' || url.protocol === 'wss:') url.protocol = url.protocol === 'ws:' ? 'http:' : 'https:';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`${target}: sluice top needs an http(s):// URL`, 2);
  if (!url.pathname.endsWith('/metrics')) url.pathname = url.pathname.replace(/\/mcp\/?$/, '').replace(/\/$/, '') + '/metrics';
  url.search = '';
  return url.href;
}

async function scrape(url: string): Promise<Scrape> {
  const response = await nodeFetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return { samples: parsePromText(await response.text()), at: Date.now() };
}

function framesOption(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`-n must be a whole number of frames >= 1; got ${text}`, 2);
  return n;
}

/** The alternate screen and a hidden cursor, both given back on exit (Ctrl-C included). */
function enterScreen(): void {
  process.stdout.write('\x1b[?1049h\x1b[?25l');
  process.once('SIGINT', () => {
    leaveScreen();
    process.exit(0);
  });
}

function leaveScreen(): void {
  process.stdout.write('\x1b[?25h\x1b[?1049l');
}
