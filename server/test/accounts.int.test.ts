import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import type { AccountDeletionCheck, BotView, PublicAccount, TradeView } from '@osprey/shared';
import type { Balance, ExchangeAdapter } from '../src/domain/exchange/port.js';
import { ManualClock } from '../src/domain/ports.js';
import { bots, orders, trades } from '../src/adapters/db/schema/index.js';
import { ReplayDriver } from './helpers/replay-driver.js';
import { AuthExchangeError, TemporaryExchangeError } from '../src/domain/exchange/errors.js';
import type { AccountRef, AccountSecrets, ExchangeFactory } from '../src/services/accounts-service.js';
import { ADMIN, HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

/**
 * A stand-in venue behind the ExchangeAdapter port: answers balances for the one key it knows and throws the
 * port's errors otherwise, as a real adapter translates venue errors.
 */
class StubVenue implements Pick<ExchangeAdapter, 'id' | 'marketType' | 'fetchBalance' | 'close'> {
  readonly id: string;
  readonly marketType: AccountRef['marketType'];
  closed = false;
  constructor(
    readonly account: AccountRef,
    readonly secrets: AccountSecrets | null,
  ) {
    this.id = account.exchange;
    this.marketType = account.marketType;
  }
  async fetchBalance(): Promise<Balance[]> {
    if (this.account.mode === 'paper') return [{ currency: 'USDT', free: '10000', used: '0', total: '10000' }];
    switch (this.secrets?.apiKey) {
      case GOOD.apiKey:
        if (this.secrets.secret !== GOOD.secret) throw new AuthExchangeError('AUTH', 'okx: Invalid Sign');
        return [
          { currency: 'USDT', free: '1234.5', used: '10', total: '1244.5' },
          { currency: 'DOGE', free: '0', used: '0', total: '0' },
        ];
      case 'IPBLOCKED-KEY-0000':
        throw new AuthExchangeError('IP_NOT_ALLOWED', 'okx: IP not in whitelist');
      case 'OFFLINE-KEY-00000':
        throw new TemporaryExchangeError('NETWORK', 'okx: getaddrinfo ENOTFOUND www.okx.com');
      default:
        throw new AuthExchangeError('AUTH', 'okx: Invalid OK-ACCESS-KEY');
    }
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const GOOD = { apiKey: 'AKIA-live-key-7f3c9d2e1b', secret: 'S3cr3t-live-9a8b7c6d5e4f3a2b1c', passphrase: 'PhraseOfTheLiveKey-42' };
const opened: StubVenue[] = [];
const stubFactory: ExchangeFactory = (account, secrets) => {
  const v = new StubVenue(account, secrets);
  opened.push(v);
  return v as unknown as ExchangeAdapter;
};

let app: TestApp;
let alice: HttpCaller;
let bob: HttpCaller;

const liveInput = (over: Record<string, unknown> = {}) => ({ name: 'OKX main', exchange: 'okx', marketType: 'swap', mode: 'live', ...GOOD, ...over });

beforeAll(async () => {
  app = await startTestApp({}, { exchangeFactory: stubFactory });
  await app.services.auth.addUser('alice@test.local', 'alice-password-1', 'trader');
  await app.services.auth.addUser('bob@test.local', 'bob-password-12', 'trader');
  alice = new HttpCaller(app.base);
  await alice.login('alice@test.local', 'alice-password-1');
  bob = new HttpCaller(app.base);
  await bob.login('bob@test.local', 'bob-password-12');
});
afterAll(async () => {
  await app?.close();
});

const data = (r: { body: any }) => r.body.result.data;

describe('accounts: secrets', () => {
  let id: string;

  it('creates a live account and answers with the key hint only', async () => {
    const r = await alice.call('accounts.create', liveInput(), 'mutation');
    expect(r.status).toBe(200);
    const acc = data(r);
    id = acc.id;
    expect(acc).toEqual({
      id: expect.any(String),
      name: 'OKX main',
      exchange: 'okx',
      marketType: 'swap',
      mode: 'live',
      apiKeyHint: '…2e1b',
      hasSecret: true,
      hasPassphrase: true,
      paperBalances: null,
      createdAt: expect.any(Number),
    });
    const body = JSON.stringify(r.body);
    for (const s of Object.values(GOOD)) expect(body).not.toContain(s);
  });

  it('stores only ciphertext: the raw row contains no key, secret or passphrase', async () => {
    const res: any = await app.services.database.db.execute(sql`select * from exchange_accounts where id = ${id}`);
    const rows = res.rows as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    const raw = JSON.stringify(rows);
    for (const s of Object.values(GOOD)) expect(raw).not.toContain(s);
    expect(rows[0]!.api_key_enc).toMatch(/^v1:/);
    expect(rows[0]!.secret_enc).toMatch(/^v1:/);
    expect(rows[0]!.passphrase_enc).toMatch(/^v1:/);
    expect(rows[0]!.api_key_last4).toBe('2e1b');
    // …and the server can still open them for the adapter.
    expect(await app.services.accounts.internalSecrets(id)).toEqual(GOOD);
  });

  it('never returns secrets from get or list', async () => {
    const got = await alice.call('accounts.get', { id }, 'query');
    const list = await alice.call('accounts.list', undefined, 'query');
    expect(data(got)).toMatchObject({ id, apiKeyHint: '…2e1b', hasSecret: true });
    expect(data(list).map((a: any) => a.id)).toContain(id);
    for (const r of [got, list]) {
      const body = JSON.stringify(r.body);
      for (const s of Object.values(GOOD)) expect(body).not.toContain(s);
      expect(body).not.toMatch(/_enc|Enc"|v1:/);
    }
  });

  it('tests the connection with the decrypted credentials and lists non-zero balances', async () => {
    const before = opened.length;
    const r = await alice.call('accounts.testConnection', { id }, 'mutation');
    expect(r.status).toBe(200);
    expect(data(r)).toEqual({ ok: true, balances: [{ currency: 'USDT', free: '1234.5', used: '10', total: '1244.5' }] });
    const venue = opened[before]!;
    expect(venue.secrets).toEqual(GOOD);
    expect(venue.account).toEqual({ id, exchange: 'okx', marketType: 'swap', mode: 'live' });
    expect(venue.closed).toBe(true);
  });

  it('update: absent secrets are kept, an empty string removes one, a new value replaces it', async () => {
    const keep = await alice.call('accounts.update', { id, ...liveInput({ name: 'OKX renamed', apiKey: undefined, secret: undefined, passphrase: undefined }) }, 'mutation');
    expect(keep.status).toBe(200);
    expect(data(keep)).toMatchObject({ name: 'OKX renamed', apiKeyHint: '…2e1b', hasSecret: true, hasPassphrase: true });
    expect(await app.services.accounts.internalSecrets(id)).toEqual(GOOD);

    // okx needs a passphrase: removing it is refused, naming the field.
    const drop = await alice.call('accounts.update', { id, ...liveInput({ name: 'OKX renamed', apiKey: undefined, secret: undefined, passphrase: '' }) }, 'mutation');
    expect(drop.status).toBe(400);
    expect(drop.body.error.message).toMatch(/^passphrase: /);

    const replace = await alice.call('accounts.update', { id, ...liveInput({ name: 'OKX renamed', apiKey: 'NEW-key-abcdef-9999', secret: undefined, passphrase: undefined }) }, 'mutation');
    expect(data(replace)).toMatchObject({ apiKeyHint: '…9999' });
    expect(await app.services.accounts.internalSecrets(id)).toEqual({ ...GOOD, apiKey: 'NEW-key-abcdef-9999' });

    const back = await alice.call('accounts.update', { id, ...liveInput({ name: 'OKX main' }) }, 'mutation');
    expect(back.status).toBe(200);
  });

  it('binance needs no passphrase, and an empty string removes the stored one', async () => {
    const r = await alice.call('accounts.create', liveInput({ name: 'Binance', exchange: 'binance', passphrase: undefined }), 'mutation');
    expect(r.status).toBe(200);
    expect(data(r)).toMatchObject({ hasPassphrase: false });
    const upd = await alice.call('accounts.update', { id: data(r).id, ...liveInput({ name: 'Binance', exchange: 'binance', passphrase: 'extra-phrase-1' }) }, 'mutation');
    expect(data(upd)).toMatchObject({ hasPassphrase: true });
    const rm = await alice.call('accounts.update', { id: data(r).id, ...liveInput({ name: 'Binance', exchange: 'binance', passphrase: '' }) }, 'mutation');
    expect(data(rm)).toMatchObject({ hasPassphrase: false });
    expect((await alice.call('accounts.remove', { id: data(r).id }, 'mutation')).status).toBe(200);
  });

  it('logs none of the secrets', async () => {
    const all = app.logs.join('\n');
    expect(all).toContain('exchange account created');
    for (const s of [...Object.values(GOOD), 'NEW-key-abcdef-9999', 'extra-phrase-1']) expect(all).not.toContain(s);
  });

  it("hides one user's accounts from another: NOT_FOUND on every procedure, nothing listed", async () => {
    expect(data(await bob.call('accounts.list', undefined, 'query'))).toEqual([]);
    const calls: [string, unknown, 'query' | 'mutation'][] = [
      ['accounts.get', { id }, 'query'],
      ['accounts.update', { id, ...liveInput({ name: 'stolen' }) }, 'mutation'],
      ['accounts.testConnection', { id }, 'mutation'],
      ['accounts.remove', { id }, 'mutation'],
      ['accounts.deletionCheck', { id }, 'query'],
    ];
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [path, input, kind] of calls) {
      const r = await bob.call(path, input, kind);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      // The same answer as for an id that does not exist: no existence leak.
      const none = await bob.call(path, { ...(input as object), id: missing }, kind);
      expect(none.body.error.message).toBe(r.body.error.message);
    }
    expect(data(await alice.call('accounts.get', { id }, 'query'))).toMatchObject({ name: 'OKX main' });
  });

  it('refuses a duplicate name per user with 409 naming `name`, but allows it for another user', async () => {
    const dup = await alice.call('accounts.create', liveInput(), 'mutation');
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toMatch(/^name: /);
    const other = await alice.call('accounts.create', liveInput({ name: 'Second' }), 'mutation');
    const rename = await alice.call('accounts.update', { id: data(other).id, ...liveInput({ name: 'OKX main' }) }, 'mutation');
    expect(rename.status).toBe(409);
    expect(rename.body.error.message).toMatch(/^name: /);
    expect((await bob.call('accounts.create', liveInput(), 'mutation')).status).toBe(200);
  });

  it('removes an account', async () => {
    const r = await alice.call('accounts.create', liveInput({ name: 'Temp' }), 'mutation');
    const tid = data(r).id;
    // Nothing open (the stub venue cannot list orders: the check says so and counts Osprey's records).
    const check: AccountDeletionCheck = data(await alice.call('accounts.deletionCheck', { id: tid }, 'query'));
    expect(check).toMatchObject({ accountId: tid, name: 'Temp', mode: 'live', runningBots: [], openOrders: 0, positions: 0, activeTrades: 0, pendingOrders: 0, blockers: [], canDelete: true });
    expect(check.venueError).toMatch(/exchange/);
    expect(data(await alice.call('accounts.remove', { id: tid }, 'mutation'))).toEqual({ id: tid, stoppedBots: [], cancelledOrders: 0, cancelledPending: 0 });
    expect((await alice.call('accounts.get', { id: tid }, 'query')).status).toBe(404);
    expect((await alice.call('accounts.remove', { id: tid }, 'mutation')).status).toBe(404);
  });
});

describe('accounts: validation', () => {
  it('paper: ignores given secrets and requires balances, naming paperBalances', async () => {
    const noBal = await alice.call('accounts.create', { name: 'Paper', exchange: 'binance', marketType: 'swap', mode: 'paper', ...GOOD }, 'mutation');
    expect(noBal.status).toBe(400);
    expect(noBal.body.error.message).toMatch(/paperBalances: /);
    expect(noBal.body.error.data.fieldErrors).toHaveProperty('paperBalances');

    const r = await alice.call(
      'accounts.create',
      { name: 'Paper', exchange: 'binance', marketType: 'swap', mode: 'paper', ...GOOD, paperBalances: { USDT: '10000.00' } },
      'mutation',
    );
    expect(r.status).toBe(200);
    expect(data(r)).toMatchObject({ mode: 'paper', apiKeyHint: null, hasSecret: false, hasPassphrase: false, paperBalances: { USDT: '10000' } });
    const res: any = await app.services.database.db.execute(sql`select * from exchange_accounts where id = ${data(r).id}`);
    const row = res.rows[0];
    expect(row).toMatchObject({ api_key_enc: null, secret_enc: null, passphrase_enc: null, api_key_last4: null });
    expect(JSON.stringify(res.rows)).not.toContain(GOOD.apiKey);
    expect(await app.services.accounts.internalSecrets(data(r).id)).toBeNull();

    const t = await alice.call('accounts.testConnection', { id: data(r).id }, 'mutation');
    expect(data(t)).toMatchObject({ ok: true });
    expect(opened.at(-1)!.secrets).toBeNull();

    const badBal = await alice.call('accounts.create', { name: 'Paper 2', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { usdt: '-5' } }, 'mutation');
    expect(badBal.status).toBe(400);
    expect(badBal.body.error.message).toMatch(/paperBalances/);
  });

  it('live: names the missing credential, the unknown exchange, and a venue without a sandbox', async () => {
    const noSecret = await alice.call('accounts.create', liveInput({ name: 'X', secret: undefined }), 'mutation');
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.error.message).toMatch(/^secret: okx needs the API secret/);
    const noPass = await alice.call('accounts.create', liveInput({ name: 'X', passphrase: '' }), 'mutation');
    expect(noPass.body.error.message).toMatch(/^passphrase: /);
    const unknown = await alice.call('accounts.create', liveInput({ name: 'X', exchange: 'nosuchvenue' }), 'mutation');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^exchange: "nosuchvenue" is not a ccxt exchange id/);
    const sandbox = await alice.call('accounts.create', liveInput({ name: 'X', exchange: 'kraken', marketType: 'spot', mode: 'sandbox', passphrase: undefined }), 'mutation');
    expect(sandbox.status).toBe(400);
    expect(sandbox.body.error.message).toMatch(/^mode: kraken has no sandbox/);
    const noSwap = await alice.call('accounts.create', liveInput({ name: 'X', exchange: 'kraken', passphrase: undefined }), 'mutation');
    expect(noSwap.body.error.message).toMatch(/^marketType: kraken has no swap markets/);
    const badName = await alice.call('accounts.create', liveInput({ name: '   ' }), 'mutation');
    expect(badName.status).toBe(400);
    expect(badName.body.error.message).toMatch(/^name: /);
  });
});

describe('accounts: connection test explains failures in words', () => {
  const cases: { key: string; secret?: string; code: string; words: RegExp }[] = [
    { key: 'WRONG-key-000000000', code: 'AUTH', words: /rejected the API key.*copied in full/ },
    { key: GOOD.apiKey, secret: 'wrong-secret-value', code: 'AUTH', words: /rejected the API key/ },
    { key: 'IPBLOCKED-KEY-0000', code: 'IP_NOT_ALLOWED', words: /IP address.*whitelist/ },
    { key: 'OFFLINE-KEY-00000', code: 'NETWORK', words: /Could not reach the exchange/ },
  ];
  it.each(cases)('$code for key $key', async ({ key, secret, code, words }) => {
    const name = `T ${code} ${key.slice(0, 6)} ${secret ?? ''}`.trim();
    const c = await alice.call('accounts.create', liveInput({ name, apiKey: key, ...(secret ? { secret } : {}) }), 'mutation');
    expect(c.status).toBe(200);
    const r = await alice.call('accounts.testConnection', { id: data(c).id }, 'mutation');
    expect(r.status).toBe(200);
    const res = data(r);
    expect(res).toMatchObject({ ok: false, code });
    expect(res.message).toMatch(words);
    expect(res.message).not.toContain(key);
    expect(opened.at(-1)!.closed).toBe(true);
  });

  it('reports stored secrets that no longer decrypt (e.g. after a key change) instead of failing', async () => {
    const c = await alice.call('accounts.create', liveInput({ name: 'Tampered' }), 'mutation');
    const other = await alice.call('accounts.create', liveInput({ name: 'Donor' }), 'mutation');
    // Copy another account's ciphertext into this row: the account-bound AAD makes it undecryptable.
    await app.services.database.db.execute(
      sql`update exchange_accounts set secret_enc = (select secret_enc from exchange_accounts where id = ${data(other).id}) where id = ${data(c).id}`,
    );
    const r = await alice.call('accounts.testConnection', { id: data(c).id }, 'mutation');
    expect(data(r)).toMatchObject({ ok: false, code: 'SECRETS_UNREADABLE' });
    expect(data(r).message).toMatch(/cannot be decrypted/);
    await expect(app.services.accounts.internalSecrets(data(c).id)).rejects.toMatchObject({ name: 'SecretBoxError', code: 'DECRYPT_FAILED' });
  });
});

describe('accounts.exchanges', () => {
  it('lists the ccxt exchange ids, sorted', async () => {
    const r = await alice.call('accounts.exchanges', undefined, 'query');
    const ids = data(r) as string[];
    expect(ids).toContain('binance');
    expect(ids).toContain('okx');
    expect([...ids].sort()).toEqual(ids);
    expect(ids.length).toBeGreaterThan(50);
  });
});

describe('admin sees only their own accounts too', () => {
  it('an admin gets NOT_FOUND for a trader account', async () => {
    const admin = new HttpCaller(app.base);
    await admin.login(ADMIN.email, ADMIN.password);
    const [first] = data(await alice.call('accounts.list', undefined, 'query'));
    expect((await admin.call('accounts.get', { id: first.id }, 'query')).status).toBe(404);
  });
});

describe('deleting an account with a running bot and open orders (real paper exchange over the replay)', () => {
  const START = Date.UTC(2024, 7, 5, 0, 0);
  const M15 = 15 * 60_000;
  let paperApp: TestApp;
  let carol: HttpCaller;
  let dave: HttpCaller;
  let clock: ManualClock;
  let driver: ReplayDriver;
  let account: PublicAccount;
  let bot: BotView;
  const grid = { symbol: 'BTC/USDT', levels: 4, spacingPct: 0.3, sellOffsetPct: 0.4, orderSize: { mode: 'quote', value: '500' }, repricePct: 2 };
  const ok = (r: { status: number; body: any }) => {
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
    return r.body.result.data;
  };
  const settle = async () => {
    await paperApp.services.market.idle();
    await paperApp.services.trading.idle();
    await paperApp.services.bots.idle();
  };

  beforeAll(async () => {
    clock = new ManualClock(START);
    paperApp = await startTestApp({ OSPREY_REPLAY_START: new Date(START).toISOString(), OSPREY_SYNC_MS: '3600000', OSPREY_SYMBOLS: 'BTC/USDT,ETH/USDT' }, { marketClock: clock });
    await paperApp.services.trading.start();
    await paperApp.services.auth.addUser('carol@test.local', 'carol-password-1', 'trader');
    await paperApp.services.auth.addUser('dave@test.local', 'dave-password-12', 'trader');
    carol = new HttpCaller(paperApp.base);
    await carol.login('carol@test.local', 'carol-password-1');
    dave = new HttpCaller(paperApp.base);
    await dave.login('dave@test.local', 'dave-password-12');
    account = ok(await carol.call('accounts.create', { name: 'Paper spot', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
    driver = new ReplayDriver(paperApp, clock, ['BTC/USDT', 'ETH/USDT'], START, settle);
    await driver.init();
    await driver.runTo(START);
    bot = ok(await carol.call('bots.create', { name: 'BTC grid', accountId: account.id, config: { type: 'grid', marketType: 'spot', grid } }, 'mutation'));
    ok(await carol.call('bots.start', { id: bot.id }, 'mutation'));
    await driver.runTo(START + M15);
  });
  afterAll(async () => {
    await paperApp?.close();
  });

  it('deletionCheck lists the running bot and what is open; a plain delete is refused with 409 saying so', async () => {
    // A manual trade with a stop-loss and an armed pending order on the same account.
    const last = Number((ok(await carol.call('trading.ticker', { accountId: account.id, symbol: 'BTC/USDT' }, 'query')) as { last: string }).last);
    const trade: TradeView = ok(
      await carol.call('trading.open', { accountId: account.id, symbol: 'BTC/USDT', side: 'long', sizing: { mode: 'base', value: '0.01' }, stopLoss: String(Math.round(last * 0.9)) }, 'mutation'),
    );
    expect(trade.status).toBe('open');
    const eth = Number((ok(await carol.call('trading.ticker', { accountId: account.id, symbol: 'ETH/USDT' }, 'query')) as { last: string }).last);
    ok(await carol.call('trading.pendingCreate', { accountId: account.id, symbol: 'ETH/USDT', side: 'long', sizing: { mode: 'base', value: '0.1' }, triggerPrice: String(Math.round(eth * 1.5)), direction: 'above' }, 'mutation'));
    await settle();

    const check: AccountDeletionCheck = ok(await carol.call('accounts.deletionCheck', { id: account.id }, 'query'));
    // 4 grid buys + the trade's stop-loss; the trade holds 0.01 BTC (the grid has bought nothing yet).
    expect(check).toMatchObject({
      accountId: account.id,
      name: 'Paper spot',
      mode: 'paper',
      marketType: 'spot',
      runningBots: [{ id: bot.id, name: 'BTC grid' }],
      openOrders: 5,
      positions: 1,
      activeTrades: 1,
      pendingOrders: 1,
      venueError: null,
      canDelete: false,
    });
    expect(check.blockers).toEqual(['1 bot running (BTC grid)', '5 open orders', '1 position', '1 active trade']);

    const plain = await carol.call('accounts.remove', { id: account.id }, 'mutation');
    expect(plain.status).toBe(409);
    expect(plain.body.error.message).toBe(
      'id: the account "Paper spot" still has 1 bot running (BTC grid), 5 open orders, 1 position, 1 active trade; stop the bots and cancel the orders first (the delete dialog offers "Stop the bots and cancel their orders, then delete")',
    );
    // Nothing was touched.
    expect(ok(await carol.call('bots.get', { id: bot.id }, 'query')).bot.status).toBe('running');
    expect(ok(await carol.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'))).toHaveLength(5);
    // Another user sees nothing of it; a bad flag is named.
    expect((await dave.call('accounts.deletionCheck', { id: account.id }, 'query')).status).toBe(404);
    expect((await dave.call('accounts.remove', { id: account.id, stopAndCancel: true }, 'mutation')).status).toBe(404);
    const bad = await carol.call('accounts.remove', { id: account.id, stopAndCancel: 'yes' }, 'mutation');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/stopAndCancel/);
  });

  it('stopAndCancel stops the bot (cancelling its orders), cancels the open orders and the pending order, then deletes', async () => {
    const paper = paperApp.services.exchanges.peek(account.id)!.adapter;
    expect(await paper.fetchOpenOrders()).toHaveLength(5);
    const r = await carol.call('accounts.remove', { id: account.id, stopAndCancel: true }, 'mutation');
    expect(ok(r)).toEqual({ id: account.id, stoppedBots: ['BTC grid'], cancelledOrders: 5, cancelledPending: 1 });
    // Every order was cancelled at the (paper) venue before the account went.
    expect(await paper.fetchOpenOrders()).toEqual([]);
    expect(paperApp.services.bots.runningHere()).toEqual([]);
    expect((await carol.call('accounts.get', { id: account.id }, 'query')).status).toBe(404);
    expect((await carol.call('bots.get', { id: bot.id }, 'query')).status).toBe(404);
    expect(ok(await carol.call('bots.list', undefined, 'query'))).toEqual([]);
    expect(paperApp.services.exchanges.peek(account.id)).toBeUndefined();
    const db = paperApp.services.database.db;
    const left = await Promise.all([orders, trades, bots].map((t) => db.select({ id: t.id }).from(t).where(eq(t.accountId, account.id))));
    expect(left.map((rows) => rows.length)).toEqual([0, 0, 0]);
    // The market keeps moving without errors from the deleted account's bot or trade.
    await driver.runTo(START + 3 * M15);
    expect(paperApp.logs.join('\n')).not.toMatch(/"level":50/);
    expect((await carol.call('accounts.deletionCheck', { id: account.id }, 'query')).status).toBe(404);
  });

  it('an account with nothing open is deleted at once; its stopped bot goes with it', async () => {
    const quiet: PublicAccount = ok(await carol.call('accounts.create', { name: 'Quiet', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '1000' } }, 'mutation'));
    const idle: BotView = ok(await carol.call('bots.create', { name: 'Idle grid', accountId: quiet.id, config: { type: 'grid', marketType: 'spot', grid } }, 'mutation'));
    expect(ok(await carol.call('accounts.deletionCheck', { id: quiet.id }, 'query'))).toMatchObject({ runningBots: [], openOrders: 0, positions: 0, blockers: [], canDelete: true });
    expect(ok(await carol.call('accounts.remove', { id: quiet.id }, 'mutation'))).toEqual({ id: quiet.id, stoppedBots: [], cancelledOrders: 0, cancelledPending: 0 });
    expect((await carol.call('bots.get', { id: idle.id }, 'query')).status).toBe(404);
  });
});
