import { describe, expect, it } from 'vitest';
import { LANGS, translate, type MessageKey } from '../lib/i18n.js';
import { METRICS } from './metrics.js';
import { configFieldKeys } from './bot-form.js';
import { GRID_PARAMS, RISK_PARAMS, SIGNAL_PARAMS, SPREAD_PARAMS, editorMessageKeys } from './editor-fields.js';

describe('editor fields', () => {
  it.each(LANGS)('every message the editor builds from names exists in %s', (lang) => {
    const keys = [...editorMessageKeys(), ...METRICS.flatMap((m) => [m.label, ...(m.hint ? [m.hint] : [])])];
    const missing = keys.filter((k) => {
      try {
        const text = translate(lang, k as MessageKey);
        return typeof text !== 'string' || text === '' || text === k;
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
  });

  it('shows every parameter input under an error key the validation uses', () => {
    const sections = [
      ['grid', GRID_PARAMS],
      ['spread', SPREAD_PARAMS],
      ['signal', SIGNAL_PARAMS],
    ] as const;
    for (const [type, params] of sections) {
      const known = configFieldKeys(type);
      for (const p of [...params, ...RISK_PARAMS]) {
        const section = (RISK_PARAMS as readonly { key: string }[]).includes(p) ? 'risk' : type;
        const key = `config.${section}.${p.errorKey ?? p.key}`;
        expect(known.some((k) => key === k || key.startsWith(`${k}.`)), key).toBe(true);
      }
    }
  });
});
