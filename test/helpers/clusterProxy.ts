/**
 * A round-robin HTTP proxy on 127.0.0.1 in front of several sluice nodes,
 * with no affinity at all: every request goes to the next node in turn, and
 * a resumption (`GET` with `Last-Event-ID`) always goes to a node other than
 * the one that last served that stream. Bodies stream both ways unbuffered.
 *
 * With `chaos`, it also cuts SSE responses at random moments once they sent
 * an event id (seeded), like `chaosProxy.ts` does for one node.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { seededRandom } from './seededRandom.js';

export interface ClusterProxyOptions {
  readonly chaos?: { readonly minLifeMs: number; readonly maxLifeMs: number; readonly seed: number };
}

export class ClusterProxy {
  /** Requests per backend port. */
  readonly served = new Map<number, number>();
  /** Resumptions, and those sent to a node other than the stream's last one (all of them, by construction). */
  resumes = 0;
  resumesElsewhere = 0;
  cuts = 0;
  /** Which backend served each request of each session, in order. */
  readonly bySession = new Map<string, number[]>();
  #server: Server | undefined;
  #next = 0;
  readonly #turns = new Map<string, number>();
  readonly #lastServer = new Map<string, number>();
  readonly #agent = new Agent({ keepAlive: true });
  readonly #random: () => number;
  readonly #open = new Set<ServerResponse>();
  #cutting = true;

  constructor(
    readonly backends: number[],
    private readonly options: ClusterProxyOptions = {},
  ) {
    this.#random = seededRandom(options.chaos?.seed ?? 1);
  }

  async listen(): Promise<number> {
    // No Nagle on either side: a head and a small body in two writes must not wait for a delayed ACK.
    this.#server = createServer({ noDelay: true }, (req, res) => this.#forward(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as { port: number }).port;
  }

  /** Stops cutting. */
  calm(): void {
    this.#cutting = false;
  }

  /** Routes no more requests to `port` (a node that was killed). */
  remove(port: number): void {
    const i = this.backends.indexOf(port);
    if (i >= 0) this.backends.splice(i, 1);
  }

  async close(): Promise<void> {
    for (const res of this.#open) res.destroy();
    this.#agent.destroy();
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  /** The next node in turn: per session, so every session's requests visit every node in order. */
  #pick(session: string | undefined, avoid: number | undefined): number {
    const key = session ?? '';
    for (let i = 0; i < this.backends.length; i++) {
      const turn = this.#turns.get(key) ?? this.#next++;
      this.#turns.set(key, turn + 1);
      const port = this.backends[turn % this.backends.length]!;
      if (port !== avoid || this.backends.length === 1) return port;
    }
    return this.backends[0]!;
  }

  #forward(req: IncomingMessage, res: ServerResponse): void {
    const session = header(req, 'mcp-session-id');
    const lastEventId = header(req, 'last-event-id');
    const streamKey = (id: string) => `${session}|${id.slice(0, id.lastIndexOf('_'))}`;
    const previous = lastEventId === undefined ? undefined : this.#lastServer.get(streamKey(lastEventId));
    const port = this.#pick(session, previous);
    if (lastEventId !== undefined) {
      this.resumes++;
      if (previous !== undefined && previous !== port) this.resumesElsewhere++;
    }
    this.served.set(port, (this.served.get(port) ?? 0) + 1);
    if (session !== undefined) this.bySession.set(session, [...(this.bySession.get(session) ?? []), port]);
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent: this.#agent }, (answer) => {
      answer.socket.setNoDelay(true);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // An SSE answer must reach the client at once; a JSON one goes out with its body.
      if (/text\/event-stream/.test(String(answer.headers['content-type']))) res.flushHeaders();
      this.#open.add(res);
      const sid = session ?? header(answer, 'mcp-session-id');
      let timer: NodeJS.Timeout | undefined;
      answer.on('data', (chunk: Buffer) => {
        for (const match of chunk.toString('utf8').matchAll(/(?:^|\n)id: ?(\S+)/g)) this.#lastServer.set(`${sid}|${match[1]!.slice(0, match[1]!.lastIndexOf('_'))}`, port);
        const chaos = this.options.chaos;
        if (chaos !== undefined && timer === undefined && /(?:^|\n)id: /.test(chunk.toString('utf8'))) {
          timer = setTimeout(() => {
            if (!this.#cutting || res.writableEnded) return;
            this.cuts++;
            answer.destroy();
            res.destroy();
          }, chaos.minLifeMs + this.#random() * (chaos.maxLifeMs - chaos.minLifeMs));
        }
        if (!res.write(chunk)) answer.pause();
      });
      res.on('drain', () => answer.resume());
      answer.on('end', () => res.end());
      answer.on('error', () => res.destroy());
      res.on('close', () => {
        clearTimeout(timer);
        this.#open.delete(res);
        answer.destroy();
      });
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
    res.on('close', () => upstream.destroy());
  }
}

function header(message: IncomingMessage, name: string): string | undefined {
  const value = message.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
