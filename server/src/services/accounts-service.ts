import { randomUUID } from 'node:crypto';
import ccxt, { type Exchange } from 'ccxt';
import Decimal from 'decimal.js';
import { accountInputSchema, type AccountInput, type AccountMode, type ConnectionTestResult, type MarketType, type PublicAccount } from '@osprey/shared';
import { SecretBoxError, type SecretBox } from '../adapters/crypto/secret-box.js';
import type { Db } from '../adapters/db/client.js';
import {
  findAccountById,
  findAccountByName,
  findAccountOfUser,
  insertAccount,
  isUniqueViolation,
  listAccountsByUser,
  updateAccountOfUser,
  type AccountRow,
} from '../adapters/db/repos/accounts-repo.js';
import type { Logger } from '../adapters/log.js';
import { AuthExchangeError, ExchangeError, RejectedOrderError, TemporaryExchangeError } from '../domain/exchange/errors.js';
import type { ExchangeAdapter } from '../domain/exchange/port.js';
import type { Clock } from '../domain/ports.js';
import { AppError } from './errors.js';

/** What an {@link ExchangeFactory} needs to know about an account (no secrets, no owner). */
export interface AccountRef {
  id: string;
  /** ccxt exchange id (the venue a paper account simulates). */
  exchange: string;
  marketType: MarketType;
  mode: AccountMode;
  /** Starting balances of a paper account (e.g. `{ USDT: "10000" }`); null/absent for live and sandbox. */
  paperBalances?: Record<string, string> | null;
}

/** Decrypted credentials of a live/sandbox account. Server memory only: never logged, stored or returned. */
export interface AccountSecrets {
  apiKey?: string;
  secret?: string;
  /** ccxt's `password` (OKX, KuCoin, Bitget…). */
  passphrase?: string;
}

/**
 * Builds the adapter of an account: `CcxtExchange` for live/sandbox (with `secrets`), `PaperExchange` for paper
 * (`secrets` null). Injected so tests can pass a local fake. May throw an ExchangeError (e.g. unknown venue).
 */
export type ExchangeFactory = (account: AccountRef, secrets: AccountSecrets | null) => ExchangeAdapter;

/** Placeholder factory until the real adapters are wired: every account reports NOT_SUPPORTED. */
export const unwiredExchangeFactory: ExchangeFactory = () => {
  throw new RejectedOrderError('NOT_SUPPORTED', 'exchange connections are not available in this build yet');
};

/** Codes {@link describeExchangeError} may return besides the port's ExchangeErrorCode values. */
export type ConnectionFailureCode = ExchangeError['code'] | 'SECRETS_UNREADABLE' | 'INTERNAL';

const SENTENCES: Partial<Record<ConnectionFailureCode, string>> = {
  AUTH:
    'The exchange rejected the API key: check that the key and secret (and passphrase, if the exchange uses one) were copied in full, ' +
    'belong to this exchange, have not been deleted or expired, and match the mode (a testnet key does not work on live, nor the reverse).',
  IP_NOT_ALLOWED:
    "The exchange refused this server's IP address: add it to the API key's IP whitelist, or remove the restriction, on the exchange's API management page.",
  PERMISSION:
    'The API key lacks a permission Osprey needs: enable reading balances (and trading, to place orders) for this key on the exchange\'s API management page.',
  NETWORK: "Could not reach the exchange: check this server's internet connection, DNS and proxy settings, or the exchange's status page.",
  TIMEOUT: 'The exchange did not answer in time: it may be overloaded or unreachable from this server. Try again in a minute.',
  RATE_LIMITED: 'The exchange is rate-limiting this server: wait a minute and try again.',
  UNAVAILABLE: 'The exchange is unavailable (maintenance or an outage): try again later.',
  NOT_SUPPORTED: 'This exchange, market type or mode is not supported for trading.',
  SECRETS_UNREADABLE:
    "The stored API credentials cannot be decrypted with this server's secret key (was OSPREY_SECRET_KEY or secret.key changed?): enter them again.",
};

