import { describe, expect, it } from 'vitest';
import { humanizeFieldPaths } from './errors.js';

describe('humanizeFieldPaths', () => {
  it('turns field paths into words', () => {
    expect(humanizeFieldPaths('config.risk.cooldown.pauseMinutes: must be at most 43200 (30 days)')).toBe('Pause minutes must be at most 43200 (30 days)');
    expect(humanizeFieldPaths('takeProfits.1.price: must be above the entry')).toBe('Price must be above the entry');
    expect(humanizeFieldPaths('stopLoss: a long needs it below the entry')).toBe('Stop loss: a long needs it below the entry');
    expect(humanizeFieldPaths('email: email must be a valid address')).toBe('Email must be a valid address');
  });
  it('drops ids and input, keeps plain text and joins parts', () => {
    expect(humanizeFieldPaths('userId: you cannot disable yourself')).toBe('You cannot disable yourself');
    expect(humanizeFieldPaths('input: control characters')).toBe('Control characters');
    expect(humanizeFieldPaths('Insufficient balance: need 500 USDT')).toBe('Insufficient balance: need 500 USDT');
    expect(humanizeFieldPaths('name: is required; levels: must be at most 100')).toBe('Name is required; Levels must be at most 100');
  });
});
