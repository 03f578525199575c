import { describe, expect, it } from 'vitest';
import type { BotConfig } from '@osprey/shared';
import {
  botToForm,
  configFormToInput,
  configToForm,
  defaultConfigForm,
  placeErrors,
  riskToForm,
  validateRiskForm,
  splitSymbols,
  symbolForMarket,
  symbolSuggestions,
  validateBotForm,
  validateConfigForm,
  withMarketType,
  type BotFormState,
  type ConfigFormState,
} from './bot-form.js';

const ACCOUNT = '00000000-0000-4000-8000-000000000001';

function botForm(patch: (c: ConfigFormState) => ConfigFormState = (c) => c, over: Partial<BotFormState> = {}): BotFormState {
  return { name: 'Grid 1', accountId: ACCOUNT, config: patch(defaultConfigForm('spot', ['BTC/USDT', 'ETH/USDT'])), ...over };
}

describe('symbols', () => {
  it.each([
    ['BTC/USDT', 'swap', 'BTC/USDT:USDT'],
    ['BTC/USDT:USDT', 'spot', 'BTC/USDT'],
    ['BTC/USDT', 'spot', 'BTC/USDT'],
    ['BTC/USDT:USDT', 'swap', 'BTC/USDT:USDT'],
    ['  ETH/USDT ', 'swap', 'ETH/USDT:USDT'],
    ['', 'swap', ''],
    ['garbage', 'swap', 'garbage'],
  ] as const)('%s on %s → %s', (sym, mt, expected) => {
    expect(symbolForMarket(sym, mt)).toBe(expected);
  });

  it('suggests the feed symbols in the market type form, deduplicated', () => {
    expect(symbolSuggestions(['BTC/USDT', 'ETH/USDT'], 'swap')).toEqual(['BTC/USDT:USDT', 'ETH/USDT:USDT']);
    expect(symbolSuggestions(['BTC/USDT', 'BTC/USDT'], 'spot')).toEqual(['BTC/USDT']);
  });

  it('splits a typed symbol list', () => {
    expect(splitSymbols(' btc/usdt, ETH/USDT;sol/usdt  ')).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(splitSymbols('  ')).toEqual([]);
  });
});

describe('defaults from the shared schemas', () => {
  it('prefills every parameter with its schema default and leaves the risk rules off', () => {
    const c = defaultConfigForm('spot', ['BTC/USDT', 'ETH/USDT']);
    expect(c.type).toBe('grid');
    expect(c.grid).toEqual({ symbol: 'BTC/USDT', levels: '5', spacingPct: '1', sellOffsetPct: '1', orderSizeMode: 'quote', orderSizeValue: '100', repricePct: '5', maxOpenPositions: '' });
    expect(c.spread).toMatchObject({ symbolA: 'ETH/USDT', symbolB: 'BTC/USDT', entryPct: '5', stepPct: '3', sizeMultiplier: '1', maxAdds: '6', orderQuote: '100', takeProfitRevertPct: '3', takeProfitPct: '2', stopLossPct: '10' });
    expect(c.signal).toEqual({ symbols: 'BTC/USDT', minScore: '15', sizingMode: 'quote', sizingValue: '100', stopAtrMult: '1.5', takeProfitAtrMult: '3', atrPeriod: '14' });
    expect(Object.values(c.risk).every((v) => v === '')).toBe(true);
  });

  it('uses perpetual symbols by default on swap', () => {
    expect(defaultConfigForm('swap').grid.symbol).toBe('BTC/USDT:USDT');
  });
});

