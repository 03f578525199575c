import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { TIMEFRAME_MS, type CandleUpdate } from '@osprey/shared';
import { appRouter, type AppRouter } from '../src/trpc/root.js';
import { ADMIN, HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  app.services.start();
});
afterAll(async () => {
  await app?.close();
});

/** Every procedure path of the router with its type, read from the router itself. */
function procedures(): { path: string; type: 'query' | 'mutation' | 'subscription' }[] {
  return Object.entries(appRouter._def.procedures).map(([path, p]) => ({ path, type: (p as any)._def.type }));
}

const PUBLIC = new Set(['auth.login', 'health.get']);

describe('auth on every procedure', () => {
  it('rejects every non-public query and mutation without a session (UNAUTHORIZED)', async () => {
    const anon = new HttpCaller(app.base);
    const list = procedures().filter((p) => p.type !== 'subscription' && !PUBLIC.has(p.path));
    expect(list.length).toBeGreaterThan(5);
    for (const p of list) {
      const r = await anon.call(p.path, undefined, p.type as 'query' | 'mutation');
      expect({ path: p.path, status: r.status }).toEqual({ path: p.path, status: 401 });
    }
  });

  it('rejects every subscription without a session', async () => {
    const subs = procedures().filter((p) => p.type === 'subscription');
    expect(subs.map((s) => s.path)).toContain('market.onCandle');
    const wsClient = createWSClient({ url: `ws://127.0.0.1:${app.http.port}/trpc`, WebSocket: WebSocket as any });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    try {
      for (const s of subs) {
        const input = s.path === 'market.onCandle' ? { symbol: 'BTC/USDT', timeframe: '15m' } : undefined;
        const err = await new Promise<any>((resolve) => {
          const [a, b] = s.path.split('.') as [string, string];
          const sub = (client as any)[a][b].subscribe(input, {
            onData: () => resolve(new Error('received data without a session')),
            onError: (e: unknown) => {
              sub.unsubscribe();
              resolve(e);
            },
          });
        });
        expect(err?.data?.code, s.path).toBe('UNAUTHORIZED');
      }
    } finally {
      wsClient.close();
    }
  });

  it('health is public and reports db and feed', async () => {
    const res = await fetch(`${app.base}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', db: { kind: 'pglite', ok: true }, feed: { kind: 'replay', exchange: 'binance' } });
  });

  it('serves a favicon', async () => {
    const res = await fetch(`${app.base}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('image/');
  });
});

describe('login', () => {
  it('sets an HttpOnly SameSite cookie and returns the user without the hash', async () => {
    const c = new HttpCaller(app.base);
    const r = await c.call('auth.login', ADMIN, 'mutation');
    expect(r.status).toBe(200);
    expect(r.setCookie).toMatch(/^osprey_session=[^;]{40,};/);
    expect(r.setCookie).toMatch(/HttpOnly/i);
    expect(r.setCookie).toMatch(/SameSite=Strict/i);
    expect(r.body.result.data).toMatchObject({ email: ADMIN.email, role: 'admin' });
    expect(JSON.stringify(r.body)).not.toMatch(/argon2|passwordHash/);
    const me = await c.call('auth.me', undefined, 'query');
    expect(me.body.result.data.email).toBe(ADMIN.email);
  });

  it('answers unknown email and wrong password with the same generic error', async () => {
    const c = new HttpCaller(app.base);
    const a = await c.call('auth.login', { email: 'nobody@test.local', password: 'whatever-123' }, 'mutation');
    const b = await c.call('auth.login', { email: ADMIN.email, password: 'wrong-password' }, 'mutation');
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body.error.message).toBe('Invalid email or password');
    expect(b.body.error.message).toBe(a.body.error.message);
  });

  it('rejects a malformed email naming the field', async () => {
    const r = await new HttpCaller(app.base).call('auth.login', { email: 'not-an-email', password: 'x' }, 'mutation');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^email: /);
    expect(r.body.error.data.fieldErrors).toHaveProperty('email');
  });

  it('rate-limits repeated failures for one email, even with the right password afterwards', async () => {
    const user = { email: 'victim@test.local', password: 'victim-password-1' };
    await app.services.auth.addUser(user.email, user.password, 'trader');
    const c = new HttpCaller(app.base);
    for (let i = 0; i < 5; i++) {
      const r = await c.call('auth.login', { email: user.email, password: `bad-${i}` }, 'mutation');
      expect(r.status).toBe(401);
    }
    const blocked = await c.call('auth.login', user, 'mutation');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toMatch(/too many login attempts/i);
  });

  it('logout invalidates the session server-side', async () => {
    const c = new HttpCaller(app.base);
    await c.login(ADMIN.email, ADMIN.password);
    const stolen = c.cookie;
    expect((await c.call('auth.logout', undefined, 'mutation')).status).toBe(200);
    c.cookie = stolen;
    expect((await c.call('auth.me', undefined, 'query')).status).toBe(401);
  });

  it('never logs passwords or session tokens', async () => {
    const c = new HttpCaller(app.base);
    await c.login(ADMIN.email, ADMIN.password);
    const token = c.cookie.split('=')[1]!;
    const all = app.logs.join('\n');
    expect(all).not.toContain(ADMIN.password);
    expect(all).not.toContain(token);
  });
});

