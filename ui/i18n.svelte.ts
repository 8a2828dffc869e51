/**
 * The language layer every app shares: dictionaries per locale, the chosen locale
 * (browser language by default, switchable, persisted), message lookup with `{name}`
 * parameters, and Intl formatters bound to the locale. An app registers its own
 * dictionaries with `extend`; the shell's are built in.
 */
import { missingKeys } from './i18n-keys.ts';
import { shellEn, shellZh } from './messages.ts';

export { missingKeys };

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
export type Dictionary = Record<string, string>;
export type Params = Record<string, string | number>;

const STORAGE_KEY = 'callboard.locale';

/** The locale a browser's language list asks for: any `zh*` gets Simplified Chinese, the rest English. */
export function pickLocale(languages: readonly string[]): Locale {
  for (const l of languages) {
    const lower = l.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

function storedLocale(): Locale | null {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v && (LOCALES as readonly string[]).includes(v) ? (v as Locale) : null;
  } catch {
    return null;
  }
}

export class I18n {
  locale = $state<Locale>('en');
  #dicts: Record<Locale, Dictionary> = { en: { ...shellEn }, 'zh-CN': { ...shellZh } };

  constructor() {
    const nav = globalThis.navigator;
    this.locale = storedLocale() ?? pickLocale(nav ? (nav.languages?.length ? nav.languages : [nav.language]) : []);
    this.#applyDocument();
  }

  /** Adds an app's dictionaries (English is the reference; a key missing in another locale is reported in dev). */
  extend(dicts: Record<Locale, Dictionary>): void {
    for (const l of LOCALES) Object.assign(this.#dicts[l], dicts[l]);
    if (import.meta.env?.DEV) {
      const missing = missingKeys(this.#dicts);
      if (missing.length) console.error('i18n: missing keys', missing);
    }
  }

  /** Every dictionary, for tests and the dev check. */
  get dictionaries(): Readonly<Record<Locale, Dictionary>> {
    return this.#dicts;
  }

  setLocale(locale: Locale): void {
    this.locale = locale;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, locale);
    } catch {
      // private mode: the choice lasts for this page only
    }
    this.#applyDocument();
  }

  #applyDocument(): void {
    if (globalThis.document) globalThis.document.documentElement.lang = this.locale;
  }

  /**
   * The message for `key` in the current locale, `{name}` replaced from `params`.
   * A key missing everywhere renders as `⟦key⟧` so it can never pass for text (and the
   * untranslated-string test finds it).
   */
  t = (key: string, params?: Params): string => {
    const msg = this.#dicts[this.locale][key] ?? this.#dicts.en[key];
    if (msg === undefined) {
      if (import.meta.env?.DEV) console.error(`i18n: no message ${key}`);
      return `⟦${key}⟧`;
    }
    if (!params) return msg;
    return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  };

  /** Whether a message exists (optional labels such as not-ready reasons). */
  has(key: string): boolean {
    return key in this.#dicts[this.locale];
  }
}

/** The one language layer of the page. */
export const i18n = new I18n();
export const t = i18n.t;
