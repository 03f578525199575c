/**
 * The account form's state and its mapping to `accounts.create` / `accounts.update` input (pure, tested).
 * Secrets are write-only: on edit a blank secret field means "keep the stored one" and is left out of the
 * input (the API treats an absent secret as keep, an empty string as remove).
 */
import { accountInputSchema, type AccountInput, type AccountMode, type MarketType, type PublicAccount } from '@osprey/shared';
import { issuesToFieldErrors, type FieldErrors } from '../lib/form.js';
import { normalizeDecimal } from '../lib/decimal.js';

/** One starting-balance row of a paper account (as typed). */
export interface BalanceRow {
  currency: string;
  amount: string;
}

/** Everything the account form edits, as typed by the user. */
export interface AccountFormState {
  name: string;
  exchange: string;
  marketType: MarketType;
  mode: AccountMode;
  apiKey: string;
  secret: string;
  passphrase: string;
  balances: BalanceRow[];
}

/** Fields of the account form that can carry an error (`field-error-<field>`). */
export const ACCOUNT_FIELDS = ['name', 'exchange', 'marketType', 'mode', 'apiKey', 'secret', 'passphrase', 'paperBalances'] as const;
/** One of {@link ACCOUNT_FIELDS}. */
export type AccountField = (typeof ACCOUNT_FIELDS)[number];

/** A blank form for a new account: paper mode on Binance spot with 10 000 USDT. */
export function emptyAccountForm(): AccountFormState {
  return {
    name: '',
    exchange: 'binance',
    marketType: 'spot',
    mode: 'paper',
    apiKey: '',
    secret: '',
    passphrase: '',
    balances: [{ currency: 'USDT', amount: '10000' }],
  };
}

/** The form prefilled from a stored account (secret fields blank: they are never sent to the client). */
export function accountToForm(a: PublicAccount): AccountFormState {
  const balances = a.paperBalances ? Object.entries(a.paperBalances).map(([currency, amount]) => ({ currency, amount })) : [];
  return {
    name: a.name,
    exchange: a.exchange,
    marketType: a.marketType,
    mode: a.mode,
    apiKey: '',
    secret: '',
    passphrase: '',
    balances: balances.length ? balances : [{ currency: 'USDT', amount: '10000' }],
  };
}

/** True when the mode uses exchange credentials (live, sandbox); paper accounts use starting balances. */
export function usesCredentials(mode: AccountMode): boolean {
  return mode !== 'paper';
}

/**
 * The raw API input for the form (not yet validated): trimmed strings; blank secrets left out; upper-cased
 * currencies; paper balances only in paper mode and secrets only in live/sandbox mode.
 */
export function accountFormToInput(f: AccountFormState): Record<string, unknown> {
  const input: Record<string, unknown> = {
    name: f.name.trim(),
    exchange: f.exchange.trim().toLowerCase(),
    marketType: f.marketType,
    mode: f.mode,
  };
  if (usesCredentials(f.mode)) {
    for (const key of ['apiKey', 'secret', 'passphrase'] as const) {
      const v = f[key].trim();
      if (v) input[key] = v;
    }
  } else {
    const balances: Record<string, string> = {};
    for (const row of f.balances) {
      const currency = row.currency.trim().toUpperCase();
      const amount = row.amount.trim();
      if (!currency && !amount) continue;
      balances[currency] = normalizeDecimal(amount) ?? amount;
    }
    input.paperBalances = balances;
  }
  return input;
}

/** Result of {@link validateAccountForm}. */
export type AccountFormResult = { ok: true; input: AccountInput } | { ok: false; errors: FieldErrors };

/**
 * Validates the form with the shared `accountInputSchema` plus the checks a record cannot express (a
 * currency listed twice, no balance rows in paper mode, an exchange id not offered by the server). Errors
 * are keyed by {@link AccountField} (`paperBalances.USDT` folds into `paperBalances`).
 */
export function validateAccountForm(f: AccountFormState, exchanges: readonly string[] | null = null): AccountFormResult {
  const errors: FieldErrors = {};
  if (!usesCredentials(f.mode)) {
    const seen = new Set<string>();
    const rows = f.balances.filter((r) => r.currency.trim() || r.amount.trim());
    if (rows.length === 0) errors.paperBalances = 'paper accounts need starting balances, e.g. { "USDT": "10000" }';
    for (const r of rows) {
      const c = r.currency.trim().toUpperCase();
      // The schema's record-key rule only says "Invalid key in record" (zod 4): name the problem here.
      if (!/^[A-Z0-9]{1,20}$/.test(c)) errors.paperBalances ??= `currency "${r.currency.trim()}" must be upper-case letters or digits, e.g. USDT`;
      if (seen.has(c)) errors.paperBalances ??= `currency ${c} is listed twice`;
      seen.add(c);
    }
  }
  const exchange = f.exchange.trim().toLowerCase();
  if (exchanges && exchanges.length > 0 && exchange && !exchanges.includes(exchange)) {
    errors.exchange = `exchange: "${exchange}" is not a ccxt exchange id`;
  }
  const parsed = accountInputSchema.safeParse(accountFormToInput(f));
  if (!parsed.success) {
    const zodErrors = issuesToFieldErrors(parsed.error.issues, 1);
    for (const [k, v] of Object.entries(zodErrors)) errors[k] ??= v;
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, input: parsed.data };
}

/** `…a1b2` from an API key hint (already masked by the server), or `—` when no key is stored. */
export function keyHint(a: Pick<PublicAccount, 'apiKeyHint'>): string {
  if (!a.apiKeyHint) return '—';
  return a.apiKeyHint.startsWith('…') ? a.apiKeyHint : `…${a.apiKeyHint.slice(-4)}`;
}

/** Exchange ids matching a search (prefix matches first, then substring), at most `limit`. */
export function filterExchanges(all: readonly string[], query: string, limit = 8): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return all.slice(0, limit);
  const prefix = all.filter((id) => id.startsWith(q));
  const inner = all.filter((id) => !id.startsWith(q) && id.includes(q));
  return [...prefix, ...inner].slice(0, limit);
}
