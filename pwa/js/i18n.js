/**
 * The message catalogue. Every word the user reads comes from pwa/i18n/<catalogue>.json, so a translator never
 * has to touch code. Which languages exist, their names and their writing direction come from sync/languages.py
 * (through the generated rules.js), so the server's e-mails and PDFs and the phone agree on the list.
 *
 * The chosen language is kept in localStorage (it is not secret, it must survive signing out, and it must be
 * known synchronously before the first screen is drawn); the person's profile on the server follows it through
 * the `person.language` mutation.
 */
import { RULES } from './rules.js';

export const LANGUAGES = RULES.languages.list;
const STORAGE_KEY = 'estatewalk.language';

let messages = {};
// English is always loaded too: a key a translation lacks (a string added since) shows in English, not as a key.
let english = {};
let current = LANGUAGES[0];
let plurals = new Intl.PluralRules('en-GB');
let formats = 'en-GB';
// False where the browser has no Intl data for the language (Chromium: Kurmanji, Sorani, Somali): dates are then
// written in figures ("04/11/2026, 12:52") rather than with English month names, and times without "ago".
let wordedDates = true;

/** The locale Intl formats with: the language's own, or UK English where the browser has no data for it. */
function formatsFor(tag) {
  return Intl.DateTimeFormat.supportedLocalesOf([tag]).length ? tag : 'en-GB';
}

export function languageOf(code) {
  return LANGUAGES.find((language) => language.code === code) || null;
}

/** The first of the phone's own languages (navigator.languages) that the app speaks, else English. */
export function phoneLanguage(wanted = navigator.languages || [navigator.language]) {
  for (const tag of wanted) {
    const exact = LANGUAGES.find((language) => language.code.toLowerCase() === String(tag).toLowerCase());
    if (exact) return exact.code;
    const base = String(tag).split('-')[0].toLowerCase();
    // Browsers say "ku" for Kurmanji and "zh-CN" / "zh" for Simplified Chinese.
    const similar = LANGUAGES.find((language) => language.code.split('-')[0].toLowerCase() === base || language.formats.split('-')[0] === base);
    if (similar) return similar.code;
  }
  return RULES.languages.default;
}

/** The language chosen on this phone, or null when nobody has chosen yet. */
export function chosenLanguage() {
  try {
    const code = localStorage.getItem(STORAGE_KEY);
    return languageOf(code) ? code : null;
  } catch {
    return null;
  }
}

/** The language in force: the one chosen here, else the phone's own. */
export function language() {
  return current.code;
}

export function remember(code) {
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Private mode without storage: the choice lasts until the app is closed.
  }
}

async function fetchCatalogue(name) {
  const response = await fetch(`./i18n/${name}.json`);
  if (!response.ok) throw new Error(`no catalogue ${name}`);
  return response.json();
}

/** Load a language's catalogue and set the document's language and direction from it. */
export async function loadCatalogue(code = chosenLanguage() || phoneLanguage()) {
  const wanted = languageOf(code) || languageOf(RULES.languages.default);
  english = await fetchCatalogue('en');
  let loaded = english;
  let chosen = wanted;
  if (wanted.catalogue !== 'en') {
    try {
      loaded = await fetchCatalogue(wanted.catalogue);
    } catch {
      // Offline and never fetched: stay readable in English rather than show nothing.
      chosen = languageOf(RULES.languages.default);
    }
  }
  messages = loaded;
  current = chosen;
  plurals = new Intl.PluralRules(current.formats);
  formats = formatsFor(current.formats);
  wordedDates = formats === current.formats || current.formats.startsWith('en');
  document.documentElement.lang = current.code;
  document.documentElement.dir = current.dir;
  return messages;
}

/**
 * Attributes for text a person typed (titles, descriptions, comments): shown as written, never translated, and
 * marked with the language it was written in so a screen reader pronounces it right. `dir: auto` lets a Sorani
 * comment read right to left on an English screen and the other way round.
 */
export function writtenIn(code) {
  return code ? { lang: code, dir: 'auto' } : { dir: 'auto' };
}

/** Whether the catalogue in force was checked by a fluent speaker (English is the source, so it is). */
export function reviewed() {
  return messages._reviewed !== false;
}

/** The locale in force, for formatting dates and numbers. */
export function locale() {
  return formats;
}

/**
 * Translate a key, filling `{name}` placeholders. When `params.count` is given, `key_one` / `key_other` (from
 * Intl.PluralRules) are tried first, so each language can have its own plural forms.
 */
export function t(key, params = {}) {
  let text;
  if (typeof params.count === 'number') {
    const form = plurals.select(params.count);
    text = messages[`${key}_${form}`] ?? messages[`${key}_other`] ?? english[`${key}_${form}`] ?? english[`${key}_other`];
  }
  text = text ?? messages[key] ?? english[key];
  if (text === undefined) {
    // A missing key shows itself rather than an empty button; the catalogue test catches it before release.
    console.warn('missing message', key);
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Translate a key if the catalogue has it, otherwise show the raw value (e.g. a category a landlord added). */
export function tOr(key, fallback) {
  return key in messages || key in english ? t(key) : fallback;
}

/** A server refusal in the reader's language when it carries a code the catalogue knows, else its own words. */
export function refusal(code, params = {}, fallback = '') {
  const key = `refusal.${code}`;
  if (!code || !(key in messages || key in english)) return fallback;
  // Statuses come as their codes ("in_progress"): shown by their names in this language.
  const named = { ...params };
  for (const name of ['status', 'from', 'to']) {
    if (named[name]) named[name] = tOr(`status.${named[name]}`, named[name]);
  }
  return t(key, named);
}

/** A date in figures keeps its left-to-right order inside right-to-left text (isolated, like <bdi>). */
function figures(text) {
  return wordedDates || current.dir !== 'rtl' ? text : `\u2066${text}\u2069`;
}

export function formatDateTime(value) {
  if (!value) return '';
  const date = typeof value === 'number' ? new Date(value) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const style = wordedDates ? 'medium' : 'short';
  return figures(new Intl.DateTimeFormat(locale(), { dateStyle: style, timeStyle: 'short' }).format(date));
}

export function formatDate(value) {
  if (!value) return '';
  const date = new Date(value.length === 10 ? `${value}T12:00:00` : value);
  if (Number.isNaN(date.getTime())) return String(value);
  return figures(new Intl.DateTimeFormat(locale(), { dateStyle: wordedDates ? 'medium' : 'short' }).format(date));
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
  if (!wordedDates) {
    // No words for "5 minutes ago" in this language here: the time in figures, with the date when not today.
    const then = new Date(ms);
    const today = new Date(now).toDateString() === then.toDateString();
    return today ? figures(new Intl.DateTimeFormat(locale(), { timeStyle: 'short' }).format(then)) : formatDateTime(ms);
  }
  const format = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return format.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return format.format(hours, 'hour');
  return format.format(Math.round(hours / 24), 'day');
}