/**
 * Explains an error from an exchange call in words for the user, keyed on the port's error classes:
 * `AuthExchangeError` AUTH / IP_NOT_ALLOWED / PERMISSION and every `TemporaryExchangeError` get a sentence saying
 * what to fix; the venue's own message (adapters guarantee it has no secrets) is appended in parentheses. Any
 * other ExchangeError keeps its code with its message; a non-exchange error becomes INTERNAL with a generic
 * sentence (its message could come from anywhere, so it is not shown).
 * @returns `{ code, message }`, e.g. `{ code: 'AUTH', message: 'The exchange rejected the API key: … (binance: Invalid API-key)' }`
 */
export function describeExchangeError(err: unknown): { code: ConnectionFailureCode; message: string } {
  if (err instanceof ExchangeError) {
    const sentence =
      SENTENCES[err.code] ??
      (err instanceof AuthExchangeError ? SENTENCES.AUTH : err instanceof TemporaryExchangeError ? SENTENCES.UNAVAILABLE : undefined);
    const detail = err.message.trim();
    if (sentence) return { code: err.code, message: detail ? `${sentence} (${detail})` : sentence };
    return { code: err.code, message: `The exchange refused the request: ${detail || err.code}` };
  }
  if (err instanceof SecretBoxError) return { code: 'SECRETS_UNREADABLE', message: SENTENCES.SECRETS_UNREADABLE! };
  return { code: 'INTERNAL', message: 'Unexpected error while talking to the exchange; the server log has the error type.' };
}

/** Credentials a ccxt exchange requires, of those an account can store, plus the ones it cannot. */
interface VenueFacts {
  needs: { apiKey: boolean; secret: boolean; passphrase: boolean };
  /** ccxt credentials this venue requires that accounts cannot store (e.g. `walletAddress`). */
  unsupported: string[];
  hasSandbox: boolean;
  /** false when ccxt says the venue has no such market type; null when unknown. */
  spot: boolean | null;
  swap: boolean | null;
}

/** ccxt credential names accounts cannot hold. */
const OTHER_CREDENTIALS = ['uid', 'accountId', 'login', 'privateKey', 'walletAddress', 'token'] as const;

/**
 * Exchange accounts of users: create, read and update with encrypted secrets (deleting is
 * `AccountDeletionService`, which checks what is still open first), connection tests, and (server-side only) decrypted
 * credentials for adapter construction. Every user-facing method is scoped to the calling user: another user's
 * account answers NOT_FOUND, exactly like an id that does not exist.
 *
 * Secrets are sealed with {@link SecretBox} bound to `exchange_accounts:<id>:<field>`, so a ciphertext moved to
 * another account or column does not decrypt. Paper accounts never store secrets.
 */
export class AccountsService {
  private readonly venueCache = new Map<string, VenueFacts>();
  private exchangeList: string[] | undefined;

  /**
   * @param deps.box seals/opens secrets; @param deps.exchangeFactory builds adapters (see {@link ExchangeFactory});
   * @param deps.clock stamps created/updated times (Unix ms)
   */
  constructor(
    private readonly deps: { db: Db; clock: Clock; box: SecretBox; exchangeFactory: ExchangeFactory; log: Logger },
  ) {}

  /** The ccxt exchange ids accounts can use (for the picker), alphabetical. */
  exchanges(): string[] {
    this.exchangeList ??= [...ccxt.exchanges].sort();
    return this.exchangeList;
  }

  /** The user's accounts, oldest first, secrets masked. */
  async list(userId: string): Promise<PublicAccount[]> {
    return (await listAccountsByUser(this.deps.db, userId)).map(toPublicAccount);
  }

  /** One of the user's accounts. @throws AppError NOT_FOUND (also for another user's account) */
  async get(userId: string, id: string): Promise<PublicAccount> {
    return toPublicAccount(await this.ownRow(userId, id));
  }

