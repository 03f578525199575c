import { useId, useMemo, type ReactNode } from 'react';
import { BOT_TYPES, MARKET_TYPES, type BotType, type MarketType } from '@osprey/shared';
import { useI18n } from '../lib/i18n.js';
import { errorUnder, type FieldErrors } from '../lib/form.js';
import { FieldError } from '../components/FieldError.js';
import { GRID_PARAMS, RISK_PARAMS, SIGNAL_PARAMS, SPREAD_PARAMS, fieldMessage, type ParamSpec } from './editor-fields.js';
import {
  SIGNAL_SIZING_MODES,
  defaultConfigForm,
  symbolSuggestions,
  withMarketType,
  type ConfigFormState,
  type RiskFormState,
  type SignalSizingMode,
} from './bot-form.js';

/** A labelled form field with a help line and its inline error (`field-error-<field>`). */
export function BotField({ label, help, errors, field, nested = true, children, wide = false }: { label: string; help?: string; errors: FieldErrors; field: string; nested?: boolean; children: ReactNode; wide?: boolean }) {
  return (
    <label className={`field bot-field ${wide ? 'bot-field-wide' : ''}`}>
      <span>{label}</span>
      {children}
      {help && <span className="hint">{help}</span>}
      <FieldError errors={errors} field={field} nested={nested} />
    </label>
  );
}

/**
 * The risk rule inputs (all optional, blank = off; the time stop in hours), shared by the bot editor and the
 * account risk rules form. Inputs carry `data-testid="<testPrefix>-<field>"`; errors are keyed
 * `config.risk.<path>` (see `validateRiskForm`).
 */
export function RiskFields({ value, onChange, errors, testPrefix = 'bot-risk' }: { value: RiskFormState; onChange: (next: RiskFormState) => void; errors: FieldErrors; testPrefix?: string }) {
  const { t } = useI18n();
  return (
    <>
      <div className="bot-grid-fields">
        {RISK_PARAMS.map((spec) => {
          const errorKey = `config.risk.${spec.errorKey ?? spec.key}`;
          return (
            <BotField key={spec.key} label={t(fieldMessage('f', 'risk', spec.key))} help={t(fieldMessage('h', 'risk', spec.key))} errors={errors} field={errorKey}>
              <div className="input-suffix">
                <input
                  className={`input num ${errorUnder(errors, errorKey) ? 'invalid' : ''}`}
                  data-testid={`${testPrefix}-${spec.key}`}
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder={t('bots.off')}
                  value={value[spec.key]}
                  onChange={(e) => onChange({ ...value, [spec.key]: e.target.value })}
                />
                {spec.suffix && <span>{spec.suffix}</span>}
              </div>
            </BotField>
          );
        })}
      </div>
      <FieldError errors={errors} field="config.risk.cooldown" />
    </>
  );
}

/** Props of {@link BotConfigEditor}. */
export interface BotConfigEditorProps {
  value: ConfigFormState;
  onChange: (next: ConfigFormState) => void;
  /** Errors keyed by input path (`config.grid.levels`…). */
  errors: FieldErrors;
  /** The market feed's (spot) symbols, offered as suggestions in the market type's form. */
  feedSymbols: readonly string[];
  /** `account`: the market type follows the bot's account (shown read-only); `select`: chosen here (backtests). */
  marketTypeSource: 'account' | 'select';
}

/**
 * The bot config editor shared by the bot form and the backtest run form: type (grid / DCA spread / signal),
 * market type, leverage (perpetuals), the type's parameters pre-filled with the schema defaults (a blank
 * field means the default, shown as placeholder) with a help line each, and the optional risk rules. Inputs
 * carry `data-testid="bot-<section>-<field>"` (e.g. `bot-grid-symbol`, `bot-risk-maxHoldingHours`); errors show
 * under their field.
 */
