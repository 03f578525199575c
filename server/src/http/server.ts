import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { WebSocketServer } from 'ws';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { appRouter } from '../trpc/root.js';
import { createContext } from '../trpc/context.js';
import { errorIdOf, isHiddenInternal } from '../trpc/init.js';
import type { Services } from '../services/container.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Built SPA served at `/`. */
export const CLIENT_DIST = path.resolve(here, '../../../client/dist');
const FAVICON = readFileSync(path.resolve(here, '../../assets/favicon.svg'));

/** Largest request body the API reads (bytes); larger ones get 413 before their body is read. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Procedures that may not be sent in a batch: one password check per HTTP request. */
const UNBATCHABLE = new Set(['auth.login']);

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

/** A running HTTP + WebSocket server. */
export interface HttpServer {
  server: Server;
  /** Bound port (useful with PORT=0 in tests). */
  port: number;
  /** Stops accepting, closes sockets and subscriptions. */
  close(): Promise<void>;
}

/**
 * Starts the server: `/health`, `/favicon.ico`, tRPC over HTTP at `/trpc`, tRPC subscriptions over
 * WebSocket at `/trpc`, and the SPA (client/dist) with index.html fallback.
 */
export async function startHttpServer(services: Services, port: number, host: string): Promise<HttpServer> {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    createContext: ({ req, res }) => createContext(services, req, (v) => appendCookie(res, v)),
    maxBodySize: MAX_BODY_BYTES,
    onError: ({ error, path: p }) => logInternal(services, error, p),
  });
  const spa = existsSync(CLIENT_DIST) ? sirv(CLIENT_DIST, { single: true, etag: true, gzip: false }) : undefined;

  const server = createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = req.url ?? '/';
    if (url === '/health' || url.startsWith('/health?')) return void health(services, res);
    if (url === '/favicon.ico') {
      res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=86400' });
      return void res.end(FAVICON);
    }
    if (url.startsWith('/trpc/')) {
      const refusal = refuseRequest(req);
      if (refusal) return void sendJsonError(res, refusal.status, refusal.message);
      return void trpc(req, res);
    }
    if (spa) return spa(req, res);
    res.writeHead(503, { 'Content-Type': 'text/plain' });
    res.end('The web client is not built: run `pnpm start` (it builds client/dist).');
  });

  // Idle keep-alive sockets are closed after 65 s (Node's default is 5 s): a client that sends its next request
  // just as a short timer fires gets ECONNRESET, and a busy event loop makes that race likely.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const wss = new WebSocketServer({ noServer: true });
  const wsHandler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: ({ req }) => createContext(services, req as IncomingMessage, undefined),
    onError: ({ error, path: p }) => logInternal(services, error, p),
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
  });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/trpc') || !sameOrigin(req)) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close() {
      wsHandler.broadcastReconnectNotification();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Logs an internal error once with the id its client saw (see `errorIdOf`); other errors are the caller's. */
function logInternal(services: Services, error: Parameters<typeof isHiddenInternal>[0], p: string | undefined): void {
  if (error.code !== 'INTERNAL_SERVER_ERROR') return;
  services.log.error({ err: error.cause ?? error, path: p, errorId: errorIdOf(error) }, 'tRPC internal error');
}

/**
 * Checks an API request before anything of its body is read: a declared body above {@link MAX_BODY_BYTES}
 * (413; a body without Content-Length is cut off by tRPC's own limit while streaming), or a batch that
 * holds an unbatchable procedure such as `auth.login` (400).
 * @returns the refusal, or null to go on
 */
export function refuseRequest(req: IncomingMessage): { status: number; message: string } | null {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return { status: 413, message: `Request body too large (limit ${MAX_BODY_BYTES} bytes)` };
  const pathPart = (req.url ?? '').slice('/trpc/'.length).split('?')[0] ?? '';
  let paths: string[];
  try {
    paths = decodeURIComponent(pathPart).split(',');
  } catch {
    return { status: 400, message: 'Malformed request path' };
  }
  if (paths.length > 1 && paths.some((x) => UNBATCHABLE.has(x))) return { status: 400, message: 'auth.login cannot be batched; send it alone' };
  return null;
}

/** Answers with a tRPC-shaped error body and closes the connection (the unread body is not waited for). */
function sendJsonError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: { message, code: -32_600, data: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', httpStatus: status } } });
  res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
  res.end(body);
}

async function health(services: Services, res: ServerResponse): Promise<void> {
  const body = await services.health();
  res.writeHead(body.status === 'ok' ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Refuses cross-site WebSocket handshakes (CSWSH): a browser always sends Origin, and it must name the
 * host the page was served from. Non-browser clients (no Origin) are allowed; they still need the cookie.
 */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function appendCookie(res: ServerResponse, value: string): void {
  const prev = res.getHeader('Set-Cookie');
  const list = Array.isArray(prev) ? prev : prev ? [String(prev)] : [];
  res.setHeader('Set-Cookie', [...list, value]);
}
