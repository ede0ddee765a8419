// Small DOM helpers and the pieces several screens share: pager, problem text, dialogs, route links.
import { t, has, formatNumber } from './i18n.js';

/** An element: attrs may hold class, text, on<Event> handlers, and any attribute; children are nodes or strings. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAll(el, attrs);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAll(el, attrs);
  append(el, children);
  return el;
}

function setAll(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2).toLowerCase(), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces el's children; null, undefined and false children are left out (replaceChildren would write "null"). */
export function put(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Announces text to screen readers. */
export function announce(text) {
  const live = document.getElementById('live');
  live.textContent = '';
  requestAnimationFrame(() => { live.textContent = text; });
}

/**
 * Tells a screen reader which page of a list is drawn now, and the rows it shows ({@code none} when it shows none): a
 * table and its pager drawn anew are not read, live region or not.
 */
export function tellPage(page, none) {
  const from = (page.page - 1) * page.size + 1;
  announce(page.items.length ? `${t('review.pageOf', { page: page.page, pages: Math.max(1, page.totalPages) })}. ${t('review.table.caption',
    { from, to: from + page.items.length - 1, total: page.totalItems })}` : none);
}

/** Moves the focus to the view's main heading, so that a screen reader starts reading the view there. */
export function focusHeading(main) {
  const heading = main.querySelector('h1');
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus();
}

/** A hash route: path and its query. */
export function href(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const qs = q.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function go(path, params, replace = false) {
  const target = href(path, params);
  if (replace) {
    history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (location.hash !== target) {
    location.hash = target;
  } else {
    // asked for the view shown (a page that failed to load, say): drawn again
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }
}

/**
 * The plain words of a failed call, as a node: the message of the problem's code when there is one, the missing
 * columns and the accepted header names for file.missing_columns, and how long to wait when Retry-After says so.
 */
export function problemNode(err) {
  const p = err.problem || {};
  const box = h('div', { class: 'problem', role: 'alert' });
  if (err.status === 0) {
    box.append(h('p', { text: t('problem.network') }));
    return box;
  }
  if (err.code === 'file.missing_columns') {
    const missing = (p.missing || []).map((f) => (has(`field.${f}`) ? t(`field.${f}`) : f));
    // a CSV file is read as one sheet named CSV, which the clerk never saw
    box.append(h('p', { text: t(p.sheet === 'CSV' ? 'problem.file.missing_columns.csv' : 'problem.file.missing_columns',
      { sheet: p.sheet, missing: missing.join(', ') }) }));
    const found = p.headersFound && p.headersFound.length ? p.headersFound.join(', ') : t('problem.file.missing_columns.none');
    box.append(h('p', { text: t('problem.file.missing_columns.found', { headerRow: p.headerRow, headers: found }) }));
    box.append(h('p', { text: t('problem.file.missing_columns.accepted') }));
    box.append(h('ul', { class: 'accepted' }, (p.missing || []).map((f) => h('li', {},
      h('strong', { text: has(`field.${f}`) ? t(`field.${f}`) : f }), ': ', ((p.accepted || {})[f] || []).join(', ')))));
  } else if (err.code === 'staging.full' && (p.maxUploadsPerUser || p.maxRecordsPerUser)) {
    // the caller's own share is full: waiting does not help, committing or deleting an upload does
    box.append(h('p', { text: p.maxUploadsPerUser
      ? t('problem.staging.full.uploads', { max: formatNumber(p.maxUploadsPerUser) })
      : t('problem.staging.full.records', { held: formatNumber(p.reservedByYou ?? 0),
        max: formatNumber(p.maxRecordsPerUser), needed: formatNumber(p.needed ?? 0) }) }));
    return box;
  } else if (err.code === 'staging.unavailable' && p.recordsLost) {
    // not a store that cannot be reached just now: waiting does not help, uploading the file again does
    box.append(h('p', { text: t('problem.staging.unavailable.lost') }));
  } else if (err.code && has(`problem.${err.code}`)) {
    box.append(h('p', { text: t(`problem.${err.code}`, { detail: p.detail ?? '' }) }));
  } else {
    // a code the page has no words for: a 4xx is about the request, its detail says what; a 5xx is the server's fault
    const detail = p.detail || p.title || String(err.status);
    box.append(h('p', { text: err.status >= 500 ? t('problem.generic', { detail }) : detail }));
  }
  if (err.retryAfter !== null && err.retryAfter !== undefined && err.status !== 401) {
    box.append(h('p', { text: t('problem.retryIn', { seconds: err.retryAfter }) }));
  }
  return box;
}

/**
 * First, previous, page x of y, next, last, and a jump-to-page field. onPage(n) is called with the page chosen.
 * Buttons keep stable ids (prefix) so focus can return to them after a page turn.
 */
export function pager(prefix, page, pages, onPage) {
  const last = Math.max(1, pages);
  const btn = (id, key, target, disabled) => h('button', {
    id: `${prefix}-${id}`, type: 'button', class: 'btn', disabled: disabled || undefined, onclick: () => onPage(target),
  }, t(key));
  const jump = h('input', { id: `${prefix}-jump`, type: 'number', min: 1, max: last, inputmode: 'numeric', class: 'narrow', value: page });
  return h('nav', { class: 'pager', 'aria-label': t('review.pager') },
    btn('first', 'review.first', 1, page <= 1),
    btn('prev', 'review.previous', page - 1, page <= 1),
    h('span', { class: 'page-of', id: `${prefix}-pageof` }, t('review.pageOf', { page, pages: last })),
    btn('next', 'review.next', page + 1, page >= last),
    btn('last', 'review.last', last, page >= last),
    h('form', {
      class: 'inline',
      onsubmit: (e) => {
        e.preventDefault();
        const n = Math.min(last, Math.max(1, Number(jump.value) || 1));
        onPage(n);
      },
    }, h('label', { for: `${prefix}-jump` }, t('review.jumpPage')), jump,
    h('button', { type: 'submit', class: 'btn', id: `${prefix}-go` }, t('review.go'))));
}

/** A labelled select; options are [value, label] pairs. */
export function select(id, label, options, value, onchange) {
  const el = h('select', { id, onchange: () => onchange(el.value) },
    options.map(([v, l]) => h('option', { value: v, selected: String(v) === String(value ?? '') || undefined }, l)));
  return h('div', { class: 'field' }, h('label', { for: id }, label), el);
}

/**
 * A modal dialog: Escape and the close button cancel; the first field or button takes focus. Leaving the view (the
 * browser's Back, a link) closes it with 'left': it asked about what that view showed, not about the next one.
 */
export function dialog(titleText, body, { onClose } = {}) {
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const d = h('dialog', { 'aria-labelledby': titleId, class: 'dialog' }, h('h2', { id: titleId, text: titleText }), body);
  const left = () => { if (d.open) d.close('left'); };
  window.addEventListener('hashchange', left);
  d.addEventListener('close', () => {
    window.removeEventListener('hashchange', left);
    d.remove();
    if (onClose) onClose(d.returnValue);
  });
  document.body.append(d);
  d.showModal();
  return d;
}

/** 12,345 style. */
export const n = formatNumber;

/**
 * Keeps the focused element's id and, once fn has redrawn, focuses the element with that id again (the main region
 * when it is gone; the closest control beside it when it is disabled or hidden), so that a keyboard user goes on from the
 * control used. Focus that moved elsewhere
 * meanwhile (to a dialog, a field) is left where it is.
 */
export async function keepingFocus(fn) {
  const id = document.activeElement && document.activeElement.id;
  try {
    return await fn();
  } finally {
    const lost = !document.activeElement || document.activeElement === document.body;
    if (id && lost) {
      const again = document.getElementById(id);
      (again && usable(again) ? again : (again && nearestEnabled(again)) || document.getElementById('main')).focus();
    }
  }
}

/** Whether el is a control that can take the focus: not disabled, nor hidden. */
const usable = (el) => !el.disabled && !el.hidden;

/** The closest control beside el, before it first (Previous for a Next that the last page disabled), or null. */
function nearestEnabled(el) {
  const control = (e) => e.matches('button, input, select, a[href]') && usable(e);
  for (let s = el.previousElementSibling; s; s = s.previousElementSibling) if (control(s)) return s;
  for (let s = el.nextElementSibling; s; s = s.nextElementSibling) if (control(s)) return s;
  return null;
}

/** The words of a violation code (the code itself when the page has none). */
export const codeText = (code) => (has(`code.${code}`) ? t(`code.${code}`) : code);

/** Characters a cell can hold that show as nothing: controls, and format characters (zero-width space, BOM, ...). */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;
const codePoint = (ch) => `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The value with each invisible character shown as its code point (U+200B), so that a NID that looks like 16 digits
 * and is refused shows why; the value itself as text when it has none.
 */
export function shown(value) {
  if (!value.match(INVISIBLE)) return value;
  const parts = [];
  let last = 0;
  for (const m of value.matchAll(INVISIBLE)) {
    parts.push(value.slice(last, m.index));
    const code = codePoint(m[0]);
    parts.push(h('mark', { class: 'invisible', title: t('review.invisible', { code }) }, code));
    last = m.index + m[0].length;
  }
  parts.push(value.slice(last));
  return parts.filter((p) => p !== '');
}

/** As {@link shown}, in plain text, for a value quoted in a sentence (an edit's history). */
export const visibleText = (value) => value.replace(INVISIBLE, codePoint);

/**
 * Runs {@code task} with {@code button} showing {@code text} and marked busy (aria-disabled, not disabled, so that it
 * keeps the keyboard focus); a press meanwhile does nothing. The button's own text is back once the task is over, if
 * it is still on the page.
 */
export async function working(button, text, task) {
  if (button.getAttribute('aria-disabled') === 'true') return;
  const label = button.textContent;
  button.setAttribute('aria-disabled', 'true');
  button.textContent = text;
  try {
    await task();
  } finally {
    button.removeAttribute('aria-disabled');
    button.textContent = label;
  }
}

/** A file name that may break after its underscores too (as it may at its spaces and after its hyphens), nowhere else. */
export function breakable(name) {
  return name.split(/(?<=_)/).flatMap((part, i) => (i ? [h('wbr'), part] : [part]));
}

/** An upload's name as lists show it: its file's, with the sheet read when the workbook holds other lists too. */
export function uploadName(summary) {
  return summary.otherLists?.length ? `${fileName(summary)} · ${summary.sheet}` : fileName(summary);
}

/** An upload's file name, or words for none (a raw body sent without `?fileName=`). */
export const fileName = (upload) => upload.fileName || t('upload.unnamed');

/** Names (a workbook's sheets), each in quotation marks, joined by commas. */
export function quoted(names) {
  return names.map((name) => `“${name}”`).join(', ');
}
