import { useId, useState } from 'react';
import { useI18n } from '../lib/i18n.js';
import { filterExchanges } from './account-form.js';

/**
 * Exchange id picker with search: a text input (`account-exchange`) whose matches among the server's ccxt
 * ids drop down below it (`account-exchange-option`, prefix matches first). Typing an id exactly works
 * without picking; arrow keys and Enter pick from the list.
 */
export function ExchangePicker({
  value,
  onChange,
  exchanges,
  invalid,
}: {
  value: string;
  onChange: (id: string) => void;
  exchanges: readonly string[];
  invalid: boolean;
}) {
  const { t } = useI18n();
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const matches = filterExchanges(exchanges, value, 8);
  const exact = exchanges.includes(value.trim().toLowerCase());
  const show = open && matches.length > 0 && !(exact && matches.length === 1);

  const pick = (id: string) => {
    onChange(id);
    setOpen(false);
  };

  return (
    <div className="combo">
      <input
        className={`input ${invalid ? 'invalid' : ''}`}
        data-testid="account-exchange"
        role="combobox"
        aria-expanded={show}
        aria-controls={listId}
        aria-autocomplete="list"
        autoComplete="off"
        spellCheck={false}
        placeholder={t('accounts.exchangeSearch')}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 120)}
        onKeyDown={(e) => {
          if (!show) return;
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(matches.length - 1, a + 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(0, a - 1));
          } else if (e.key === 'Enter') {
            const id = matches[active];
            if (id) {
              e.preventDefault();
              pick(id);
            }
          } else if (e.key === 'Escape') setOpen(false);
        }}
      />
      {show && (
        <ul className="combo-list" id={listId} role="listbox">
          {matches.map((id, i) => (
            <li
              key={id}
              role="option"
              aria-selected={i === active}
              className={`combo-option ${i === active ? 'active' : ''}`}
              data-testid="account-exchange-option"
              data-value={id}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(id);
              }}
            >
              {id}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
