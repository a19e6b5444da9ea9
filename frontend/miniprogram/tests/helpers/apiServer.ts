/**
 * A scripted HTTP server on 127.0.0.1 standing in for the Django API in unit tests.
 * Tests register handlers per "METHOD /path" and read back every request it received.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  /** The JSON body when there was one. */
  json: any;
  /** Multipart fields (text) and files, when the body was multipart/form-data. */
  fields: Record<string, string>;
  files: Record<string, { filename: string; contentType: string; data: Buffer }>;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** Raw text instead of JSON (e.g. a proxy's HTML error page). */
  text?: string;
  headers?: Record<string, string>;
  /** Wait before answering, to overlap concurrent requests. */
  delayMs?: number;
}

export type Handler = (req: ReceivedRequest) => Reply | Promise<Reply>;

function parseMultipart(raw: Buffer, contentType: string): Pick<ReceivedRequest, 'fields' | 'files'> {
  const fields: Record<string, string> = {};
  const files: ReceivedRequest['files'] = {};
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return { fields, files };
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = raw.subarray(start + delimiter.length + 2, next - 2); // skip CRLFs
    const headerEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headerEnd).toString('utf8');
    const body = part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (filename !== undefined) {
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? '';
      files[name] = { filename, contentType: type, data: Buffer.from(body) };
    } else {
      fields[name] = body.toString('utf8');
    }
    start = next;
  }
  return { fields, files };
}

export class FakeApiServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly handlers = new Map<string, Handler>();
  private server: http.Server | null = null;
  baseUrl = '';

  on(method: string, path: string, handler: Handler | Reply): this {
    this.handlers.set(`${method.toUpperCase()} ${path}`, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  /** Answers the given replies in turn, repeating the last one. */
  sequence(method: string, path: string, replies: Reply[]): this {
    let i = 0;
    return this.on(method, path, () => replies[Math.min(i++, replies.length - 1)]);
  }

  reset(): void {
    this.handlers.clear();
    this.requests.length = 0;
  }

  requestsTo(method: string, path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.method === method.toUpperCase() && r.path === path);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void this.handle(req, Buffer.concat(chunks), res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const contentType = String(req.headers['content-type'] ?? '');
    let json: any;
    if (contentType.startsWith('application/json') && raw.length) {
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        json = undefined;
      }
    }
    const multipart = contentType.startsWith('multipart/form-data')
      ? parseMultipart(raw, contentType)
      : { fields: {}, files: {} };
    const received: ReceivedRequest = {
      method: String(req.method),
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      raw,
      json,
      ...multipart,
    };
    this.requests.push(received);
    const handler = this.handlers.get(`${received.method} ${received.path}`);
    const reply: Reply = handler
      ? await handler(received)
      : { status: 404, body: { error: { code: 'not_found', message: 'Not found.', details: {} } } };
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const status = reply.status ?? 200;
    if (reply.text !== undefined) {
      res.writeHead(status, { 'Content-Type': 'text/html', ...reply.headers });
      res.end(reply.text);
    } else if (status === 204) {
      res.writeHead(204, reply.headers);
      res.end();
    } else {
      res.writeHead(status, { 'Content-Type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
    }
  }
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}) {
  return { error: { code, message, details } };
}
