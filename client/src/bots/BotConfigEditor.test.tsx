import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ReactNode } from 'react';
import { I18nProvider } from '../lib/i18n.js';
import { BotConfigEditor } from './BotConfigEditor.js';
import { EventsTable, RoundTripsTable } from './BotTables.js';
import { MetricCards } from './BacktestResult.js';
import { defaultConfigForm, validateBotForm, type ConfigFormState } from './bot-form.js';

function html(node: ReactNode): string {
  return renderToStaticMarkup(<I18nProvider>{node}</I18nProvider>);
}

function editor(value: ConfigFormState, errors: Record<string, string> = {}, source: 'account' | 'select' = 'account') {
  return html(<BotConfigEditor value={value} onChange={() => undefined} errors={errors} feedSymbols={['BTC/USDT', 'ETH/USDT']} marketTypeSource={source} />);
}

describe('BotConfigEditor (rendered)', () => {
  it.each(['grid', 'spread', 'signal'] as const)('renders the %s parameters with their defaults and the risk rules', (type) => {
    const out = editor({ ...defaultConfigForm('spot', ['BTC/USDT', 'ETH/USDT']), type });
    expect(out).toContain(`data-testid="bot-params-${type}"`);
    expect(out).toContain('data-testid="bot-risk-maxHoldingHours"');
    if (type === 'grid') expect(out).toMatch(/data-testid="bot-grid-levels"[^>]*value="5"/);
    if (type === 'spread') expect(out).toMatch(/data-testid="bot-spread-symbolA"[^>]*value="ETH\/USDT"/);
    if (type === 'signal') expect(out).toMatch(/data-testid="bot-signal-symbols"[^>]*value="BTC\/USDT"/);
    expect(out).not.toContain('undefined');
  });

  it('shows each validation issue next to its field', () => {
    const base = defaultConfigForm('spot', ['BTC/USDT']);
    const config = { ...base, grid: { ...base.grid, levels: '0', symbol: 'BTC/USDT:USDT' }, risk: { ...base.risk, cooldownAfterLosses: '2' } };
    const r = validateBotForm({ name: 'x', accountId: '00000000-0000-4000-8000-000000000001', config });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const out = editor(config, r.errors);
    for (const key of ['config.grid.levels', 'config.grid.symbol', 'config.risk.cooldown.pauseMinutes']) expect(out).toContain(`data-testid="field-error-${key}"`);
  });

  it('offers leverage and a market type selector only where they apply', () => {
    expect(editor(defaultConfigForm('spot'))).not.toContain('bot-leverage');
    expect(editor(defaultConfigForm('swap'))).toContain('bot-leverage');
    expect(editor(defaultConfigForm('spot'), {}, 'select')).toMatch(/<select[^>]*data-testid="bot-market-type"/);
  });
});

describe('tables (rendered)', () => {
  it('renders round trips, events with their numbers, and metric cards', () => {
    const trips = html(
      <RoundTripsTable
        trips={[{ symbol: 'BTC/USDT', side: 'long', entryClientOrderId: 'a', exitClientOrderId: 'b', amount: '0.01', entryPrice: '60000', exitPrice: '60600', entryFee: '0.6', exitFee: '0.606', pnl: '4.794', openedAt: 0, closedAt: 3_600_000 }]}
      />,
    );
    expect(trips).toContain('data-testid="bot-trip-row"');
    expect(trips).toContain('+4.79');
    const events = html(<EventsTable events={[{ ts: 0, kind: 'risk', code: 'risk.dailyLossLimit', message: 'daily loss limit reached', detail: { loss: '52.5', limit: 50 } }]} />);
    expect(events).toContain('data-code="risk.dailyLossLimit"');
    expect(events).toContain('loss <b>52.5</b>');
    const cards = html(
      <MetricCards
        metrics={{ startEquity: '10000', endEquity: '10500', netPnl: '500', totalReturnPct: 5, maxDrawdownPct: 2, sharpe: 1.5, sortino: null, winRatePct: 50, profitFactor: 1.2, roundTrips: 4, avgHoldingMs: 7_200_000, exposurePct: 30, feesPaid: '3.2' }}
      />,
    );
    expect(cards).toContain('data-testid="bt-metric-sortino"');
    expect(cards).toMatch(/bt-metric-sortino[^>]*title="From daily returns, annualised ×√365/);
    expect(cards).toContain('+5.00%');
  });
});
