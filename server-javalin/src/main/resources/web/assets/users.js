// Saved users: the committed users page by page, filtered by upload and by validity.
import { t, formatDate } from './i18n.js';
import { get } from './api.js';
import { h, go, n, pager, select, keepingFocus, codeText, shown, breakable, tellPage, fileName } from './ui.js';
import { FIELDS } from './review-data.js';

const SIZES = [50, 100, 500];
const PROPERTY = { names: 'names', nid: 'nid', phone_number: 'phoneNumber', gender: 'gender', email: 'email' };

/**
 * Draws the saved users of the view's filters and page. {@code live}: whether this view is still the last one asked for
 * (a list that took seconds is not drawn over the view the user went on to meanwhile).
 */
export async function showUsers(main, params, live = () => true) {
  const q = {
    uploadId: params.get('uploadId') || '',
    valid: ['true', 'false'].includes(params.get('valid')) ? params.get('valid') : '',
    page: Math.max(1, Number(params.get('page')) || 1),
    size: SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : 50,
  };
  const nav = (change) => {
    const next = { ...q, ...change };
    go('/users', { uploadId: next.uploadId, valid: next.valid, page: next.page > 1 ? next.page : '', size: next.size === 50 ? '' : next.size });
  };
  const api = new URLSearchParams({ page: q.page, size: q.size });
  if (q.uploadId) api.set('uploadId', q.uploadId);
  if (q.valid) api.set('valid', q.valid);
  // the committed uploads come from the database: an upload no longer staged keeps its name and its place in the filter
  const [commits, page] = await Promise.all([allCommits(), get(`/api/v1/users?${api}`)]);
  if (!live()) return;
  if (!page.items.length && page.totalPages > 0 && q.page > page.totalPages) {
    // a page past the last (an old link, or Back after the list shrank): the last page, in its place
    nav({ page: page.totalPages });
    return;
  }
  const names = uploadNames(commits);
  const uploadOptions = [['', t('users.filter.anyUpload')], ...commits.map((c) => [c.uploadId, names.get(c.uploadId)])];
  if (q.uploadId && !names.has(q.uploadId)) uploadOptions.push([q.uploadId, q.uploadId]);
  const th = (text) => h('th', { scope: 'col' }, text);
  const from = (page.page - 1) * page.size + 1;
  await keepingFocus(() => main.replaceChildren(
    h('h1', { text: t('users.heading') }),
    h('section', { class: 'filters', 'aria-label': t('review.filters') },
      select('users-upload', t('users.filter.upload'), uploadOptions, q.uploadId, (v) => nav({ uploadId: v, page: 1 })),
      select('users-valid', t('users.filter.valid'),
        [['', t('review.status.all')], ['true', t('review.status.valid')], ['false', t('review.status.invalid')]], q.valid,
        (v) => nav({ valid: v, page: 1 })),
      select('users-size', t('review.filter.size'), SIZES.map((v) => [v, n(v)]), q.size, (v) => nav({ size: Number(v), page: 1 }))),
    // a region the keyboard reaches, so that a table wider than a phone scrolls by the arrow keys (it holds no control)
    page.items.length ? h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('nav.users') },
      h('table', { class: 'grid', id: 'users-table' },
      h('caption', {}, t('review.table.caption', { from, to: from + page.items.length - 1, total: page.totalItems })),
      h('thead', {}, h('tr', {}, th(t('users.col.upload')), th(t('review.col.row')), FIELDS.map((f) => th(t(`field.${f}`))),
        th(t('review.col.verdict')), th(t('users.col.errors')), th(t('users.col.committed')))),
      h('tbody', {}, page.items.map((u) => h('tr', {},
        h('td', { class: 'upload' }, breakable(names.get(u.uploadId) || u.uploadId.slice(-8))), h('td', { class: 'num' }, String(u.row)),
        FIELDS.map((f) => h('td', { 'data-field': f }, shown(u[PROPERTY[f]] ?? ''))),
        h('td', {}, h('span', { class: `verdict ${u.valid ? 'valid' : 'invalid'}` }, t(u.valid ? 'review.verdict.valid' : 'review.verdict.invalid'))),
        h('td', { class: 'violations-cell' }, u.errors.flatMap((e, i) => [i ? '; ' : '', h('span', { title: e.code }, codeText(e.code))])),
        h('td', {}, formatDate(u.committedAt)))))))
      : h('p', { class: 'empty', id: 'users-empty', text: t('users.none') }),
    pager('users-page', page.page, page.totalPages, (p) => nav({ page: p }))));
  // the table and its pager are drawn anew, which a screen reader does not read: another page or filter is told
  const list = JSON.stringify(q);
  if (lastList !== null && lastList !== list) tellPage(page, t('users.none'));
  lastList = list;
}

/** Every committed upload the caller sees, the last committed first: page after page of the most the route gives. */
async function allCommits() {
  const size = 500;
  const first = await get(`/api/v1/commits?size=${size}`);
  const rest = await Promise.all(Array.from({ length: Math.max(0, first.totalPages - 1) },
    (_, i) => get(`/api/v1/commits?size=${size}&page=${i + 2}`)));
  const seen = new Set();
  // a commit made while the pages are read moves the others one place down: each upload once
  return [first, ...rest].flatMap((p) => p.items).filter((c) => !seen.has(c.uploadId) && seen.add(c.uploadId));
}

/** The list drawn last (its filters and page), to tell another one when it is drawn. */
let lastList = null;

/**
 * The name each committed upload is shown by: its file name (with its sheet, `file · sheet`, when lists of that file
 * were committed from other sheets too), with the time it was committed when another upload has the same name, and
 * its id's last 8 characters too when that is not enough (ids begin with their time).
 */
function uploadNames(commits) {
  const tally = (labels) => {
    const seen = new Map();
    labels.forEach((l) => seen.set(l, (seen.get(l) || 0) + 1));
    return (l) => seen.get(l) > 1;
  };
  // the lists of one workbook (one a district) by their sheets, as the uploads list names them
  const sheets = new Map(); // each file name's sheets (undefined: one committed before sheets were kept)
  commits.forEach((c) => sheets.set(c.fileName, (sheets.get(c.fileName) || new Set()).add(c.sheet)));
  const base = (c) => (c.sheet && [...sheets.get(c.fileName)].some((s) => (s ?? c.sheet) !== c.sheet)
    ? `${fileName(c)} · ${c.sheet}` : fileName(c));
  const byTime = (c) => t('users.uploadAt', { name: base(c), at: formatDate(c.committedAt) });
  const nameTaken = tally(commits.map(base));
  const timeTaken = tally(commits.filter((c) => nameTaken(base(c))).map(byTime));
  const names = new Map();
  for (const c of commits) {
    let name = base(c);
    if (nameTaken(name)) name = timeTaken(byTime(c)) ? t('users.uploadAtId', { name, at: formatDate(c.committedAt), id: c.uploadId.slice(-8) }) : byTime(c);
    names.set(c.uploadId, name);
  }
  return names;
}