describe('form → config input', () => {
  it('leaves blank defaulted fields out so the schema default applies', () => {
    const { input, errors } = configFormToInput({ ...defaultConfigForm('spot'), grid: { ...defaultConfigForm('spot').grid, levels: ' ', repricePct: '' } });
    expect(errors).toEqual({});
    expect(input.grid).toEqual({ symbol: 'BTC/USDT', spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'quote', value: '100' }, });
    expect(input.risk).toEqual({});
    expect('leverage' in input).toBe(false);
  });

  it('converts the time stop from hours to integer ms and keeps the other rules', () => {
    const c = defaultConfigForm('spot');
    const { input } = configFormToInput({
      ...c,
      risk: { maxOpenPositions: '3', stopLossPct: '2.5', maxHoldingHours: '1.5', dailyLossLimit: '50.0', cooldownAfterLosses: '2', cooldownPauseMinutes: '30' },
    });
    expect(input.risk).toEqual({ maxOpenPositions: 3, stopLossPct: 2.5, maxHoldingMs: 5_400_000, dailyLossLimit: '50', cooldown: { afterLosses: 2, pauseMinutes: 30 } });
  });

  it('reports text that is not a number and a half-filled cooldown at their fields', () => {
    const c = defaultConfigForm('spot');
    const { errors } = configFormToInput({ ...c, grid: { ...c.grid, levels: 'five' }, risk: { ...c.risk, cooldownAfterLosses: '3' } });
    expect(errors).toEqual({ 'config.grid.levels': 'must be a number', 'config.risk.cooldown.pauseMinutes': 'required for a cooldown' });
  });

  it('takes a blank size as the default only in the default mode', () => {
    const c = defaultConfigForm('spot');
    expect(configFormToInput({ ...c, grid: { ...c.grid, orderSizeValue: '' } }).input.grid).not.toHaveProperty('orderSize');
    const base = validateBotForm({ name: 'x', accountId: ACCOUNT, config: { ...c, grid: { ...c.grid, orderSizeMode: 'base', orderSizeValue: '' } } });
    expect(base.ok === false && base.errors['config.grid.orderSize.value']).toMatch(/decimal number/);
    const risk = validateBotForm({ name: 'x', accountId: ACCOUNT, config: { ...c, type: 'signal', signal: { ...c.signal, sizingMode: 'risk', sizingValue: ' ' } } });
    expect(risk.ok === false && risk.errors['config.signal.sizing.value']).toMatch(/decimal number/);
  });

  it('sends leverage on perpetuals only', () => {
    const swap = withMarketType(defaultConfigForm('spot'), 'swap');
    expect(configFormToInput({ ...swap, leverage: '3' }).input.leverage).toBe(3);
  });
});

describe('validateBotForm (botCreateInputSchema)', () => {
  it('returns the parsed input with defaults applied', () => {
    const r = validateBotForm(botForm());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.input.name).toBe('Grid 1');
    expect(r.input.config).toEqual({
      type: 'grid',
      marketType: 'spot',
      leverage: 1,
      risk: {},
      grid: { symbol: 'BTC/USDT', levels: 5, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'quote', value: '100' }, repricePct: 5 },
    });
  });

  it.each([
    ['a blank name', (f: BotFormState) => ({ ...f, name: '  ' }), 'name', /name is required/],
    ['no account', (f: BotFormState) => ({ ...f, accountId: '' }), 'accountId', /account id/],
    ['zero levels', (f: BotFormState) => ({ ...f, config: { ...f.config, grid: { ...f.config.grid, levels: '0' } } }), 'config.grid.levels', /.+/],
    ['fractional levels', (f: BotFormState) => ({ ...f, config: { ...f.config, grid: { ...f.config.grid, levels: '2.5' } } }), 'config.grid.levels', /integer/],
    ['a grid too wide', (f: BotFormState) => ({ ...f, config: { ...f.config, grid: { ...f.config.grid, levels: '20', spacingPct: '5' } } }), 'config.grid.spacingPct', /levels × spacingPct/],
    ['a perpetual symbol on spot', (f: BotFormState) => ({ ...f, config: { ...f.config, grid: { ...f.config.grid, symbol: 'BTC/USDT:USDT' } } }), 'config.grid.symbol', /spot symbol/],
    ['a zero order size', (f: BotFormState) => ({ ...f, config: { ...f.config, grid: { ...f.config.grid, orderSizeValue: '0' } } }), 'config.grid.orderSize.value', /greater than 0/],
    ['the same spread legs', (f: BotFormState) => ({ ...f, config: { ...f.config, type: 'spread' as const, spread: { ...f.config.spread, symbolA: 'BTC/USDT' } } }), 'config.spread.symbolB', /differ/],
    ['a bad signal symbol', (f: BotFormState) => ({ ...f, config: { ...f.config, type: 'signal' as const, signal: { ...f.config.signal, symbols: 'BTC/USDT, nope' } } }), 'config.signal.symbols.1', /ccxt unified/],
    ['no signal symbols', (f: BotFormState) => ({ ...f, config: { ...f.config, type: 'signal' as const, signal: { ...f.config.signal, symbols: '' } } }), 'config.signal.symbols', /at least one symbol/],
    ['a bad daily loss limit', (f: BotFormState) => ({ ...f, config: { ...f.config, risk: { ...f.config.risk, dailyLossLimit: '1e3' } } }), 'config.risk.dailyLossLimit', /decimal number/],
    ['a negative price stop', (f: BotFormState) => ({ ...f, config: { ...f.config, risk: { ...f.config.risk, stopLossPct: '-1' } } }), 'config.risk.stopLossPct', /.+/],
  ])('names the field for %s', (_label, change, key, message) => {
    const r = validateBotForm(change(botForm()));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[key]).toMatch(message);
  });

  it('validates the config alone for "backtest this config"', () => {
    const ok = validateConfigForm(botForm().config);
    expect(ok.ok && ok.config.type).toBe('grid');
    const bad = validateConfigForm({ ...botForm().config, grid: { ...botForm().config.grid, symbol: '' } });
    expect(bad.ok === false && bad.errors['config.grid.symbol']).toMatch(/ccxt unified/);
  });
});

