/**
 * The live pages: a run's own (`andon --serve`), updated as jobs settle over Server-Sent
 * Events, showing the report's timeline growing, the counts, rate and ETA, the failures with
 * the tail of their output, and a stop button that does what `andon stop` does; and every
 * run's (`andon serve`), with a stop button per run.
 *
 * A stop button on a network is a weapon, so: the server binds to 127.0.0.1 unless told
 * otherwise; every request needs the run's random token (given with the URL at start, as
 * Jupyter does, and compared in constant time); a stop is a POST that must carry the token in
 * a header and come from the page's own origin; the token goes nowhere else (no log, no job
 * log). A cross-origin page can neither read the events (no CORS headers) nor stop the run.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FailureTail } from './failure-tails.js';

/** What the page shows at a moment. */
export interface LiveSnapshot {
  readonly title: string;
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  readonly total: number | undefined;
  /** Jobs per second so far. */
  readonly rate: number;
  /** Seconds left, if it can be told. */
  readonly etaSeconds: number | undefined;
  readonly state: 'running' | 'stopping' | 'forcing' | 'ended';
  /**
   * Which rendering of the report (the timeline of the jobs settled so far) is current: the
   * page fetches `/report` when it changes. Re-rendered at most every second, or less often
   * if rendering takes long, so a big run's timeline lags a little but never falls behind.
   */
  readonly reportVersion: number;
  /** The report itself, in the last snapshot only: the server closes with the run. */
  readonly reportHtml?: string;
  /** The latest failures, each with the tail of its output. */
  readonly failures: readonly FailureTail[];
}

/** Where to listen, what page to serve, and what a stop does. */
export interface LiveServerOptions {
  readonly host: string;
  /** 0 for any free port. */
  readonly port: number;
  /** The page's HTML: it reads its token from its own URL and listens to `/events` with it. */
  readonly page: string;
  /**
   * A stop posted by the page, its JSON body as given (`{"force": true}`, and which run on an
   * overview page); resolves with the answer the page gets, or rejects with an error whose
   * message the page shows (409).
   */
  readonly stop: (request: { readonly [field: string]: unknown }) => unknown;
  /**
   * Further pages by path (`/report`), each token-checked as the rest; what a snapshot would
   * make too big to send at every update is fetched from here when it changes.
   */
  readonly documents?: { readonly [path: string]: (query: URLSearchParams) => string | Promise<string> };
}

/** The longest stop request read: `{"force":true,"run":"…"}` is under 100 bytes. */
const MAX_BODY_BYTES = 1024;
/** Updates go out at most this often, however fast jobs settle. */
const UPDATE_MS = 250;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Serves a live page: one run's (`andon --serve`), or every run's (`andon serve`). */
export class LiveServer<Snapshot = LiveSnapshot> {
  readonly #options: LiveServerOptions;
  readonly #token = randomBytes(24).toString('base64url');
  readonly #clients = new Set<ServerResponse>();
  readonly #server: Server;
  #snapshot: () => Snapshot;
  #origin = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LiveServerOptions, snapshot: () => Snapshot) {
    this.#options = options;
    this.#snapshot = snapshot;
    this.#server = createServer((request, response) => this.#handle(request, response));
  }

  /** Starts listening; resolves with the page's URL, token included. */
  async listen(): Promise<string> {
    const { host, port } = this.#options;
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    this.#server.unref();
    const address = this.#server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#origin = `http://${shown}:${address.port}`;
    return `${this.#origin}/?token=${this.#token}`;
  }

  /** Something changed: the page hears of it within UPDATE_MS. */
  changed(): void {
    if (this.#timer !== undefined || this.#clients.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#broadcast();
    }, UPDATE_MS);
    this.#timer.unref();
  }

  /** The run is over: every page gets the final state, then the server closes. */
  close(final: () => Snapshot): void {
    this.#snapshot = final;
    clearTimeout(this.#timer);
    this.#broadcast();
    for (const client of this.#clients) client.end();
    this.#server.close();
    this.#server.closeAllConnections();
  }

  #broadcast(): void {
    const message = `data: ${JSON.stringify(this.#snapshot())}\n\n`;
    for (const client of this.#clients) client.write(message);
  }

  #authorised(given: string | null | undefined): boolean {
    return typeof given === 'string' && timingSafeEqual(digest(given), digest(this.#token));
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://page');
    const token = request.method === 'POST' ? request.headers['x-andon-token'] : url.searchParams.get('token');
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (!this.#authorised(Array.isArray(token) ? token[0] : token)) {
      response
        .writeHead(401, { 'Content-Type': 'text/plain' })
        .end('andon: this page needs the token printed with its URL\n');
      return;
    }
    if (request.method === 'GET' && url.pathname === '/') {
      response.setHeader(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-src 'self'",
      );
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(this.#options.page);
    } else if (request.method === 'GET' && url.pathname === '/events') this.#subscribe(response);
    else if (request.method === 'GET' && Object.hasOwn(this.#options.documents ?? {}, url.pathname)) {
      response.setHeader(
        'Content-Security-Policy',
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
      );
      const document = this.#options.documents![url.pathname]!;
      Promise.resolve()
        .then(() => document(url.searchParams))
        .then(
          (html) => response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html),
          (error: Error) => response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`andon: ${error.message}\n`),
        );
    } else if (request.method === 'POST' && url.pathname === '/stop') this.#stopRequest(request, response);
    else response.writeHead(404, { 'Content-Type': 'text/plain' }).end('andon: no such page\n');
  }

  #subscribe(response: ServerResponse): void {
    response.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    response.write(`data: ${JSON.stringify(this.#snapshot())}\n\n`);
    this.#clients.add(response);
    response.on('close', () => this.#clients.delete(response));
  }

  /** A stop: only from the page's own origin, since a cross-site form could post here too. */
  #stopRequest(request: IncomingMessage, response: ServerResponse): void {
    if (request.headers.origin !== this.#origin) {
      response
        .writeHead(403, { 'Content-Type': 'text/plain' })
        .end("andon: a stop must come from the run's own page\n");
      return;
    }
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (text: string) => {
      body += text;
      if (body.length > MAX_BODY_BYTES) request.destroy();
    });
    request.on('end', () => {
      let asked: unknown;
      try {
        asked = JSON.parse(body);
      } catch {
        asked = undefined;
      }
      if (typeof asked !== 'object' || asked === null || Array.isArray(asked)) {
        response.writeHead(400, { 'Content-Type': 'text/plain' }).end('andon: a stop is {"force": false|true}\n');
        return;
      }
      const answer = (async () => this.#options.stop(asked as { readonly [field: string]: unknown }))();
      answer.then(
        (state) => {
          response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ state }));
          this.changed();
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          response.writeHead(409, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: message }));
        },
      );
    });
  }
}
