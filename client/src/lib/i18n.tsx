import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

/** English dictionary; its keys are the set of UI message ids. `{name}` marks an interpolated parameter. */
const en = {
  'app.name': 'Osprey',
  'app.tagline': 'Crypto trading workbench',
  'app.loading': 'Loading…',
  'app.serverDown': 'Cannot reach the Osprey server.',
  'app.retry': 'Retry',

  'login.title': 'Sign in',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.rateLimited': 'Too many attempts. Please wait a minute and try again.',
  'login.failed': 'Sign-in failed: {message}',

  'nav.market': 'Market',
  'nav.trade': 'Trade',
  'nav.bots': 'Bots',
  'nav.backtests': 'Backtests',
  'nav.signals': 'Signals / Discord',
  'nav.arena': 'Arena',
  'nav.settings': 'Settings',
  'nav.users': 'Users',
  'nav.soon': 'soon',
  'nav.comingSoon': 'Coming soon',

  'header.language': 'Language',
  'header.logout': 'Log out',
  'header.feedTime': 'Feed time',
  'header.time': 'Time',
  'header.utc': 'UTC',
  'header.replay': 'Replay',
  'header.live': 'Live',
  'header.paused': 'paused',
  'header.speed': '×{speed}',
  'header.admin': 'admin',
  'header.trader': 'trader',

  'users.title': 'Users',
  'users.email': 'Email',
  'users.role': 'Role',
  'users.created': 'Created',
  'users.empty': 'No users yet.',
  'users.add': 'Add user',
  'users.password': 'Password',
  'users.submit': 'Create user',
  'users.submitting': 'Creating…',
  'users.created.toast': 'User {email} created',
  'users.forbidden': 'Only administrators can manage users.',

  'market.symbol': 'Symbol',
  'market.timeframe': 'Timeframe',
  'market.exchange': 'Exchange',
  'market.noCandles': 'No candles yet',
  'market.loadingChart': 'Loading candles…',
  'market.candles': '{count} candles',
  'market.last': 'Last',
  'market.live': 'live',
  'market.connecting': 'connecting',
  'market.offline': 'offline',
  'market.detectNow': 'Detect now',
  'market.detecting': 'Detecting…',
  'market.detectResult': 'Detector result',
  'market.detectSignal': '{type} signal · score {score} · size ×{mult}',
  'market.detectNone': 'No signal',
  'market.outOfRange': 'This signal is outside the loaded chart history.',
  'market.detectReason': 'Reason: {reason}',
  'market.detectCandle': 'Evaluated 15m candle: {time}',
  'market.detectScore': 'Score {total} (minimum {min})',
  'market.detectMissing': 'Missing: {list}',
  'market.noSymbols': 'No symbols are being tracked yet.',
  'market.lastClose': 'Last close',

  'reason.insufficient_15m': 'not enough 15m candles yet',
  'reason.insufficient_4h': 'not enough 4h candles yet',
  'reason.missing_indicators': 'indicators are not warmed up',
  'reason.inactive': 'market inactive (Bollinger width below threshold)',
  'reason.neutral': 'market neutral (close within the EMA band)',
  'reason.not_aligned': '15m and 4h trends disagree',
  'reason.no_trigger': 'no MACD trigger',
  'reason.rsi_guard': 'RSI guard blocked the trigger',
  'reason.score_below_min': 'score below the minimum',

  'signals.title': 'Signals',
  'signals.empty': 'No signals for this symbol yet.',
  'signals.time': 'Time',
  'signals.symbol': 'Symbol',
  'signals.type': 'Type',
  'signals.score': 'Score',
  'signals.mult': 'Size',
  'signals.expiry': 'Expires',
  'signals.status': 'Status',
  'signals.active': 'ACTIVE',
  'signals.expired': 'EXPIRED',
  'signals.LONG': 'LONG',
  'signals.SHORT': 'SHORT',

  'chart.open': 'O',
  'chart.high': 'H',
  'chart.low': 'L',
  'chart.close': 'C',
  'chart.volume': 'Vol',
  'chart.signal': '{type} signal',
  'chart.score': 'Score',
  'chart.multiplier': 'Size multiplier',
  'chart.expires': 'Expires',
  'chart.filter': 'Filter',
  'chart.trigger': 'Trigger',
  'chart.confirm': 'Confirm',
  'chart.volumePane': 'Volume',

  'toast.newSignal': 'New {type} signal {symbol} score {score}',
  'toast.requestFailed': 'Request failed: {message}',
  'toast.liveFailed': 'Live updates interrupted: {message}',
  'toast.dismiss': 'Dismiss',
};

/** A UI message id. */
export type MessageKey = keyof typeof en;
/** Interpolation parameters of a message. */
export type MessageParams = Record<string, string | number>;