describe('users (admin only)', () => {
  it('lets an admin add a trader, and forbids the trader from adding users', async () => {
    const admin = new HttpCaller(app.base);
    await admin.login(ADMIN.email, ADMIN.password);
    const add = await admin.call('users.add', { email: 'Trader@Test.local', password: 'trader-password-1', role: 'trader' }, 'mutation');
    expect(add.status).toBe(200);
    expect(add.body.result.data).toMatchObject({ email: 'trader@test.local', role: 'trader' });
    const dup = await admin.call('users.add', { email: 'trader@test.local', password: 'trader-password-1', role: 'trader' }, 'mutation');
    expect(dup.status).toBe(409);
    const short = await admin.call('users.add', { email: 'x@test.local', password: 'short', role: 'trader' }, 'mutation');
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/^password: /);

    const trader = new HttpCaller(app.base);
    await trader.login('trader@test.local', 'trader-password-1');
    expect((await trader.call('users.add', { email: 'y@test.local', password: 'another-password', role: 'admin' }, 'mutation')).status).toBe(403);
    expect((await trader.call('users.list', undefined, 'query')).status).toBe(403);
    expect((await trader.call('market.overview', undefined, 'query')).status).toBe(200);
  });
});

describe('market over the API', () => {
  it('serves only candles closed at market time, with indicators and the forming candle', async () => {
    const c = new HttpCaller(app.base);
    await c.login(ADMIN.email, ADMIN.password);
    const r = await c.call('market.candles', { symbol: 'BTC/USDT', timeframe: '15m', limit: 500 }, 'query');
    expect(r.status).toBe(200);
    const { candles, forming } = r.body.result.data;
    const now = app.services.market.now();
    expect(candles).toHaveLength(500);
    const last = candles.at(-1);
    expect(last.ts + TIMEFRAME_MS['15m']).toBeLessThanOrEqual(now);
    expect(last.ind.ema_55).toBeTypeOf('number');
    expect(last.ind.adx_14).toBeTypeOf('number');
    if (forming) expect(forming.ts).toBeGreaterThan(last.ts);
  });

  it('rejects an unknown symbol and a malformed one with the field named', async () => {
    const c = new HttpCaller(app.base);
    await c.login(ADMIN.email, ADMIN.password);
    const bad = await c.call('market.candles', { symbol: 'btcusdt', timeframe: '15m' }, 'query');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^symbol: /);
    const unknown = await c.call('market.candles', { symbol: 'DOGE/USDT', timeframe: '15m' }, 'query');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/symbol: DOGE\/USDT is not tracked/);
  });

  it('has past detector signals at start-up, none from the future', async () => {
    const c = new HttpCaller(app.base);
    await c.login(ADMIN.email, ADMIN.password);
    const r = await c.call('market.signals', { symbol: 'BTC/USDT' }, 'query');
    const list = r.body.result.data as { candleTs: number; score: number; type: string }[];
    expect(list.length).toBeGreaterThan(0);
    const now = app.services.market.now();
    for (const s of list) {
      expect(s.candleTs + TIMEFRAME_MS['15m']).toBeLessThanOrEqual(now);
      expect(s.score).toBeGreaterThanOrEqual(15);
      expect(['LONG', 'SHORT']).toContain(s.type);
    }
  });

  it('streams forming updates and closes over WebSocket to a logged-in client', async () => {
    const c = new HttpCaller(app.base);
    await c.login(ADMIN.email, ADMIN.password);
    class CookieWS extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { cookie: c.cookie } });
      }
    }
    const wsClient = createWSClient({ url: `ws://127.0.0.1:${app.http.port}/trpc`, WebSocket: CookieWS as any });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    const seen: CandleUpdate[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no close within 20 s; got ${seen.length} updates`)), 20_000);
        const sub = client.market.onCandle.subscribe(
          { symbol: 'BTC/USDT', timeframe: '15m' },
          {
            onData: (u) => {
              seen.push(u as CandleUpdate);
              if (seen.some((x) => !x.closed) && seen.some((x) => x.closed)) {
                clearTimeout(timer);
                sub.unsubscribe();
                resolve();
              }
            },
            onError: (e) => reject(e),
          },
        );
      });
    } finally {
      wsClient.close();
    }
    const closed = seen.find((x) => x.closed)!;
    expect(closed.symbol).toBe('BTC/USDT');
    expect(closed.candle.ind.ema_9).toBeTypeOf('number');
    // The closed candle is the real stored one.
    const stored = await app.services.market.candles({ symbol: 'BTC/USDT', timeframe: '15m', from: closed.candle.ts, to: closed.candle.ts, limit: 1 });
    expect(stored.candles[0]).toMatchObject({ ts: closed.candle.ts, open: closed.candle.open, high: closed.candle.high, low: closed.candle.low, close: closed.candle.close });
  });
});
