// UI text: every string the page shows comes from messages/<lang>.json, looked up by key.
// Another language is one more file (e.g. messages/rw.json); nothing here changes.

let messages = {};
let locale = 'en';
// made once per locale: making a formatter is slow (the first one loads the locale's data)
let numbers = null;
let dates = null;

/** Loads the messages of the first supported browser language (English otherwise). */
export async function loadMessages(supported = ['en']) {
  const wanted = (navigator.languages || [navigator.language || 'en'])
    .map((l) => l.toLowerCase().split('-')[0])
    .find((l) => supported.includes(l)) || 'en';
  const res = await fetch(`/assets/messages/${wanted}.json`);
  messages = await res.json();
  locale = wanted;
  // made now, while the screen's requests are on the way, not when the answers are drawn
  numbers = new Intl.NumberFormat(locale);
  plurals = new Intl.PluralRules(locale);
  dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  document.documentElement.lang = locale;
}

/** A count's plural form: {name, plural, one {# record} other {# records}}; # is the count (no braces inside). */
const PLURAL = /\{(\w+), plural, one \{([^{}]*)\} other \{([^{}]*)\}\}/g;
let plurals = null;

/**
 * The message {@code key} with {name} placeholders and {name, plural, ...} forms filled; numbers are formatted for
 * the locale.
 */
export function t(key, params = {}) {
  const text = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
  return text.replace(PLURAL, (m, name, one, other) => {
    const v = params[name];
    if (typeof v !== 'number') return m;
    plurals ||= new Intl.PluralRules(locale);
    return (plurals.select(v) === 'one' ? one : other).replace(/#/g, formatNumber(v));
  }).replace(/\{(\w+)\}/g, (m, name) => {
    const v = params[name];
    if (v === undefined || v === null) return m;
    return typeof v === 'number' ? formatNumber(v) : String(v);
  });
}

/** Whether a message exists (to fall back on the server's words when it does not). */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(messages, key);
}

export function formatNumber(n) {
  numbers ||= new Intl.NumberFormat(locale);
  return numbers.format(n);
}

export function formatDate(iso) {
  if (!iso) return '';
  dates ||= new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return dates.format(new Date(iso));
}
