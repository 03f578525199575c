import { describe, expect, it } from 'vitest';
import { formatAmount, formatMoney } from './format.js';

describe('formatAmount', () => {
  it('rounds by magnitude and trims zeros', () => {
    expect(formatAmount('8998.6198665463')).toBe('8998.62');
    expect(formatAmount('12.345678')).toBe('12.3457');
    expect(formatAmount('0.01541')).toBe('0.01541');
    expect(formatAmount('0.000000001')).toBe('0');
    expect(formatAmount('-0.5')).toBe('-0.5');
    expect(formatAmount('10000')).toBe('10000');
    expect(formatAmount(null)).toBe('-');
    expect(formatAmount('x')).toBe('-');
  });
});

describe('formatMoney', () => {
  it('shows cents above 1 and 4 significant digits below', () => {
    expect(formatMoney('999.4469778832')).toBe('999.45');
    expect(formatMoney('0.9994469778832')).toBe('0.9994');
    expect(formatMoney('0.0999')).toBe('0.0999');
    expect(formatMoney(0)).toBe('0');
    expect(formatMoney(-1.005)).toBe('-1.00');
  });
});

describe('translateExternal: shared validation messages in Chinese', () => {
  it('exact messages and the numbered patterns; English passes through', async () => {
    const { translateExternal } = await import('./i18n.js');
    expect(translateExternal('zh', 'must be at least 1')).toBe('不能小于 1');
    expect(translateExternal('zh', 'must be at most 100')).toBe('不能大于 100');
    expect(translateExternal('zh', 'is required')).toBe('必填');
    expect(translateExternal('zh', 'must be a number')).toBe('必须是数字');
    expect(translateExternal('zh', 'something else')).toBe('something else');
    expect(translateExternal('en', 'must be at least 1')).toBe('must be at least 1');
  });
});
