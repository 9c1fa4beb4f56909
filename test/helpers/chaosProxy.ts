/**
 * A TCP proxy on 127.0.0.1 that cuts SSE streams at random moments.
 *
 * It forwards bytes both ways unchanged and watches just enough HTTP to know
 * when a connection is carrying a response stream that has already sent an
 * event id (so a client can resume it). From then on it cuts the connection
 * (both sockets destroyed) after a random delay. Requests in flight and
 * plain JSON answers are never cut: a cut there is a different failure
 * (nothing to resume), not what this proxy tests. Seeded, so a failing run
 * can be replayed.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { seededRandom } from './seededRandom.js';

export interface ChaosOptions {
  /** Shortest and longest time a resumable stream lives before it is cut (ms). */
  readonly minLifeMs: number;
  readonly maxLifeMs: number;
  readonly seed: number;
  /** Also cut raw (non-SSE) response bodies of this content type once their first bytes went through. */
  readonly rawContentType?: RegExp;
}

export class ChaosProxy {
  cuts = 0;
  connections = 0;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #random: () => number;
  #cutting = true;

  constructor(
    private readonly targetPort: number,
    private readonly options: ChaosOptions,
  ) {
    this.#random = seededRandom(options.seed);
  }

  /** Starts listening; resolves with the port. */
  async listen(): Promise<number> {
    this.#server = createServer((client) => this.#pipe(client));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as { port: number }).port;
  }

  /** Stops cutting (connections keep flowing). */
  calm(): void {
    this.#cutting = false;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  #pipe(client: Socket): void {
    this.connections++;
    const upstream = connect(this.targetPort, '127.0.0.1');
    this.#sockets.add(client).add(upstream);
    // Per connection: 'request' until an SSE response starts, 'sse' until it sent an event id, then 'cuttable'.
    let state: 'request' | 'sse' | 'sse-raw' | 'cuttable' = 'request';
    let timer: NodeJS.Timeout | undefined;
    const cut = () => {
      if (state !== 'cuttable' || !this.#cutting || client.destroyed) return;
      this.cuts++;
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (data) => {
      // A new request on this (keep-alive) connection: nothing resumable until its answer streams.
      state = 'request';
      clearTimeout(timer);
      if (!upstream.write(data)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (data) => {
      const text = data.toString('latin1');
      if (state === 'request' && /content-type: text\/event-stream/i.test(text)) state = 'sse';
      const raw = this.options.rawContentType;
      if (state === 'request' && raw !== undefined && new RegExp(`content-type: ${raw.source}`, 'i').test(text)) state = 'sse-raw';
      if (state === 'sse-raw' || (state === 'sse' && /(^|\n)id: /.test(text))) {
        state = 'cuttable';
        const { minLifeMs, maxLifeMs } = this.options;
        timer = setTimeout(cut, minLifeMs + this.#random() * (maxLifeMs - minLifeMs));
      }
      // The response ended (last chunk of a chunked body): the client may reuse the connection at once, so
      // cutting now would lose its next request, a different failure from the one under test.
      if (/(^|\r\n)0\r\n\r\n$/.test(text)) {
        state = 'request';
        clearTimeout(timer);
      }
      if (!client.write(data)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const end = () => {
      clearTimeout(timer);
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }
}