export function BotConfigEditor({ value, onChange, errors, feedSymbols, marketTypeSource }: BotConfigEditorProps) {
  const { t } = useI18n();
  const listId = useId();
  const defaults = useMemo(() => defaultConfigForm(value.marketType), [value.marketType]);
  const suggestions = useMemo(() => symbolSuggestions(feedSymbols, value.marketType), [feedSymbols, value.marketType]);

  const setSection = <K extends 'grid' | 'spread' | 'signal'>(section: K, patch: Partial<ConfigFormState[K]>) =>
    onChange({ ...value, [section]: { ...value[section], ...patch } });

  const input = <K extends 'grid' | 'spread' | 'signal'>(section: K, spec: ParamSpec<ConfigFormState[K]>) => {
    const errorKey = `config.${section}.${spec.errorKey ?? spec.key}`;
    const current = value[section][spec.key] as string;
    const placeholder = defaults[section][spec.key] as string;
    return (
      <BotField
        key={spec.key}
        label={t(fieldMessage('f', section, spec.key))}
        help={t(fieldMessage('h', section, spec.key))}
        errors={errors}
        field={errorKey}
      >
        <div className="input-suffix">
          <input
            className={`input num ${errorUnder(errors, errorKey) ? 'invalid' : ''}`}
            data-testid={`bot-${section}-${spec.key}`}
            inputMode="decimal"
            autoComplete="off"
            placeholder={placeholder || undefined}
            value={current}
            onChange={(e) => setSection(section, { [spec.key]: e.target.value } as Partial<ConfigFormState[K]>)}
          />
          {spec.suffix && <span>{spec.suffix}</span>}
        </div>
      </BotField>
    );
  };

  const symbolInput = (section: 'grid' | 'spread', key: 'symbol' | 'symbolA' | 'symbolB', current: string) => {
    const errorKey = `config.${section}.${key}`;
    return (
      <BotField key={key} label={t(fieldMessage('f', section, key))} help={t(fieldMessage('h', section, key))} errors={errors} field={errorKey}>
        <input
          className={`input input-symbol ${errorUnder(errors, errorKey) ? 'invalid' : ''}`}
          data-testid={`bot-${section}-${key}`}
          list={listId}
          autoComplete="off"
          spellCheck={false}
          placeholder={suggestions[0]}
          value={current}
          onChange={(e) => setSection(section, { [key]: e.target.value.toUpperCase() } as Partial<ConfigFormState[typeof section]>)}
        />
      </BotField>
    );
  };

  return (
    <div className="bot-editor" data-testid="bot-config-editor" data-type={value.type} data-market-type={value.marketType}>
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <div className="form-row">
        <BotField label={t('bots.type')} help={t(`bots.typeHelp.${value.type}`)} errors={errors} field="config.type">
          <select className="select" data-testid="bot-type" value={value.type} onChange={(e) => onChange({ ...value, type: e.target.value as BotType })}>
            {BOT_TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {t(`bots.type.${ty}`)}
              </option>
            ))}
          </select>
        </BotField>
        {marketTypeSource === 'select' ? (
          <BotField label={t('accounts.marketType')} help={t('bots.h.marketTypeSelect')} errors={errors} field="config.marketType">
            <select className="select" data-testid="bot-market-type" value={value.marketType} onChange={(e) => onChange(withMarketType(value, e.target.value as MarketType))}>
              {MARKET_TYPES.map((m) => (
                <option key={m} value={m}>
                  {t(`accounts.marketType.${m}`)}
                </option>
              ))}
            </select>
          </BotField>
        ) : (
          <div className="field bot-field">
            <span>{t('accounts.marketType')}</span>
            <div className="input input-static" data-testid="bot-market-type" data-value={value.marketType}>
              {t(`accounts.marketType.${value.marketType}`)}
            </div>
            <span className="hint">{t('bots.h.marketTypeAccount')}</span>
            <FieldError errors={errors} field="config.marketType" />
          </div>
        )}
      </div>
      {value.marketType === 'swap' && (
        <BotField label={t('ticket.leverage')} help={t('bots.h.leverage')} errors={errors} field="config.leverage">
          <div className="input-suffix">
            <input
              className={`input num ${errors['config.leverage'] ? 'invalid' : ''}`}
              data-testid="bot-leverage"
              inputMode="numeric"
              placeholder="1"
              value={value.leverage}
              onChange={(e) => onChange({ ...value, leverage: e.target.value })}
            />
            <span>×</span>
          </div>
        </BotField>
      )}

      <fieldset className="fieldset" data-testid={`bot-params-${value.type}`}>
        <legend>{t('bots.params', { type: t(`bots.type.${value.type}`) })}</legend>
        {value.type === 'grid' && (
          <div className="bot-grid-fields">
            {symbolInput('grid', 'symbol', value.grid.symbol)}
            <SizeField
              label={t('bots.f.grid.orderSize')}
              help={t('bots.h.grid.orderSize')}
              errors={errors}
              field="config.grid.orderSize"
              testId="bot-grid-orderSize"
              modes={['quote', 'base'] as const}
              modeLabel={(m) => t(m === 'quote' ? 'bots.size.quote' : 'bots.size.base')}
              mode={value.grid.orderSizeMode}
              amount={value.grid.orderSizeValue}
              placeholder={defaults.grid.orderSizeValue}
              onMode={(m) => setSection('grid', { orderSizeMode: m })}
              onAmount={(v) => setSection('grid', { orderSizeValue: v })}
            />
            {GRID_PARAMS.map((p) => input('grid', p))}
          </div>
        )}
        {value.type === 'spread' && (
          <div className="bot-grid-fields">
            {symbolInput('spread', 'symbolA', value.spread.symbolA)}
            {symbolInput('spread', 'symbolB', value.spread.symbolB)}
            {SPREAD_PARAMS.map((p) => input('spread', p))}
          </div>
        )}
        {value.type === 'signal' && (
          <div className="bot-grid-fields">
            <BotField label={t('bots.f.signal.symbols')} help={t('bots.h.signal.symbols')} errors={errors} field="config.signal.symbols" wide>
              <input
                className={`input input-symbol ${errorUnder(errors, 'config.signal.symbols') ? 'invalid' : ''}`}
                data-testid="bot-signal-symbols"
                autoComplete="off"
                spellCheck={false}
                placeholder={suggestions.slice(0, 2).join(', ')}
                value={value.signal.symbols}
                onChange={(e) => setSection('signal', { symbols: e.target.value.toUpperCase() })}
              />
            </BotField>
            <SizeField
              label={t('bots.f.signal.sizing')}
              help={t(`bots.h.signal.sizing.${value.signal.sizingMode}`)}
              errors={errors}
              field="config.signal.sizing"
              testId="bot-signal-sizing"
              modes={SIGNAL_SIZING_MODES}
              modeLabel={(m: SignalSizingMode) => t(`bots.sizing.${m}`)}
              mode={value.signal.sizingMode}
              amount={value.signal.sizingValue}
              placeholder={defaults.signal.sizingValue}
              onMode={(m) => setSection('signal', { sizingMode: m })}
              onAmount={(v) => setSection('signal', { sizingValue: v })}
            />
            {SIGNAL_PARAMS.map((p) => input('signal', p))}
          </div>
        )}
      </fieldset>

      <fieldset className="fieldset" data-testid="bot-risk">
        <legend>{t('bots.risk')}</legend>
        <p className="hint">{t('bots.riskHelp')}</p>
        <RiskFields value={value.risk} onChange={(risk) => onChange({ ...value, risk })} errors={errors} />
      </fieldset>
    </div>
  );
}