  /**
   * Creates an account. Live/sandbox: the credentials the venue needs (ccxt `requiredCredentials`) are
   * required and sealed; paper: given secrets are dropped and `paperBalances` is required.
   * @throws AppError VALIDATION naming the field (`exchange`, `mode`, `marketType`, `apiKey`, `secret`,
   *   `passphrase`, `paperBalances`, …); CONFLICT `name: …` when the user already has an account with that name
   */
  async create(userId: string, input: AccountInput): Promise<PublicAccount> {
    const a = this.parse(input);
    if (await findAccountByName(this.deps.db, userId, a.name)) throw duplicateName(a.name);
    const id = randomUUID();
    const now = this.deps.clock.now();
    const sealed = a.mode === 'paper' ? NO_SECRETS : this.sealAll(id, { apiKey: a.apiKey, secret: a.secret, passphrase: a.passphrase }, NO_SECRETS);
    this.checkCredentials(a, sealed);
    try {
      const row = await insertAccount(this.deps.db, {
        id,
        userId,
        name: a.name,
        exchange: a.exchange,
        marketType: a.marketType,
        mode: a.mode,
        ...sealed,
        paperBalances: a.mode === 'paper' ? normaliseBalances(a.paperBalances!) : null,
        createdAt: now,
        updatedAt: now,
      });
      this.deps.log.info({ accountId: id, exchange: a.exchange, mode: a.mode, marketType: a.marketType }, 'exchange account created');
      return toPublicAccount(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName(a.name);
      throw err;
    }
  }

  /**
   * Replaces an account's settings. Secrets: absent = keep the stored one, empty string = remove it, a value =
   * replace it. Switching to paper drops every stored secret.
   * @throws AppError NOT_FOUND (also for another user's account); VALIDATION / CONFLICT as {@link create}
   */
  async update(userId: string, id: string, input: AccountInput): Promise<PublicAccount> {
    const row = await this.ownRow(userId, id);
    const a = this.parse(input);
    const clash = await findAccountByName(this.deps.db, userId, a.name);
    if (clash && clash.id !== id) throw duplicateName(a.name);
    const sealed = a.mode === 'paper' ? NO_SECRETS : this.sealAll(id, { apiKey: a.apiKey, secret: a.secret, passphrase: a.passphrase }, row);
    this.checkCredentials(a, sealed);
    try {
      const updated = await updateAccountOfUser(this.deps.db, userId, id, {
        name: a.name,
        exchange: a.exchange,
        marketType: a.marketType,
        mode: a.mode,
        ...sealed,
        paperBalances: a.mode === 'paper' ? normaliseBalances(a.paperBalances!) : null,
        updatedAt: this.deps.clock.now(),
      });
      if (!updated) throw notFound();
      this.deps.log.info({ accountId: id, exchange: a.exchange, mode: a.mode }, 'exchange account updated');
      return toPublicAccount(updated);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName(a.name);
      throw err;
    }
  }

  /**
   * Connects with the stored credentials and reads balances (currencies with a zero total are left out).
   * Never throws for exchange trouble: a failure comes back as `{ ok: false, code, message }` with a sentence
   * saying what to fix ({@link describeExchangeError}).
   * @throws AppError NOT_FOUND (also for another user's account)
   */
  async testConnection(userId: string, id: string): Promise<ConnectionTestResult> {
    const row = await this.ownRow(userId, id);
    let adapter: ExchangeAdapter | undefined;
    try {
      adapter = this.deps.exchangeFactory(refOf(row), this.decrypt(row));
      const balances = (await adapter.fetchBalance()).filter((b) => !new Decimal(b.total).isZero());
      return { ok: true, balances };
    } catch (err) {
      const d = describeExchangeError(err);
      // Only the class and code: a foreign error's message could echo a request.
      this.deps.log.info({ accountId: id, exchange: row.exchange, code: d.code, errorType: err instanceof Error ? err.name : typeof err }, 'exchange connection test failed');
      return { ok: false, ...d };
    } finally {
      await adapter?.close().catch(() => undefined);
    }
  }

  /**
   * Decrypted credentials of an account, for adapter construction (server-side only; never expose over tRPC).
   * @returns null for a paper account
   * @throws AppError NOT_FOUND; SecretBoxError when a stored secret does not decrypt (key changed, tampering)
   */
  async internalSecrets(accountId: string): Promise<AccountSecrets | null> {
    const row = await findAccountById(this.deps.db, accountId);
    if (!row) throw notFound();
    return this.decrypt(row);
  }

  /**
   * Builds the adapter of an account through the factory (jobs, trading). The caller closes it.
   * @throws AppError NOT_FOUND; SecretBoxError; whatever the factory throws
   */
  async openAdapter(accountId: string): Promise<ExchangeAdapter> {
    const row = await findAccountById(this.deps.db, accountId);
    if (!row) throw notFound();
    return this.deps.exchangeFactory(refOf(row), this.decrypt(row));
  }

  private async ownRow(userId: string, id: string): Promise<AccountRow> {
    const row = await findAccountOfUser(this.deps.db, userId, id);
    if (!row) throw notFound();
    return row;
  }

  /** Schema validation, then venue checks from ccxt's metadata. */
  private parse(input: AccountInput): AccountInput {
    const parsed = accountInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new AppError('VALIDATION', parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
    }
    const a = parsed.data;
    if (!ccxt.exchanges.includes(a.exchange)) throw new AppError('VALIDATION', `exchange: "${a.exchange}" is not a ccxt exchange id`);
    const v = this.venue(a.exchange);
    if (v[a.marketType] === false) throw new AppError('VALIDATION', `marketType: ${a.exchange} has no ${a.marketType} markets in ccxt`);
    if (a.mode === 'sandbox' && !v.hasSandbox) throw new AppError('VALIDATION', `mode: ${a.exchange} has no sandbox/testnet in ccxt; use paper mode instead`);
    if (a.mode !== 'paper' && v.unsupported.length > 0) {
      throw new AppError('VALIDATION', `exchange: ${a.exchange} needs ${v.unsupported.join(', ')} credentials, which Osprey accounts cannot store yet; use paper mode`);
    }
    return a;
  }

  /** Live/sandbox accounts must end up with every credential the venue requires. */
  private checkCredentials(a: AccountInput, sealed: SealedSecrets): void {
    if (a.mode === 'paper') return;
    const { needs } = this.venue(a.exchange);
    const missing: string[] = [];
    if (needs.apiKey && !sealed.apiKeyEnc) missing.push(`apiKey: ${a.exchange} needs an API key`);
    if (needs.secret && !sealed.secretEnc) missing.push(`secret: ${a.exchange} needs the API secret`);
    if (needs.passphrase && !sealed.passphraseEnc) missing.push(`passphrase: ${a.exchange} needs the API passphrase set when the key was created`);
    if (missing.length > 0) throw new AppError('VALIDATION', missing.join('; '));
  }

  private venue(id: string): VenueFacts {
    let v = this.venueCache.get(id);
    if (!v) {
      v = { needs: { apiKey: true, secret: true, passphrase: false }, unsupported: [], hasSandbox: true, spot: null, swap: null };
      try {
        const Ctor = (ccxt as unknown as Record<string, new () => Exchange>)[id];
        if (Ctor) {
          const ex = new Ctor();
          const req = ex.requiredCredentials as Record<string, boolean | undefined>;
          v = {
            needs: { apiKey: !!req.apiKey, secret: !!req.secret, passphrase: !!req.password },
            unsupported: OTHER_CREDENTIALS.filter((k) => req[k]),
            hasSandbox: supportsSandbox(ex),
            spot: ex.has['spot'] === false ? false : ex.has['spot'] === true ? true : null,
            swap: ex.has['swap'] === false ? false : ex.has['swap'] === true ? true : null,
          };
        }
      } catch {
        // keep the conservative defaults
      }
      this.venueCache.set(id, v);
    }
    return v;
  }

  /**
   * Seals the given secrets for account `id`: a value replaces, `''` removes, `undefined` keeps `current`'s.
   */
  private sealAll(id: string, given: AccountSecrets, current: SealedSecrets): SealedSecrets {
    const pick = (field: keyof AccountSecrets, cur: string | null): string | null => {
      const v = given[field];
      if (v === undefined) return cur;
      if (v === '') return null;
      return this.deps.box.seal(v, aadOf(id, field));
    };
    const apiKeyEnc = pick('apiKey', current.apiKeyEnc);
    const apiKeyLast4 = given.apiKey === undefined ? current.apiKeyLast4 : given.apiKey === '' ? null : lastFour(given.apiKey);
    return {
      apiKeyEnc,
      apiKeyLast4: apiKeyEnc ? apiKeyLast4 : null,
      secretEnc: pick('secret', current.secretEnc),
      passphraseEnc: pick('passphrase', current.passphraseEnc),
    };
  }

  /** Opens the sealed secrets of a row; null for paper accounts. @throws SecretBoxError */
  private decrypt(row: AccountRow): AccountSecrets | null {
    if (row.mode === 'paper') return null;
    const out: AccountSecrets = {};
    if (row.apiKeyEnc) out.apiKey = this.deps.box.open(row.apiKeyEnc, aadOf(row.id, 'apiKey'));
    if (row.secretEnc) out.secret = this.deps.box.open(row.secretEnc, aadOf(row.id, 'secret'));
    if (row.passphraseEnc) out.passphrase = this.deps.box.open(row.passphraseEnc, aadOf(row.id, 'passphrase'));
    return out;
  }
}

interface SealedSecrets {
  apiKeyEnc: string | null;
  apiKeyLast4: string | null;
  secretEnc: string | null;
  passphraseEnc: string | null;
}

const NO_SECRETS: SealedSecrets = { apiKeyEnc: null, apiKeyLast4: null, secretEnc: null, passphraseEnc: null };

/**
 * Whether ccxt can switch this venue to its sandbox/testnet: `setSandboxMode(true)` throws NotSupported for most
 * venues without one, and for a few (an empty `urls.test`) leaves no API URL behind.
 */
function supportsSandbox(ex: Exchange): boolean {
  try {
    ex.setSandboxMode(true);
    const api: unknown = ex.urls.api;
    return typeof api === 'string' ? api !== '' : !!api && typeof api === 'object' && Object.values(api).some(Boolean);
  } catch {
    return false;
  }
}

/** GCM additional data: binds a ciphertext to its account and column. */
const aadOf = (id: string, field: keyof AccountSecrets): string => `exchange_accounts:${id}:${field}`;

/** Last 4 characters of a key long enough that they reveal little (≥ 12 chars); '' otherwise. */
const lastFour = (key: string): string => (key.length >= 12 ? key.slice(-4) : '');

/** Balances as canonical decimal strings (`"10000.00"` → `"10000"`). */
function normaliseBalances(b: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(b).map(([c, v]) => [c, new Decimal(v).toFixed()]));
}

const refOf = (row: AccountRow): AccountRef => ({
  id: row.id,
  exchange: row.exchange,
  marketType: row.marketType,
  mode: row.mode,
  ...(row.mode === 'paper' ? { paperBalances: row.paperBalances ?? null } : {}),
});

const notFound = (): AppError => new AppError('NOT_FOUND', 'account: no such account');
const duplicateName = (name: string): AppError => new AppError('CONFLICT', `name: you already have an account named "${name}"`);

/** The client-facing view of an account row: no ciphertexts, the key only as `…` + its last 4 characters. */
export function toPublicAccount(row: AccountRow): PublicAccount {
  return {
    id: row.id,
    name: row.name,
    exchange: row.exchange,
    marketType: row.marketType,
    mode: row.mode,
    apiKeyHint: row.apiKeyEnc ? `…${row.apiKeyLast4 ?? ''}` : null,
    hasSecret: row.secretEnc !== null,
    hasPassphrase: row.passphraseEnc !== null,
    paperBalances: row.paperBalances ?? null,
    createdAt: row.createdAt,
  };
}