const zh: Record<MessageKey, string> = {
  'app.name': 'Osprey',
  'app.tagline': '加密货币交易工作台',
  'app.loading': '加载中…',
  'app.serverDown': '无法连接 Osprey 服务器。',
  'app.retry': '重试',

  'login.title': '登录',
  'login.email': '邮箱',
  'login.password': '密码',
  'login.submit': '登录',
  'login.submitting': '登录中…',
  'login.rateLimited': '尝试次数过多，请稍候一分钟再试。',
  'login.failed': '登录失败：{message}',

  'nav.market': '行情',
  'nav.trade': '交易',
  'nav.bots': '机器人',
  'nav.backtests': '回测',
  'nav.signals': '信号 / Discord',
  'nav.arena': '竞技场',
  'nav.settings': '设置',
  'nav.users': '用户',
  'nav.soon': '即将推出',
  'nav.comingSoon': '即将推出',

  'header.language': '语言',
  'header.logout': '退出登录',
  'header.feedTime': '行情时间',
  'header.time': '时间',
  'header.utc': 'UTC',
  'header.replay': '回放',
  'header.live': '实时',
  'header.paused': '已暂停',
  'header.speed': '×{speed}',
  'header.admin': '管理员',
  'header.trader': '交易员',

  'users.title': '用户',
  'users.email': '邮箱',
  'users.role': '角色',
  'users.created': '创建时间',
  'users.empty': '暂无用户。',
  'users.add': '添加用户',
  'users.password': '密码',
  'users.submit': '创建用户',
  'users.submitting': '创建中…',
  'users.created.toast': '已创建用户 {email}',
  'users.forbidden': '只有管理员可以管理用户。',

  'market.symbol': '交易对',
  'market.timeframe': '周期',
  'market.exchange': '交易所',
  'market.noCandles': '暂无K线',
  'market.loadingChart': 'K线加载中…',
  'market.candles': '{count} 根K线',
  'market.last': '最新',
  'market.live': '实时',
  'market.connecting': '连接中',
  'market.offline': '离线',
  'market.detectNow': '立即检测',
  'market.detecting': '检测中…',
  'market.detectResult': '检测结果',
  'market.detectSignal': '{type} 信号 · 评分 {score} · 仓位 ×{mult}',
  'market.detectNone': '无信号',
  'market.outOfRange': '该信号不在已加载的图表历史范围内。',
  'market.detectReason': '原因：{reason}',
  'market.detectCandle': '评估的 15m K线：{time}',
  'market.detectScore': '评分 {total}（最低 {min}）',
  'market.detectMissing': '缺失：{list}',
  'market.noSymbols': '暂无跟踪的交易对。',
  'market.lastClose': '最新收盘',

  'reason.insufficient_15m': '15m K线数量不足',
  'reason.insufficient_4h': '4h K线数量不足',
  'reason.missing_indicators': '指标尚未预热',
  'reason.inactive': '市场不活跃（布林带宽度低于阈值）',
  'reason.neutral': '市场中性（收盘价在 EMA 区间内）',
  'reason.not_aligned': '15m 与 4h 趋势不一致',
  'reason.no_trigger': '无 MACD 触发',
  'reason.rsi_guard': 'RSI 限制阻止了触发',
  'reason.score_below_min': '评分低于最低要求',

  'signals.title': '信号',
  'signals.empty': '该交易对暂无信号。',
  'signals.time': '时间',
  'signals.symbol': '交易对',
  'signals.type': '方向',
  'signals.score': '评分',
  'signals.mult': '仓位',
  'signals.expiry': '到期',
  'signals.status': '状态',
  'signals.active': '有效',
  'signals.expired': '已过期',
  'signals.LONG': '做多',
  'signals.SHORT': '做空',

  'chart.open': '开',
  'chart.high': '高',
  'chart.low': '低',
  'chart.close': '收',
  'chart.volume': '量',
  'chart.signal': '{type} 信号',
  'chart.score': '评分',
  'chart.multiplier': '仓位倍数',
  'chart.expires': '到期',
  'chart.filter': '过滤层',
  'chart.trigger': '触发层',
  'chart.confirm': '确认层',
  'chart.volumePane': '成交量',

  'toast.newSignal': '新 {type} 信号 {symbol} 评分 {score}',
  'toast.requestFailed': '请求失败：{message}',
  'toast.liveFailed': '实时更新中断：{message}',
  'toast.dismiss': '关闭',
};

/**
 * Chinese renderings of messages that originate outside the client (zod messages from `@osprey/shared`,
 * server errors). Unknown messages are shown as-is.
 */
const zhExternal: Record<string, string> = {
  'Invalid email or password': '邮箱或密码错误',
  'email must be a valid address': '请输入有效的邮箱地址',
  'password is required': '请输入密码',
  'password must be at least 10 characters': '密码至少需要 10 个字符',
};

/** Supported UI languages. */
export const LANGS = ['en', 'zh'] as const;
/** One of {@link LANGS}. */
export type Lang = (typeof LANGS)[number];
/** Display names of the languages, in their own language. */
export const LANG_NAMES: Record<Lang, string> = { en: 'English', zh: '简体中文' };

const DICTS: Record<Lang, Record<MessageKey, string>> = { en, zh };
const STORAGE_KEY = 'osprey.lang';

/** Replaces `{name}` placeholders in `template` with `params[name]` (missing ones are left intact). */
export function interpolate(template: string, params?: MessageParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Translates message `key` in `lang`, interpolating `params`. */
export function translate(lang: Lang, key: MessageKey, params?: MessageParams): string {
  return interpolate(DICTS[lang][key] ?? en[key], params);
}

/** Translates a message that came from outside the client (zod or server), or returns it unchanged. */
export function translateExternal(lang: Lang, message: string): string {
  return lang === 'zh' ? (zhExternal[message] ?? message) : message;
}

/** Reads the saved language from localStorage, else guesses from `navigator.language`. */
function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh') return saved;
  } catch {
    /* storage unavailable */
  }
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** What {@link useI18n} returns. */
export interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  /** Translate a UI message. */
  t: (key: MessageKey, params?: MessageParams) => string;
  /** Translate a zod/server message when a rendering is known, else return it unchanged. */
  tx: (message: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

/** Provides the current language (persisted in localStorage under `osprey.lang`) to the tree. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* storage unavailable */
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, params) => translate(lang, key, params),
      tx: (message) => translateExternal(lang, message),
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The i18n context; throws if used outside {@link I18nProvider}. */
export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n must be used inside <I18nProvider>');
  return ctx;
}
