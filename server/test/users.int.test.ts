/**
 * User management over real HTTP: an admin disables, re-enables, changes the role of, resets the password of
 * and deletes users; a user changes their own password and lists and revokes their sessions. A disabled
 * user's sessions stop working at their very next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

let app: TestApp;
let admin: HttpCaller;

beforeAll(async () => {
  app = await startTestApp();
  admin = new HttpCaller(app.base);
  await admin.login(ADMIN.email, ADMIN.password);
});
afterAll(async () => {
  await app?.close();
});

async function addUser(email: string, password: string, role: 'admin' | 'trader' = 'trader'): Promise<string> {
  const r = await admin.call('users.add', { email, password, role }, 'mutation');
  expect(r.status).toBe(200);
  return r.body.result.data.id as string;
}

describe('admin actions', () => {
  it('disabling ends the user\'s sessions at once and blocks login; enabling lets them back in', async () => {
    const id = await addUser('dis@test.local', 'dis-password-12');
    const a = new HttpCaller(app.base);
    const b = new HttpCaller(app.base);
    await a.login('dis@test.local', 'dis-password-12');
    await b.login('dis@test.local', 'dis-password-12');
    expect((await a.call('auth.me', undefined, 'query')).status).toBe(200);

    const r = await admin.call('users.setDisabled', { userId: id, disabled: true }, 'mutation');
    expect(r.status).toBe(200);
    expect(r.body.result.data.disabledAt).toBeTypeOf('number');
    expect((await a.call('auth.me', undefined, 'query')).status).toBe(401);
    expect((await b.call('market.overview', undefined, 'query')).status).toBe(401);
    const again = await new HttpCaller(app.base).call('auth.login', { email: 'dis@test.local', password: 'dis-password-12' }, 'mutation');
    expect(again.status).toBe(401);
    expect(again.body.error.message).toMatch(/disabled/);
    // A wrong password still gets the generic answer: a guesser learns nothing.
    const wrong = await new HttpCaller(app.base).call('auth.login', { email: 'dis@test.local', password: 'nope-nope-nope' }, 'mutation');
    expect(wrong.body.error.message).toBe('Invalid email or password');

    expect((await admin.call('users.setDisabled', { userId: id, disabled: false }, 'mutation')).status).toBe(200);
    await new HttpCaller(app.base).login('dis@test.local', 'dis-password-12');
  });

  it('changes a role, and keeps at least one enabled admin', async () => {
    const id = await addUser('promo@test.local', 'promo-password-1');
    const up = await admin.call('users.setRole', { userId: id, role: 'admin' }, 'mutation');
    expect(up.body.result.data.role).toBe('admin');
    const promo = new HttpCaller(app.base);
    await promo.login('promo@test.local', 'promo-password-1');
    expect((await promo.call('users.list', undefined, 'query')).status).toBe(200);
    expect((await admin.call('users.setRole', { userId: id, role: 'trader' }, 'mutation')).status).toBe(200);
    expect((await promo.call('users.list', undefined, 'query')).status).toBe(403);

    const me = (await admin.call('auth.me', undefined, 'query')).body.result.data.id as string;
    const last = await admin.call('users.setRole', { userId: me, role: 'trader' }, 'mutation');
    expect(last.status).toBe(409);
    expect(last.body.error.message).toMatch(/last enabled admin/);
    expect((await admin.call('users.setDisabled', { userId: me, disabled: true }, 'mutation')).status).toBe(409);
    expect((await admin.call('users.remove', { userId: me }, 'mutation')).status).toBe(409);
  });

  it('resets a password (generated, shown once), ending the user\'s sessions', async () => {
    const id = await addUser('reset@test.local', 'reset-password-1');
    const u = new HttpCaller(app.base);
    await u.login('reset@test.local', 'reset-password-1');
    const r = await admin.call('users.resetPassword', { userId: id }, 'mutation');
    const pw = r.body.result.data.generatedPassword as string;
    expect(pw.length).toBeGreaterThanOrEqual(12);
    expect((await u.call('auth.me', undefined, 'query')).status).toBe(401);
    expect((await new HttpCaller(app.base).call('auth.login', { email: 'reset@test.local', password: 'reset-password-1' }, 'mutation')).status).toBe(401);
    await new HttpCaller(app.base).login('reset@test.local', pw);
    expect(app.logs.join('\n')).not.toContain(pw);
  });

  it('deletes a user, but not one with a running bot', async () => {
    const id = await addUser('gone@test.local', 'gone-password-1');
    const u = new HttpCaller(app.base);
    await u.login('gone@test.local', 'gone-password-1');
    const acc = await u.call('accounts.create', { name: 'Paper', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation');
    expect(acc.status).toBe(200);
    const bot = await u.call(
      'bots.create',
      { name: 'Grid', accountId: acc.body.result.data.id, config: { type: 'grid', marketType: 'spot', grid: { symbol: 'BTC/USDT' } } },
      'mutation',
    );
    expect(bot.status).toBe(200);
    expect((await u.call('bots.start', { id: bot.body.result.data.id }, 'mutation')).status).toBe(200);

    const refused = await admin.call('users.remove', { userId: id }, 'mutation');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/1 running bot \(Grid\)/);

    expect((await u.call('bots.stop', { id: bot.body.result.data.id, cancelOrders: true }, 'mutation')).status).toBe(200);
    expect((await admin.call('users.remove', { userId: id }, 'mutation')).status).toBe(200);
    const list = (await admin.call('users.list', undefined, 'query')).body.result.data as { email: string }[];
    expect(list.map((x) => x.email)).not.toContain('gone@test.local');
    expect((await u.call('auth.me', undefined, 'query')).status).toBe(401);
  });

  it('is admin-only', async () => {
    const id = await addUser('plain@test.local', 'plain-password-1');
    const u = new HttpCaller(app.base);
    await u.login('plain@test.local', 'plain-password-1');
    for (const [path, input] of [
      ['users.setRole', { userId: id, role: 'admin' }],
      ['users.setDisabled', { userId: id, disabled: true }],
      ['users.remove', { userId: id }],
      ['users.resetPassword', { userId: id }],
    ] as const) {
      expect((await u.call(path, input, 'mutation')).status, path).toBe(403);
    }
  });
});

describe('your own account', () => {
  it('changes your password (checking the current one) and ends your other sessions', async () => {
    await addUser('self@test.local', 'self-password-12');
    const here = new HttpCaller(app.base);
    const other = new HttpCaller(app.base);
    await here.login('self@test.local', 'self-password-12');
    await other.login('self@test.local', 'self-password-12');

    const wrong = await here.call('auth.changePassword', { currentPassword: 'not-it-at-all', newPassword: 'self-password-new' }, 'mutation');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/^currentPassword: /);
    const short = await here.call('auth.changePassword', { currentPassword: 'self-password-12', newPassword: 'short' }, 'mutation');
    expect(short.body.error.data.fieldErrors).toHaveProperty('newPassword');

    expect((await here.call('auth.changePassword', { currentPassword: 'self-password-12', newPassword: 'self-password-new' }, 'mutation')).status).toBe(200);
    expect((await here.call('auth.me', undefined, 'query')).status).toBe(200);
    expect((await other.call('auth.me', undefined, 'query')).status).toBe(401);
    await new HttpCaller(app.base).login('self@test.local', 'self-password-new');
  });

  it('lists your sessions with the current one marked, and revokes another', async () => {
    await addUser('sess@test.local', 'sess-password-12');
    const a = new HttpCaller(app.base);
    const b = new HttpCaller(app.base);
    await a.login('sess@test.local', 'sess-password-12');
    await b.login('sess@test.local', 'sess-password-12');
    const list = (await a.call('auth.sessions', undefined, 'query')).body.result.data as { id: string; current: boolean; ip: string | null; lastSeenAt: number | null }[];
    expect(list).toHaveLength(2);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    expect(list[0]!.ip).toMatch(/127\.0\.0\.1/);
    expect(JSON.stringify(list)).not.toContain(a.cookie.split('=')[1]!);
    const otherId = list.find((s) => !s.current)!.id;
    expect((await a.call('auth.revokeSession', { sessionId: otherId }, 'mutation')).status).toBe(200);
    expect((await b.call('auth.me', undefined, 'query')).status).toBe(401);
    expect((await a.call('auth.me', undefined, 'query')).status).toBe(200);
    // Someone else's session id is not yours to revoke.
    const adminSessions = (await admin.call('auth.sessions', undefined, 'query')).body.result.data as { id: string }[];
    expect((await a.call('auth.revokeSession', { sessionId: adminSessions[0]!.id }, 'mutation')).status).toBe(404);
  });
});