/** A size with a mode selector (`<testId>-mode`) and an amount (`<testId>-value`). */
function SizeField<M extends string>({
  label,
  help,
  errors,
  field,
  testId,
  modes,
  modeLabel,
  mode,
  amount,
  placeholder,
  onMode,
  onAmount,
}: {
  label: string;
  help: string;
  errors: FieldErrors;
  field: string;
  testId: string;
  modes: readonly M[];
  modeLabel: (m: M) => string;
  mode: M;
  amount: string;
  placeholder: string;
  onMode: (m: M) => void;
  onAmount: (v: string) => void;
}) {
  return (
    <BotField label={label} help={help} errors={errors} field={field} wide>
      <div className="input-group">
        <select className="select" data-testid={`${testId}-mode`} aria-label={label} value={mode} onChange={(e) => onMode(e.target.value as M)}>
          {modes.map((m) => (
            <option key={m} value={m}>
              {modeLabel(m)}
            </option>
          ))}
        </select>
        <input
          className={`input num grow ${errorUnder(errors, field) ? 'invalid' : ''}`}
          data-testid={`${testId}-value`}
          inputMode="decimal"
          autoComplete="off"
          placeholder={placeholder}
          value={amount}
          onChange={(e) => onAmount(e.target.value)}
        />
      </div>
    </BotField>
  );
}
