/**
 * The HTTP scaffold the fake 1C, Bitrix24 and amoCRM share: listen on 127.0.0.1 (port 0), read a
 * request's body whole, answer JSON, check Basic or Bearer credentials, count requests, and
 * stop with open connections cut. A fake holds its answers while a test watches a stage that
 * would otherwise pass too fast to see (`hold()`), or answers each after `latencyMs`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as a fake answers it: its method, URL, headers and whole body. */
export interface FakeRequest {
  readonly method: string;
  readonly url: URL;
  readonly raw: IncomingMessage;
  readonly body: Buffer;
}

export abstract class FakeHttpServer {
  /** The address clients use: `http://127.0.0.1:<port>` and the fake's base path. */
  url = '';
  /** HTTP requests received (every one, refused or not). */
  received = 0;
  /** Wait this long before answering each request (a slow system: a sync long enough to watch). */
  latencyMs = 0;
  private held: Promise<void> | null = null;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  /** @param basePath appended to the origin in `url` (1C's publication, `/trade`). */
  constructor(private readonly basePath = '') {}

  /** Answers a request (the body is read; the hold and the latency are waited out). */
  protected abstract answer(request: FakeRequest, res: ServerResponse): Promise<void> | void;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.receive(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.basePath}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.held = null;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Holds every answer until the returned function is called (requests arriving meanwhile wait). */
  hold(): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.held = held;
    return () => {
      if (this.held === held) this.held = null;
      release();
    };
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.received++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.held) await this.held;
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    await this.answer({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://x'), raw: req, body: Buffer.concat(chunks) }, res);
  }
}

/** Answers `body` as JSON text (or nothing, for a 204) with the content type given. */
export function sendJson(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
}

/** Whether the request carries `Authorization: Bearer <token>`. */
export const hasBearer = (request: FakeRequest, token: string): boolean => request.raw.headers.authorization === `Bearer ${token}`;

/** Whether the request carries HTTP Basic credentials of this user and password (UTF-8, as 1C takes them). */
export const hasBasic = (request: FakeRequest, user: string, password: string): boolean =>
  request.raw.headers.authorization === `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
