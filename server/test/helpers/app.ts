import { Writable } from 'node:stream';
import { loadEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/adapters/log.js';
import { createServices, type Services } from '../../src/services/container.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';

/** Postgres used by integration tests (trust auth on this machine kind). */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Admin seeded into every test app. */
export const ADMIN = { email: 'admin@test.local', password: 'admin-password-1' };

/** A running app (services + HTTP) for integration tests, with captured log lines. */
export interface TestApp {
  services: Services;
  http: HttpServer;
  base: string;
  logs: string[];
  close(): Promise<void>;
}

/**
 * Starts the real server on an in-memory PGlite (or `DATABASE_URL` from `env`) on a random port, with
 * the replay feed over the shipped data. Logs are captured, not printed.
 */
export async function startTestApp(env: Record<string, string> = {}, opts: Parameters<typeof createServices>[2] = {}): Promise<TestApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const parsed = loadEnv({
    OSPREY_DATA_DIR: 'memory://',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    OSPREY_SYMBOLS: 'BTC/USDT',
    OSPREY_REPLAY_START: '2024-08-05T00:00:00Z',
    OSPREY_REPLAY_SPEED: '600',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const services = await createServices(parsed, createLogger('debug', sink), opts);
  const http = await startHttpServer(services, 0, '127.0.0.1');
  return {
    services,
    http,
    base: `http://127.0.0.1:${http.port}`,
    logs,
    async close() {
      await http.close();
      await services.close();
    },
  };
}

/** Minimal cookie-keeping tRPC-over-HTTP caller for tests (real HTTP, real cookies). */
export class HttpCaller {
  cookie = '';
  constructor(private readonly base: string) {}

  /** Calls a query (GET) or mutation (POST). @returns parsed JSON body and status */
  async call(path: string, input: unknown, kind: 'query' | 'mutation'): Promise<{ status: number; body: any; setCookie: string | null }> {
    const url = `${this.base}/trpc/${path}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cookie) headers.cookie = this.cookie;
    const res =
      kind === 'query'
        ? await fetch(input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
        : await fetch(url, { method: 'POST', headers, body: JSON.stringify(input ?? null) });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    return { status: res.status, body: await res.json(), setCookie };
  }

  /** Logs in with the given credentials; throws unless HTTP 200. */
  async login(email: string, password: string): Promise<void> {
    const r = await this.call('auth.login', { email, password }, 'mutation');
    if (r.status !== 200) throw new Error(`login failed: ${JSON.stringify(r.body)}`);
  }
}