describe('stored config → form', () => {
  const configs: BotConfig[] = [
    {
      type: 'grid',
      marketType: 'swap',
      leverage: 3,
      risk: { maxHoldingMs: 7_200_000, cooldown: { afterLosses: 2, pauseMinutes: 45 } },
      grid: { symbol: 'BTC/USDT:USDT', levels: 8, spacingPct: 0.5, sellOffsetPct: 0.7, orderSize: { mode: 'base', value: '0.01' }, repricePct: 0, maxOpenPositions: 4 },
    },
    {
      type: 'spread',
      marketType: 'spot',
      leverage: 1,
      risk: { dailyLossLimit: '25' },
      spread: { symbolA: 'ETH/USDT', symbolB: 'BTC/USDT', entryPct: 4, stepPct: 2, sizeMultiplier: 1.5, maxAdds: 3, orderQuote: '50', takeProfitRevertPct: 2, takeProfitPct: 1, stopLossPct: 8 },
    },
    {
      type: 'signal',
      marketType: 'spot',
      leverage: 1,
      risk: { maxOpenPositions: 2, stopLossPct: 3 },
      signal: { symbols: ['BTC/USDT', 'ETH/USDT'], minScore: 18, sizing: { mode: 'risk', value: '1' }, stopAtrMult: 2, takeProfitAtrMult: 4, atrPeriod: 21 },
    },
  ];

  it.each(configs)('round-trips a $type config through the form unchanged', (config) => {
    const r = validateBotForm(botToForm({ name: 'x', accountId: ACCOUNT, config }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.input.config).toEqual(config);
  });

  it('shows the time stop in hours', () => {
    expect(configToForm(configs[0]!).risk.maxHoldingHours).toBe('2');
  });

  it('converts every symbol when the market type changes', () => {
    const c = configToForm(configs[2]!);
    const swap = withMarketType(c, 'swap');
    expect(swap.signal.symbols).toBe('BTC/USDT:USDT, ETH/USDT:USDT');
    expect(swap.grid.symbol).toBe('BTC/USDT:USDT');
    expect(swap.spread.symbolA).toBe('ETH/USDT:USDT');
    expect(withMarketType(swap, 'spot').signal.symbols).toBe('BTC/USDT, ETH/USDT');
    expect(withMarketType(c, 'spot')).toBe(c);
  });
});

describe('placeErrors', () => {
  it('keeps errors of shown fields (and their sub-paths) and moves the rest to form', () => {
    const out = placeErrors({ 'config.grid.levels': 'bad', 'config.grid.orderSize.value': 'zero', 'config.spread': 'x', form: 'top' }, ['config.grid.levels', 'config.grid.orderSize']);
    expect(out).toEqual({ 'config.grid.levels': 'bad', 'config.grid.orderSize.value': 'zero', form: 'config.spread: x; top' });
  });
});

describe('validateRiskForm (account risk rules)', () => {
  const blank = riskToForm({});
  it('blank fields are rules off; typed ones become the shared rules (time stop hours → ms)', () => {
    expect(validateRiskForm(blank)).toEqual({ ok: true, rules: {} });
    expect(validateRiskForm({ ...blank, maxOpenPositions: '4', maxHoldingHours: '1.5', dailyLossLimit: '250', cooldownAfterLosses: '3', cooldownPauseMinutes: '60' })).toEqual({
      ok: true,
      rules: { maxOpenPositions: 4, maxHoldingMs: 5_400_000, dailyLossLimit: '250', cooldown: { afterLosses: 3, pauseMinutes: 60 } },
    });
  });
  it('names the field of each bad rule, keyed like the bot editor', () => {
    const r = validateRiskForm({ ...blank, maxOpenPositions: '0', stopLossPct: 'abc', cooldownAfterLosses: '2' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['config.risk.cooldown.pauseMinutes', 'config.risk.maxOpenPositions', 'config.risk.stopLossPct']);
    expect(r.errors['config.risk.stopLossPct']).toBe('must be a number');
    expect(r.errors['config.risk.cooldown.pauseMinutes']).toBe('required for a cooldown');
  });
  it('round-trips stored rules through the form', () => {
    const rules = { stopLossPct: 7.5, maxHoldingMs: 7_200_000, dailyLossLimit: '100.5' };
    expect(validateRiskForm(riskToForm(rules))).toEqual({ ok: true, rules });
  });
});
