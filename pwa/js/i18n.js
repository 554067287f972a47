/**
 * The message catalogue. Every word the user reads comes from pwa/i18n/<lang>.json, so a translator never has
 * to touch code, and the catalogue also says the writing direction (ltr or rtl) for the whole document.
 */

let messages = {};
let plurals = new Intl.PluralRules('en');

/** Load a catalogue and set the document's language and direction from it. */
export async function loadCatalogue(lang = 'en') {
  const response = await fetch(`./i18n/${lang}.json`);
  messages = await response.json();
  const locale = messages._lang || lang;
  plurals = new Intl.PluralRules(locale);
  document.documentElement.lang = locale;
  document.documentElement.dir = messages._dir || 'ltr';
  return messages;
}

/** The locale in force, for formatting dates and numbers. */
export function locale() {
  return messages._lang || 'en';
}

/**
 * Translate a key, filling `{name}` placeholders. When `params.count` is given, `key_one` / `key_other` (from
 * Intl.PluralRules) are tried first, so each language can have its own plural forms.
 */
export function t(key, params = {}) {
  let text;
  if (typeof params.count === 'number') {
    text = messages[`${key}_${plurals.select(params.count)}`] ?? messages[`${key}_other`];
  }
  text = text ?? messages[key];
  if (text === undefined) {
    // A missing key shows itself rather than an empty button; the catalogue test catches it before release.
    console.warn('missing message', key);
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Translate a key if the catalogue has it, otherwise show the raw value (e.g. a category a landlord added). */
export function tOr(key, fallback) {
  return key in messages ? t(key) : fallback;
}

export function formatDateTime(value) {
  if (!value) return '';
  const date = typeof value === 'number' ? new Date(value) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatDate(value) {
  if (!value) return '';
  const date = new Date(value.length === 10 ? `${value}T12:00:00` : value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(date);
}

export function formatBytes(bytes) {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: unit ? 1 : 0 }).format(value)} ${units[unit]}`;
}

/** "5 minutes ago" in the user's language, without a catalogue entry per unit. */
export function formatRelative(ms, now = Date.now()) {
  const seconds = Math.round((ms - now) / 1000);
  if (Math.abs(seconds) < 45) return t('time.just_now');
  const format = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return format.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return format.format(hours, 'hour');
  return format.format(Math.round(hours / 24), 'day');
}
