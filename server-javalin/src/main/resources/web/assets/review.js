// Review of one upload: summary cards, violations chart, filters, one page of records, commit and discard.
// A page turn or a filter change fetches one page of records and redraws only the table and the pager.
import { t, formatDate } from './i18n.js';
import { call, get, tagged, download } from './api.js';
import { h, s, go, href, n, put, pager, select, dialog, problemNode, keepingFocus, codeText, focusHeading, shown, visibleText, tellPage, uploadName, fileName } from './ui.js';
import { FIELDS, SIZES, reviewQuery as query, recordsPath as pathOf, rememberStatus, firstRequests } from './review-data.js';

const PROPERTY = { names: 'names', nid: 'nid', phone_number: 'phoneNumber', gender: 'gender', email: 'email' };
const FIELD_OF = Object.fromEntries(Object.entries(PROPERTY).map(([k, v]) => [v, k]));
const WARNINGS = new Set(['nid.numeric_cell', 'nid.underage', 'phone.duplicate', 'email.duplicate']);

let view = null; // {id, summary, main, parts...} of the review on screen
/** The cell open for editing ({id, row, field, value, tag, input}), until it is closed or its change saved. */
let openEdit = null;

export const severityOf = (code) => (WARNINGS.has(code) ? 'warning' : 'error');

function link(q, change) {
  const next = { ...q, ...change };
  return {
    status: next.status === 'all' ? '' : next.status, field: next.field, code: next.code,
    page: next.page > 1 ? next.page : '', size: next.size === 50 ? '' : next.size, row: next.row || '', hl: next.hl || '',
  };
}

function navigate(q, change) {
  go(`/uploads/${view.id}`, link(q, { row: null, hl: null, ...change }));
}

/** Keeps the review's message below the top bar while the bar is in view (its Sign out shows), else at the top. */
function placeToast() {
  const bar = document.getElementById('top');
  const below = bar ? bar.getBoundingClientRect().bottom : 0;
  document.documentElement.style.setProperty('--toast-top', `${Math.max(12, Math.round(below) + 8)}px`);
}
addEventListener('scroll', placeToast, { passive: true });
addEventListener('resize', placeToast);

/**
 * A control that takes the focus from the keyboard under the review's message (the browser scrolls it into the window,
 * not from under what is fixed there) is scrolled from under it, below it (WCAG 2.4.11). Not one pressed with the
 * pointer, which the message lets through: scrolled between the press and the release, it would lose the click.
 */
let pointing = false;
document.addEventListener('pointerdown', () => { pointing = true; }, true);
document.addEventListener('keydown', () => { pointing = false; }, true);
function unobscure(e) {
  if (pointing || !view || !view.notice.childNodes.length || view.toast.contains(e.target)) return;
  const box = view.toast.getBoundingClientRect();
  const r = e.target.getBoundingClientRect();
  if (r.bottom > box.top && r.top < box.bottom && r.right > box.left && r.left < box.right) {
    scrollBy(0, r.top - box.bottom - 8);
  }
}
document.addEventListener('focusin', unobscure);

export async function showReview(main, id, params, live = () => true) {
  const q = query(params);
  let records = null;
  if (!view || view.id !== id || view.main !== main || !main.contains(view.table)) {
    // the summary and the first page are asked for together when the upload's records are known to be ready, and
    // drawn together: the page is laid out once
    const first = firstRequests(id, q);
    const [summary] = await Promise.all([first.summary, first.records?.catch(() => null)]);
    rememberStatus(summary);
    // the user went on to another view while these were on the way: that one is drawn, not this
    if (!live()) return;
    view = { id, summary, main, notice: h('div', { id: 'edit-result', role: 'status' }) };
    // what an edit, a leave-out or a failure did is told where the clerk looks, however far down the page they are
    view.toast = h('div', { class: 'toast', id: 'notice' }, view.notice, h('button', {
      type: 'button', class: 'btn small toast-close', id: 'notice-close', 'aria-label': t('review.notice.close'),
      onclick: () => { view.notice.replaceChildren(); document.getElementById('main').focus({ preventScroll: true }); },
    }, '×'));
    drawFrame();
    placeToast();
    focusHeading(main); // a review opened: the keyboard and the screen reader start at its name
    records = first.records;
  }
  await drawRecords(q, records, live);
}

/**
 * Escape hides every tip shown (WCAG 1.4.13): the focused cell's until the focus leaves it, the one under the pointer,
 * which covers the next rows, until the pointer leaves that cell; not when an editor took the key (it cancels there).
 */
function hideTips(e) {
  if (e.key !== 'Escape' || e.defaultPrevented || !view) return;
  view.table.querySelectorAll('td[aria-describedby]:hover').forEach((td) => td.classList.add('tip-hidden-hover'));
  view.table.querySelectorAll('td[aria-describedby]:focus').forEach((td) => td.classList.add('tip-hidden-focus'));
}
document.addEventListener('keydown', hideTips);

const currentQuery = () => query(new URLSearchParams(location.hash.split('?')[1] || ''));

/**
 * Fetches the summary again and redraws the review with it and the page of records on view; the focused control
 * keeps the focus. Answers whether the review on screen is now up to date.
 */
async function refreshSummary() {
  const shown = view;
  if (!shown) return false;
  // a cell of the records (which has no id to be found by): the same cell, or the one in its place, once redrawn
  const place = placeOf(document.activeElement);
  return keepingFocus(async () => {
    let summary;
    try {
      summary = await get(`/api/v1/uploads/${shown.id}`);
    } catch (err) {
      if (view === shown) failed(err, view.notice);
      return false;
    }
    if (view !== shown || !document.contains(shown.table)) return false;
    view.summary = summary;
    rememberStatus(summary);
    drawFrame();
    await drawRecords(currentQuery());
    if (place && lost()) atPlace(place)?.focus();
    // the place takes no focus any more (a cell of an upload committed meanwhile, which is no longer edited): the
    // keyboard goes on from the review's heading, not from the page's body
    if (place && lost()) focusHeading(view.main);
    return true;
  });
}

/** Whether the focus is on no control: on the page's body, or on its main region. */
const lost = () => !document.activeElement || document.activeElement === document.body || document.activeElement === view?.main;

/**
 * Shows a failed call's problem in {@code into}; when the upload is gone (deleted in another tab, or expired), the
 * review is left: its actions would all answer the same, so only the message and the way back stay.
 */
function failed(err, into) {
  if (err.code !== 'upload.not_found' || !view) {
    put(into, problemNode(err));
    return;
  }
  const { main } = view;
  view = null;
  document.querySelectorAll('dialog[open]').forEach((d) => d.close('gone'));
  // as a link to an upload that is not there shows it: a heading, which takes the focus, the problem, the way back
  put(main, h('h1', { text: t('app.unavailable') }), problemNode(err),
    h('p', {}, h('a', { href: href('/uploads'), id: 'review-gone-back' }, `← ${t('review.back')}`)));
  focusHeading(main);
}

// coming back to the tab or the window shows the upload as it is now: another tab or another clerk may have edited,
// left out, committed or deleted it meanwhile (not while an edit or a dialog other than the commit's is open: it would
// be lost; the commit dialog, not yet confirmed, is closed when the upload can no longer be committed)
function onReturn() {
  if (document.visibilityState !== 'visible' || !view || !document.contains(view.table) || view.returning) return;
  if (view.table.querySelector('.cell-input')) return;
  const open = document.querySelector('dialog[open]');
  if (open && !view.commitDialog?.waiting()) return;
  const shown = view;
  shown.returning = true;
  shown.returned = true; // what other tabs uploaded meanwhile is read again too
  (open ? recheckCommit(shown) : refreshSummary()).finally(() => { shown.returning = false; });
}
window.addEventListener('focus', onReturn);
document.addEventListener('visibilitychange', onReturn);

/**
 * The upload read again under its open commit dialog: once it is no longer validated (another tab committed it, or
 * is committing it) the dialog is closed and the review shows the upload as it is; gone, the review is left; still
 * validated, the dialog's numbers are counted again (another tab may have fixed or left out records meanwhile).
 */
async function recheckCommit(shown) {
  let summary;
  try {
    summary = await get(`/api/v1/uploads/${shown.id}`);
  } catch (err) {
    if (view === shown && err.code === 'upload.not_found') failed(err, view.notice);
    return;
  }
  if (view !== shown || !shown.commitDialog?.waiting()) return;
  if (summary.status === 'validated') {
    await shown.commitDialog.recount(summary);
    return;
  }
  shown.commitDialog.close();
  await redrawCommitted(shown);
}

/**
 * The review drawn afresh once its commit dialog closed on a commit (this tab's or another's): the Commit button that
 * opened the dialog is gone, so the keyboard goes on from the review's heading (not from the page's body).
 */
async function redrawCommitted(shown) {
  await refreshSummary();
  if (view !== shown || !shown || !document.contains(shown.table)) return;
  const opener = document.getElementById('commit-open');
  if (opener) opener.focus(); else focusHeading(shown.main);
}
function drawFrame() {
  const sm = view.summary;
  view.drawn = null;
  const tot = sm.totals;
  const card = (key, value, cls) => h('div', { class: `stat ${cls || ''}` },
    h('span', { class: 'stat-value', id: `card-${key}` }, n(value)), h('span', { class: 'stat-label' }, t(`review.card.${key}`)));
  view.filters = h('section', { class: 'filters', 'aria-label': t('review.filters') });
  view.table = h('div', { id: 'records', class: 'table-wrap', tabindex: -1 });
  // a cell's tip, shown as the keyboard focuses it, can lie past the table's visible part (a narrow window): it is
  // scrolled into view (not for a click, which must not move the page under the pointer); the records' box scrolls
  // sideways only: a tip taller than the room below the rows must not scroll the rows and their header out of it
  view.table.addEventListener('focusin', (e) => {
    const tip = e.target.matches && e.target.matches(':focus-visible') && e.target.querySelector(':scope > .tip');
    if (!tip) return;
    const top = view.table.scrollTop;
    tip.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    view.table.scrollTop = top;
  });
  view.pager = h('div', { id: 'records-pager' });
  view.chart = h('section', { class: 'card chart', 'aria-labelledby': 'chart-heading' });
  view.actions = h('div', { class: 'actions', id: 'review-actions' });
  put(view.main,
    h('p', {}, h('a', { href: href('/uploads'), id: 'review-back' }, `← ${t('review.back')}`)),
    h('div', { class: 'review-head' },
      // focusable by script (the review opened, or drawn again while it had the focus), not a stop of Tab
      h('h1', { id: 'review-title', tabindex: -1 }, fileName(sm), ' ', h('span', { class: `badge ${sm.status}`, id: 'review-status' }, t(`status.${sm.status}`))),
      // past the cards, the chart and the filters, to the records
      h('a', { href: '#records', class: 'skip-link', id: 'skip-records', onclick: (e) => { e.preventDefault(); view.table.focus(); } },
        t('review.skipToRecords')),
      view.actions),
    h('p', { class: 'meta' }, t('review.meta', { owner: sm.owner, created: formatDate(sm.createdAt) }), ' · ',
      // which sheet of the workbook was read, and from which row: a list on another sheet, or below notes, shows here
      h('span', { id: 'read-from' }, sm.sheet === 'CSV' || !sm.sheet
        ? t('review.readFromCsv', { row: sm.headerRow }) : t('review.readFrom', { sheet: sm.sheet, row: sm.headerRow }))),
    h('div', { class: 'stats', id: 'summary-cards' },
      card('records', tot.records), card('valid', tot.valid, 'ok'), card('invalid', tot.invalid, 'bad'),
      card('withWarnings', tot.withWarnings, 'warn'), card('excluded', tot.excluded || 0), card('blankRows', tot.blankRows)),
    sm.ignoredColumns && sm.ignoredColumns.length
      ? h('p', { class: 'hint' }, t('review.ignoredColumns', { columns: sm.ignoredColumns.join(', ') })) : null,
    // a workbook of several lists (one a district, say): only one was read, and the clerk must not take it for all
    sm.otherLists?.length ? otherListsNote(sm) : null,
    sm.commit ? h('p', { class: 'notice', id: 'commit-state' },
      t('review.committed', { at: formatDate(sm.commit.committedAt), committed: sm.commit.committed,
        skipped: sm.commit.skipped, conflicts: sm.commit.conflicts }), ' ',
      h('a', { href: href('/users', { uploadId: sm.id }) }, t('review.savedUsers'))) : null,
    view.toast, view.chart, view.filters, view.table, view.pager);
  drawActions();
}

/**
 * The other lists of the workbook, each with its upload when the clerk (the upload's owner) has one of the same file
 * and sheet staged, else said not read. Drawn at once from the uploads known; they are read when the review opens
 * and when its tab is shown again (another tab may have read a sheet meanwhile), not at each edit.
 */
function otherListsNote(sm) {
  const box = h('div', { class: 'notice warn', id: 'review-other-lists' });
  const draw = (uploads) => {
    const of = (sheet) => uploads.find((u) => u.id !== sm.id && u.owner === sm.owner && u.fileName === sm.fileName && u.sheet === sheet);
    box.replaceChildren(h('p', { text: t('review.otherLists') }), h('ul', {}, sm.otherLists.map((sheet) => {
      const u = of(sheet);
      return h('li', { 'data-sheet': sheet }, `“${sheet}”: `, u ? h('a', { href: href(`/uploads/${u.id}`) }, t('review.otherListRead'))
        : h('span', {}, t('review.otherListNotRead'), ' ', h('a', { href: href('/uploads') }, t('review.otherListsHow'))));
    })));
  };
  const shown = view;
  draw(shown.uploads || []);
  if (shown.uploads && !shown.returned) return box;
  shown.returned = false;
  get('/api/v1/uploads').then((uploads) => {
    shown.uploads = uploads;
    if (box.isConnected) draw(uploads);
  }, () => {});
  return box;
}

function drawActions() {
  const sm = view.summary;
  put(view.actions,
    sm.status === 'validated' ? h('button', { type: 'button', class: 'btn primary', id: 'commit-open', onclick: openCommit }, t('review.commit')) : null,
    sm.status !== 'committing' ? h('button', { type: 'button', class: 'btn danger', id: 'discard-open', onclick: openDiscard }, t('review.discard')) : null,
    ['validated', 'committed'].includes(sm.status) ? reportForm() : null);
}

/** The invalid records not left out: those a commit of all records saves with their violations, and the error report lists. */
const invalidKept = (tot) => tot.invalid - ((tot.excluded || 0) - (tot.excludedValid || 0));

/**
 * The error report, fetched with the token and saved through a blob link (the page's CSP allows no other way). The
 * report of invalid records, when there is none to list, would be a header alone: it is not offered, and a note says
 * why; the report of all records still is.
 */
function reportForm() {
  const empty = !invalidKept(view.summary.totals);
  const none = h('p', { class: 'hint', id: 'report-none', hidden: true, text: t('report.noInvalid') });
  const offer = (choice) => {
    const nothing = empty && choice === 'invalid';
    for (const b of buttons) b.disabled = nothing;
    none.hidden = !nothing;
  };
  const status = select('report-status', t('report.status'), [['invalid', t('report.invalid')], ['all', t('report.all')]], 'invalid', offer);
  const btn = (ext) => h('button', {
    type: 'button', class: 'btn', id: `report-${ext}`, 'aria-describedby': 'report-none',
    onclick: async () => {
      try {
        await download(`/api/v1/uploads/${view.id}/report.${ext}?status=${status.querySelector('select').value}`);
      } catch (err) {
        failed(err, view.notice);
      }
    },
  }, t(`report.${ext}`));
  const buttons = [btn('xlsx'), btn('csv')];
  offer('invalid');
  return h('div', { class: 'inline report' }, status, buttons, none);
}

const editable = () => view.summary.status === 'validated';

const cellAt = (row, field) => document.querySelector(`#row-${row} td[data-field="${field}"]`);

/** The row's buttons a place may be, by the start of their ids: its details toggle, its Leave out (Put back). */
const ROW_BUTTONS = ['toggle', 'exclude'];

/**
 * Where {@code el} is in the table of records: its row, the row's index on the page, and its cell's field or which of
 * the row's buttons it is ({@link ROW_BUTTONS}); null for an element elsewhere.
 */
function placeOf(el) {
  const tr = el && el.closest ? el.closest('#records-table tr[data-row]') : null;
  if (!tr) return null;
  const field = el.closest('td[data-field]')?.dataset.field;
  const button = ROW_BUTTONS.find((b) => el.id?.startsWith(`${b}-`));
  if (!field && !button) return null;
  return { row: tr.dataset.row, index: [...tr.parentElement.querySelectorAll(':scope > tr[data-row]')].indexOf(tr), field, button };
}

/**
 * The element at {@code place} in the table drawn now: in the same row, else in the row that took its place (a fix
 * or a Put back takes a row out of a filtered list; the last row when it was last), else the list's empty notice.
 */
function atPlace(place) {
  const inRow = (tr) => (place.field ? tr.querySelector(`td[data-field="${place.field}"]`) : tr.querySelector(`[id^="${place.button}-"]`));
  const same = document.getElementById(`row-${place.row}`);
  if (same) return inRow(same);
  const rows = document.querySelectorAll('#records-table tbody > tr[data-row]');
  if (rows.length) return inRow(rows[Math.min(place.index, rows.length - 1)]);
  return document.getElementById('records-empty');
}

/**
 * Edits or leaves out a record; {@code field}: the edited cell, which has the focus again once the page is redrawn
 * (without one, a cell the focus went on to has it again). Answers whether the change was saved; while it is being
 * saved, view.saving holds its promise, which an editor opening meanwhile waits for.
 */
function patch(row, body, what, field = null, tag = null) {
  const shown = view;
  const saving = patchNow(row, body, what, field, tag);
  shown.saving = saving;
  return saving.finally(() => {
    if (shown.saving === saving) shown.saving = null;
  });
}

async function patchNow(row, body, what, field, tag) {
  try {
    const a = await call('PATCH', `/api/v1/uploads/${view.id}/records/${row}`, body, tag ? { 'If-Match': tag } : {});
    const q = currentQuery();
    const state = (r) => t(r.valid ? 'review.verdict.valid' : 'review.verdict.invalid');
    put(view.notice, h('p', { id: 'edit-saved' }, t(what, { row, verdict: state(a.record) })),
      a.changed.length ? h('p', { id: 'edit-changed' }, t('edit.changed'), ' ', a.changed.flatMap((c, i) => [i ? ', ' : '',
        h('a', { href: href(`/uploads/${view.id}`, link({ ...q, status: 'all', field: '', code: '' }, { row: c.row, page: 1 })) },
          t('edit.changedRow', { row: c.row, verdict: state(c) }))])) : null);
    const place = placeOf(field ? cellAt(row, field) : document.activeElement);
    await refreshSummary();
    if (place && (field || lost())) atPlace(place)?.focus();
    return true;
  } catch (err) {
    if (!view) return false;
    if (err.code === 'record.changed') {
      // edited meanwhile in another tab or by another user: nothing saved, the row shown as it is now, and the value
      // typed kept in the message, to enter again if it still holds
      const place = placeOf(field ? cellAt(row, field) : document.activeElement);
      const [property, value] = Object.entries(body)[0];
      // the other change may have saved the same value: then nothing of the clerk's is lost, and the message says so
      const now = await get(`/api/v1/uploads/${view.id}/records/${row}`).catch(() => null);
      const same = now !== null && (now[property] ?? '') === value.trim();
      if (!await refreshSummary()) return false;
      put(view.notice, h('p', { id: 'edit-conflict', class: same ? undefined : 'problem' }, t(same ? 'edit.conflictSame' : 'edit.conflict', { row, value })));
      if (place && (field || lost())) atPlace(place)?.focus();
      return true;
    }
    failed(err, view.notice);
    if (err.code === 'upload.already_committed') await refreshSummary(); // committed elsewhere: show it so
    return false;
  }
}

function drawChart(q) {
  const entries = Object.entries(view.summary.violationsByCode || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const max = entries.length ? entries[0][1] : 1;
  view.chart.replaceChildren(h('h2', { id: 'chart-heading', text: t('review.chart.heading') }));
  if (!entries.length) {
    view.chart.append(h('p', { text: t('review.chart.none') }));
    return;
  }
  view.chart.append(h('p', { class: 'hint', id: 'chart-hint', text: t('review.chart.hint') }), h('ul', { class: 'bars' }, entries.map(([code, count]) => {
    const active = q.code === code;
    const warning = severityOf(code) === 'warning';
    const name = t('review.chart.bar', { message: codeText(code), code, count: n(count) });
    return h('li', {}, h('button', {
      type: 'button', class: `bar ${severityOf(code)}`, id: `bar-${code.replace('.', '-')}`, 'data-code': code,
      'aria-pressed': String(active), 'aria-label': warning ? `${t('review.chart.warning')} ${name}` : name,
      // the bars count the whole upload: the list a bar opens is the whole upload's too, whatever the status and
      // field filters were
      onclick: () => navigate(q, { code: active ? '' : code, status: 'all', field: '', page: 1 }),
    },
    h('span', { class: 'bar-label' }, warning ? [h('span', { class: 'bar-kind' }, t('review.chart.warning')), ' '] : null, codeText(code), ' ',
      h('code', {}, code)),
    s('svg', { class: 'bar-svg', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
      s('rect', { x: 0, y: 0, height: 10, width: Math.max(0.5, (100 * count) / max).toFixed(2) })),
    // a space between the code and its count in the bar's text, as in its name (the grid does not show it)
    ' ', h('span', { class: 'bar-count' }, n(count))));
  })));
}

function drawFilters(q) {
  const codes = new Set(Object.keys(view.summary.violationsByCode || {}));
  if (q.code) codes.add(q.code);
  view.filters.replaceChildren(
    select('filter-status', t('review.filter.status'),
      [['all', t('review.status.all')], ['valid', t('review.status.valid')], ['invalid', t('review.status.invalid')],
        ['excluded', t('review.status.excluded')]],
      q.status, (v) => navigate(q, { status: v, page: 1 })),
    select('filter-field', t('review.filter.field'),
      [['', t('review.filter.any')], ...FIELDS.map((f) => [f, t(`field.${f}`)])], q.field, (v) => navigate(q, { field: v, page: 1 })),
    select('filter-code', t('review.filter.code'),
      [['', t('review.filter.any')], ...[...codes].sort().map((c) => [c, `${c}: ${codeText(c)}`])], q.code,
      (v) => navigate(q, { code: v, page: 1 })),
    select('filter-size', t('review.filter.size'), SIZES.map((v) => [v, n(v)]), q.size, (v) => navigate(q, { size: Number(v), page: 1 })),
    h('button', { type: 'button', class: 'btn', id: 'filter-clear', onclick: () => navigate(q, { status: 'all', field: '', code: '', page: 1 }) },
      t('review.filter.clear')),
    rowJump(q),
    // shown once the list is read, and only when it lists a record (offerBulk): they act on the records listed
    ...(q.code && editable() ? [true, false].map((out) => h('button', {
      type: 'button', class: 'btn', id: out ? 'exclude-code' : 'include-code', hidden: true, onclick: () => confirmExclude(q, out),
    }, t(out ? 'exclude.code' : 'include.code', { code: q.code }))) : []));
}

/**
 * Leave out all (Put back all) of the list's code ({@code q}), offered when the list shows {@code listed} records, not
 * at 0; Put back all only while records are left out, Leave out all not in the list of those left out.
 */
function offerBulk(listed, q) {
  view.listed = listed;
  const out = view.summary.totals.excluded || 0;
  const onlyOut = q.status === 'excluded';
  for (const b of view.filters.querySelectorAll('#exclude-code, #include-code')) {
    b.hidden = !listed || (b.id === 'include-code' ? !out : onlyOut);
  }
}

function confirmExclude(q, out) {
  const form = h('form', {
    onsubmit: (e) => {
      e.preventDefault();
      d.close('done');
      excludeAll(q, out);
    },
  }, h('p', { text: t(out ? 'exclude.explain' : 'include.explain', { count: view.listed, code: q.code, message: codeText(q.code) }) }),
  h('div', { class: 'dialog-buttons' },
    h('button', { type: 'button', class: 'btn', id: 'exclude-cancel', onclick: () => d.close('cancel') }, t('commit.cancel')),
    h('button', { type: 'submit', class: 'btn primary', id: 'exclude-confirm' }, t(out ? 'exclude.confirm' : 'include.confirm'))));
  const d = dialog(t(out ? 'exclude.code' : 'include.code', { code: q.code }), form);
  form.querySelector('#exclude-confirm').focus();
}

/**
 * Leaves out ({@code out}) or puts back every record of the list's filter; a leave-out's message offers to undo it,
 * since the list it emptied offers no button to: Undo puts back the records that leave-out left out
 * ({@code leftOutAt}, its answer's time), not those left out before it.
 */
async function excludeAll(q, out, leftOutAt) {
  const { id } = view;
  const body = leftOutAt ? { excluded: false, leftOutAt } : { status: q.status, code: q.code, excluded: out };
  if (q.field && !leftOutAt) body.field = q.field;
  try {
    const a = await call('POST', `/api/v1/uploads/${id}/records/exclude`, body);
    // what the request changed: records already in the state asked for are matched, but neither left out nor put back
    const done = a.changed ? (out ? 'exclude.done' : 'include.done') : (out ? 'exclude.none' : 'include.none');
    put(view.notice, h('p', { id: 'edit-saved' }, t(done, { count: a.changed, code: q.code, message: codeText(q.code) }), out && a.changed
      ? [' ', h('button', { type: 'button', class: 'btn small', id: 'exclude-undo', onclick: () => excludeAll(q, false, a.at) }, t('exclude.undo'))] : null));
    await refreshSummary();
    if (out && a.changed) {
      document.getElementById('exclude-undo')?.focus({ preventScroll: true });
    } else if (lost()) {
      // the control used is gone (Undo, or a bulk button its list no longer offers): the bulk button shown, else the list
      const bulk = ['exclude-code', 'include-code'].map((b) => document.getElementById(b)).find((b) => b && !b.hidden);
      (bulk || view?.table)?.focus({ preventScroll: true });
    }
  } catch (err) {
    failed(err, view.notice);
  }
}

function rowJump(q) {
  const input = h('input', { id: 'jump-row', type: 'number', min: 1, inputmode: 'numeric', class: 'narrow' });
  return h('form', {
    class: 'inline',
    onsubmit: (e) => {
      e.preventDefault();
      if (Number(input.value) > 0) navigate(q, { row: Number(input.value) });
    },
  }, h('label', { for: 'jump-row' }, t('review.jumpRow')), input, h('button', { type: 'submit', class: 'btn', id: 'jump-row-go' }, t('review.go')));
}

const recordsPath = (q, page, size) => pathOf(view.id, q, page, size);

/** The index (1-based) in the filtered list of row {@code row}, or of the first row after it: a binary search. */
async function locate(q, row) {
  const at = async (i) => (await get(recordsPath(q, i, 1))).items[0].row;
  const first = await get(recordsPath(q, 1, 1));
  let lo = 1;
  let hi = first.totalItems;
  if (hi === 0) return { index: 1, exact: false };
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    // eslint-disable-next-line no-await-in-loop
    if (await at(mid) < row) lo = mid + 1; else hi = mid;
  }
  return { index: lo, exact: (await at(lo)) === row };
}

/**
 * Draws the page of records of {@code q} (its answer {@code pending} if asked for already). {@code live}: whether the
 * view is still the last one asked for; a page whose answer came after the user asked for another is not drawn.
 */
async function drawRecords(q, pending = null, live = () => true) {
  const key = [q.status, q.field, q.code, q.size].join('|');
  if (view.drawn !== key) {
    // the control used (a filter, a bar, Clear filters) is drawn anew: it keeps the focus, so that the keyboard goes
    // on from it (Chrome changes a closed select on an arrow key, and each change redraws)
    view.drawn = key;
    await keepingFocus(() => {
      drawChart(q);
      drawFilters(q);
    });
  }
  const sm = view.summary;
  if (sm.status === 'committing' && !view.following) {
    // committed from another tab or by another clerk: the review follows it until the commit ends
    const shown = view;
    view.following = setTimeout(() => {
      shown.following = null;
      if (view === shown && document.contains(shown.table)) refreshSummary();
    }, 500);
  }
  if (sm.status === 'validating' || sm.status === 'failed') {
    view.table.replaceChildren(sm.status === 'failed'
      ? h('p', { class: 'problem', role: 'alert', text: t('review.failed', { detail: sm.failure?.detail || '' }) })
      : h('p', { role: 'status', text: t('review.notReady', { rows: sm.progress.rowsRead }) }));
    view.pager.replaceChildren();
    const shown = view;
    if (sm.status === 'validating') setTimeout(() => { if (view === shown && document.contains(shown.table)) refreshSummary(); }, 500);
    return;
  }
  if (q.row) {
    view.sought = q.row; // once drawn, the row sought has the focus
    const found = await locate(q, q.row);
    if (!live()) return;
    // said where the edits' outcomes are: on screen, and to a screen reader (the notice is a live region)
    if (!found.exact) put(view.notice, h('p', { id: 'row-not-shown' }, t('review.rowNotShown', { row: q.row })));
    else view.notice.querySelector('#row-not-shown')?.remove();
    go(`/uploads/${view.id}`, link(q, { row: null, hl: q.row, page: Math.ceil(found.index / q.size) }), true);
    return;
  }
  let page;
  try {
    page = await (pending || get(recordsPath(q, q.page, q.size)));
  } catch (err) {
    if (live()) failed(err, view.table);
    return;
  }
  if (!live()) return;
  if (!page.items.length && page.totalPages > 0 && q.page > page.totalPages) {
    // a page past the last (an old link, or records fixed away from a filter): the last page, in its place
    go(`/uploads/${view.id}`, link(q, { row: null, hl: null, page: page.totalPages }), true);
    return;
  }
  offerBulk(page.totalItems, q); // how many records Leave out all (Put back all) of the list's code changes
  await keepingFocus(() => {
    view.table.replaceChildren(table(q, page));
    view.pager.replaceChildren(pager('page', page.page, page.totalPages, (p) => navigate(q, { page: p })));
  });
  // the table and its pager are drawn anew, which a screen reader does not read: another page or list is told
  const list = JSON.stringify([q.status, q.field, q.code, q.size, page.page]);
  if (view.list !== undefined && view.list !== list) tellPage(page, t('review.table.none'));
  view.list = list;
  const marked = q.hl && document.getElementById(`row-${q.hl}`);
  if (marked) marked.scrollIntoView({ block: 'center' });
  if (marked && view.sought === q.hl) marked.focus({ preventScroll: true });
  view.sought = null;
  view.main.dataset.page = String(page.page);
  performance.mark('intake:records-drawn'); // read by the page's benchmark (ReviewPageBench)
}

function table(q, page) {
  // focusable, as the place the keyboard goes on from when a fix or a Put back took the list's last row out of it
  if (!page.items.length) return h('p', { class: 'empty', id: 'records-empty', tabindex: -1, text: t('review.table.none') });
  const from = (page.page - 1) * page.size + 1;
  const th = (text) => h('th', { scope: 'col' }, text);
  const body = h('tbody');
  for (const r of page.items) {
    const warnings = r.errors.some((e) => e.severity === 'warning');
    const verdict = !r.valid ? 'invalid' : warnings ? 'warnings' : 'valid';
    const detailsId = `details-${r.row}`;
    const toggle = h('button', {
      type: 'button', class: 'btn small toggle', id: `toggle-${r.row}`, 'aria-expanded': 'false', 'aria-controls': detailsId,
      'aria-label': t('review.details.show', { row: r.row }),
    }, '▸');
    // the details line is filled when first opened: a page draws fewer nodes
    const details = h('tr', { id: detailsId, class: 'details', hidden: true }, h('td', { colspan: 8 }));
    toggle.addEventListener('click', () => {
      const open = details.hidden;
      if (open && !details.firstChild.firstChild) details.firstChild.append(detailsList(q, r));
      details.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.setAttribute('aria-label', t(open ? 'review.details.hide' : 'review.details.show', { row: r.row }));
      toggle.textContent = open ? '▾' : '▸';
      if (open) showHistory(r.row, details.firstChild);
    });
    const out = editable() ? h('button', {
      type: 'button', class: 'btn small', id: `exclude-${r.row}`,
      'aria-label': t(r.excluded ? 'include.buttonOf' : 'exclude.buttonOf', { row: r.row }), onclick: () => patch(r.row, { excluded: !r.excluded }, r.excluded ? 'include.row' : 'exclude.row'),
    }, t(r.excluded ? 'include.button' : 'exclude.button')) : null;
    body.append(h('tr', {
      id: `row-${r.row}`, class: [q.hl === r.row ? 'highlight' : '', r.excluded ? 'excluded' : ''].join(' ').trim() || undefined,
      'data-row': r.row, tabindex: q.hl === r.row ? -1 : undefined, // focused when sought (a jump, "duplicate of row N")
    },
      h('th', { scope: 'row', class: 'num' }, String(r.row)),
      FIELDS.map((f) => cell(r, f)),
      h('td', {}, h('span', { class: `verdict ${verdict}` }, t(`review.verdict.${verdict}`)),
        r.excluded ? h('span', { class: 'verdict out' }, t('review.verdict.excluded')) : null),
      h('td', {}, toggle, out)), details);
  }
  return h('table', { class: 'grid records', id: 'records-table' },
    h('caption', {}, t('review.table.caption', { from, to: from + page.items.length - 1, total: page.totalItems })),
    h('thead', {}, h('tr', {}, th(t('review.col.row')), FIELDS.map((f) => th(t(`field.${f}`))),
      th(t('review.col.verdict')), th(t('review.col.details')))),
    body);
}

/**
 * The value of the record's field that its cell shows, and its editor starts with: the normalized value when the field
 * has no error (what a commit saves; a warning is no error), else the value as written.
 */
function valueOf(r, field) {
  const raw = r[PROPERTY[field]] ?? '';
  if (r.errors.some((e) => e.field === field && e.severity === 'error')) return raw;
  return r.normalized?.[PROPERTY[field]] ?? raw;
}

function cell(r, field) {
  const value = valueOf(r, field);
  const raw = r[PROPERTY[field]] ?? '';
  // a normalized value keeps the value as written in reach: on hover, and in the tip of a cell that has one
  const written = value === raw ? null : t('review.asWritten', { value: raw });
  const errs = r.errors.filter((e) => e.field === field);
  const severity = errs.some((e) => e.severity === 'error') ? 'error' : 'warning';
  const tipId = `tip-${r.row}-${field}`;
  const title = [written && visibleText(written), editable() ? t('edit.hint') : null].filter(Boolean).join('\n');
  const notes = [...errs.map((e) => `${t(`review.severity.${e.severity}`)}: ${violationText(e)}`), written].filter(Boolean);
  // a cell with no violation whose value is normalized takes the focus, which shows the value as written (a committed
  // upload's cells are not editable, and the title shows on hover only)
  const td = h('td', {
    class: errs.length ? `cell-${severity}` : written ? 'cell-note' : undefined, tabindex: notes.length || editable() ? 0 : undefined,
    'aria-describedby': notes.length ? tipId : undefined, 'data-field': field, title: title || undefined,
  }, h('span', { class: 'cell-value' }, errs.length && !value ? '∅' : shown(value)), notes.length
    ? h('span', { class: errs.length ? 'tip' : 'tip tip-note', role: 'tooltip', id: tipId }, shown(notes.join(' · '))) : null);
  if (notes.length) {
    // a tip Escape hid (hideTips) is shown again by the next focus, or the pointer's next coming
    td.addEventListener('focusout', (e) => { if (!td.contains(e.relatedTarget)) td.classList.remove('tip-hidden-focus'); });
    td.addEventListener('mouseleave', () => td.classList.remove('tip-hidden-hover'));
  }
  if (editable()) {
    const edit = (e) => {
      if (!td.querySelector('.cell-input') && (e.type === 'click' || (e.target === td && ['Enter', 'F2'].includes(e.key)))) startEdit(td, r, field);
    };
    td.addEventListener('click', edit);
    td.addEventListener('keydown', edit);
  }
  return td;
}

/**
 * Opens the cell for editing with the record's value as the server has it now: the page may be older than an edit
 * made meanwhile in another tab, which saving the shown value would undo. A record changed meanwhile has its page
 * redrawn first. The edit is saved only if the record is still as read then (its tag, as If-Match).
 */
async function startEdit(td, r, field) {
  if (td.dataset.opening) return;
  td.dataset.opening = 'true';
  let fresh;
  let tag;
  try {
    // an edit being saved (left by the click that opens this one) redraws the page first
    if (view.saving) await view.saving;
    if (!view) return;
    ({ body: fresh, tag } = await tagged('GET', `/api/v1/uploads/${view.id}/records/${r.row}`));
  } catch (err) {
    failed(err, view.notice);
    return;
  } finally {
    delete td.dataset.opening;
  }
  let cellNow = td.isConnected ? td : cellAt(r.row, field);
  if (fresh.excluded !== r.excluded || Object.values(PROPERTY).some((p) => (fresh[p] ?? '') !== (r[p] ?? ''))) {
    if (!await refreshSummary()) return;
    put(view.notice, h('p', { id: 'edit-stale' }, t('edit.changedMeanwhile', { row: r.row })));
    cellNow = cellAt(r.row, field);
  }
  if (cellNow && cellNow.isConnected && !cellNow.querySelector('.cell-input') && editable()) editCell(cellNow, fresh, field, valueOf(fresh, field), tag);
}

/**
 * Turns the cell into a text field: Enter, or leaving it (Tab, a click elsewhere, another window), saves a changed
 * value (Enter also a NID that was a number cell as it is, which confirms it as text); Escape puts the cell back. A
 * value the server refuses stays in the field, its reason in the notice. A text area, not an input, which would drop a
 * value's line breaks, so that opening and saving an untouched cell changed it; it wraps the value and is as tall as
 * its lines, as wide as the cell was, so that a long value (an e-mail over several lines of its cell) shows whole,
 * not its tail alone; and no length bound of the browser's, which counts UTF-16 units and cuts a long paste silently:
 * the server refuses a value over 1,000 characters in words the page shows.
 */
function editCell(td, r, field, value, tag) {
  const kept = [...td.childNodes];
  // a NID that was a number cell: Enter on its digits as they are confirms them, as text (nid.numeric_cell goes)
  const numberCell = field === 'nid' && r.errors.some((e) => e.code === 'nid.numeric_cell');
  const label = numberCell ? 'edit.labelNumberCell' : 'edit.label';
  const input = h('textarea', { class: 'cell-input', rows: 1, 'aria-label': t(label, { field: t(`field.${field}`), row: r.row }) });
  input.value = value;
  let state = 'open'; // then 'saving' (once: Enter and the blur that follows save one change), or 'closed'
  const edit = { id: view.id, row: r.row, field, value, tag, input };
  openEdit = edit;
  const back = (focus) => {
    state = 'closed';
    if (openEdit === edit) openEdit = null;
    td.replaceChildren(...kept);
    if (focus) td.focus();
  };
  const save = async (byEnter) => {
    if (state !== 'open') return;
    if (input.value === value && !(byEnter && numberCell)) {
      back(byEnter);
      return;
    }
    state = 'saving';
    const saved = await patch(r.row, { [PROPERTY[field]]: input.value }, 'edit.saved', byEnter ? field : null, tag);
    if (saved && openEdit === edit) openEdit = null;
    if (!saved && td.contains(input)) state = 'open';
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      back(true);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      save(true);
    }
  });
  input.addEventListener('blur', () => { if (td.contains(input)) save(false); });
  const pad = getComputedStyle(td);
  input.style.minWidth = `max(8rem, ${td.clientWidth - parseFloat(pad.paddingLeft) - parseFloat(pad.paddingRight)}px)`;
  const fit = () => {
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight + input.offsetHeight - input.clientHeight}px`;
  };
  input.addEventListener('input', fit);
  td.replaceChildren(input);
  fit();
  input.focus();
  input.select();
}

/**
 * The change typed in the cell open for editing and not saved ({id, row, field, value, tag}), or null: taken as the
 * clerk is signed out (the session ended while the cell was open, or as its change was sent), so that it is not lost.
 */
export function unsavedEdit() {
  if (!openEdit || openEdit.input.value === openEdit.value) return null;
  const { id, row, field, tag } = openEdit;
  return { id, row, field, tag, value: openEdit.input.value };
}

/**
 * Puts a change that the end of a session kept from being saved ({@link unsavedEdit}) back in its cell, open and not
 * saved, on the review drawn after signing in again: Enter saves it, if the record is still as it was when the cell
 * was first opened (its tag), Escape drops it. A cell no longer shown, or an upload that can no longer be edited,
 * has the change named in the notice instead.
 */
export async function restoreEdit(edit) {
  if (!view || view.id !== edit.id) return;
  let fresh = null;
  try {
    ({ body: fresh } = await tagged('GET', `/api/v1/uploads/${view.id}/records/${edit.row}`));
  } catch (err) {
    failed(err, view.notice);
    return;
  }
  const td = cellAt(edit.row, edit.field);
  if (!td || !editable() || td.querySelector('.cell-input')) {
    put(view.notice, h('p', { id: 'edit-unsaved', class: 'problem' }, t('edit.unsaved', { row: edit.row, value: edit.value })));
    return;
  }
  editCell(td, fresh, edit.field, valueOf(fresh, edit.field), edit.tag);
  const input = td.querySelector('.cell-input');
  input.value = edit.value;
  input.dispatchEvent(new Event('input'));
  input.select();
  put(view.notice, h('p', { id: 'edit-restored' }, t('edit.restored', { row: edit.row })));
}

/** The record's edits and exclusions, under its violations. */
async function showHistory(row, into) {
  into.querySelector('.history')?.remove();
  try {
    const rec = await get(`/api/v1/uploads/${view.id}/records/${row}`);
    into.append(h('div', { class: 'history', id: `history-${row}` }, h('strong', {}, t('history.heading')), rec.history.length
      ? h('ul', {}, rec.history.map((e) => h('li', {}, t(e.field === 'excluded' ? `history.${e.to === 'true' ? 'out' : 'in'}` : 'history.edit',
        { at: formatDate(e.at), by: e.by, field: t(`field.${FIELD_OF[e.field] || e.field}`), from: visibleText(e.from ?? ''), to: visibleText(e.to ?? '') }))))
      : h('p', { text: t('history.none') })));
  } catch (err) {
    into.append(problemNode(err));
  }
}

/** The code's words, and the record's own message from the API (what exactly is wrong here), or the row it repeats. */
function violationText(e) {
  if (e.relatedRow) return `${codeText(e.code)} (${t('review.details.duplicateOf', { row: e.relatedRow })})`;
  return e.message ? `${codeText(e.code)}: ${e.message}` : codeText(e.code);
}

function detailsList(q, r) {
  if (!r.errors.length) return h('p', { text: t('review.details.none') });
  return h('ul', { class: 'violations' }, r.errors.map((e) => h('li', { class: e.severity },
    h('strong', {}, t(`review.severity.${e.severity}`)), ' ', t(`field.${e.field}`), ': ', codeText(e.code), ' ',
    h('code', {}, e.code),
    e.message && !e.relatedRow ? [' — ', h('span', { class: 'message' }, shown(e.message))] : null,
    e.relatedRow ? [' — ', h('a', {
      href: href(`/uploads/${view.id}`, link({ ...q, status: 'all', field: '', code: '' }, { row: e.relatedRow, hl: null, page: 1 })),
      class: 'related',
    }, t('review.details.duplicateOf', { row: e.relatedRow }))] : null)));
}

/**
 * What "Valid only" will do, in numbers: {@code saved} (the preview's) of the valid records that are not left out are
 * saved, every other record is skipped (committed + skipped = records). A clause that would count none (no invalid
 * record) is left out.
 */
function validOnlyText(tot, saved) {
  const out = tot.excluded || 0;
  if (!out) return t(tot.invalid ? 'commit.valid.explain' : 'commit.valid.explain.allValid', { valid: saved, invalid: tot.invalid });
  const outValid = tot.excludedValid;
  let key = tot.invalid ? 'commit.valid.explain.excludedValid' : 'commit.valid.explain.excludedValidOnly';
  if (!outValid) key = out === tot.invalid ? 'commit.valid.explain.excludedAllInvalid' : 'commit.valid.explain.excludedInvalid';
  return t(key,
    { saved, skipped: tot.records - saved, invalid: tot.invalid, excluded: out, outValid });
}

/**
 * What "All records" will do, in numbers: every record not left out ({@code saved}, the preview's) is saved, the
 * invalid ones with their violations. A clause that would count none (no valid, no invalid record, none of the invalid
 * ones saved) is left out.
 */
function allText(tot, saved) {
  const out = tot.excluded || 0;
  if (out) {
    return t(invalidKept(tot) ? 'commit.all.explain.excluded' : 'commit.all.explain.excludedNoInvalid',
      { records: tot.records, excluded: out, saved });
  }
  let key = 'commit.all.explain';
  if (!tot.invalid) key = 'commit.all.explain.allValid';
  else if (!tot.valid) key = 'commit.all.explain.allInvalid';
  return t(key, { records: saved, valid: tot.valid, invalid: tot.invalid });
}

/**
 * What each choice will do as the commit preview counts it now: with records whose NID another commit registered since
 * validation (conflicts), its saved, skipped and conflicts, and a note that says how many there are; else the choices
 * in the words of the upload's totals.
 */
function commitTexts(tot, p) {
  const conflicts = p.all.conflicts;
  if (!tot.records) {
    return { all: t('commit.explain.none'), valid: t('commit.explain.none'), note: t('commit.conflictsNote') };
  }
  if (!conflicts) {
    return { all: allText(tot, p.all.committed), valid: validOnlyText(tot, p.valid.committed), note: t('commit.conflictsNote') };
  }
  return {
    all: t('commit.all.explain.conflicts', { saved: p.all.committed, skipped: p.all.skipped, conflicts }),
    valid: t('commit.valid.explain.conflicts', { saved: p.valid.committed, skipped: p.valid.skipped, conflicts }),
    note: t('commit.conflicts', { conflicts }),
  };
}

/** Opens the commit dialog on the upload as it is now (another tab may have changed it since the review opened). */
async function openCommit() {
  if (view.saving) await view.saving; // an edit left by this click is counted
  if (!view || !await refreshSummary() || view.summary.status !== 'validated') return; // gone or committed: the page says so
  const shown = view;
  const { id } = view;
  let preview;
  try {
    // what the commit would do now: a NID another commit registered since validation makes its record a conflict
    preview = await get(`/api/v1/uploads/${id}/commit-preview`);
  } catch (err) {
    if (view !== shown) return;
    failed(err, view.notice);
    if (view && err.code === 'upload.already_committed') await refreshSummary(); // committed elsewhere: show it so
    return;
  }
  if (view !== shown || !document.contains(shown.table)) return;
  const tot = view.summary.totals;
  const sm = view.summary;
  const explain = commitTexts(tot, preview);
  const radio = (value, key, checked) => h('div', { class: 'choice' },
    h('input', { type: 'radio', name: 'records', id: `commit-${value}`, value, checked: checked || undefined }),
    h('label', { for: `commit-${value}` }, h('strong', {}, t(key)), h('br'), h('span', { id: `commit-${value}-explain` }, explain[value])));
  const result = h('div', { id: 'commit-result', role: 'status' });
  const confirm = h('button', { type: 'submit', class: 'btn primary', id: 'commit-confirm' }, t('commit.confirm'));
  const cancel = h('button', { type: 'button', class: 'btn', id: 'commit-cancel', onclick: () => d.close('cancel') }, t('commit.cancel'));
  let done = false;
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      if (done) {
        d.close('done');
        return;
      }
      const records = form.querySelector('input[name=records]:checked').value;
      confirm.disabled = true;
      result.textContent = t('commit.working');
      try {
        const c = await call('POST', `/api/v1/uploads/${id}/commit`, { records });
        done = true;
        result.replaceChildren(h('p', { id: 'commit-outcome' }, t('commit.result', c)));
        form.querySelectorAll('input').forEach((i) => { i.disabled = true; });
        confirm.textContent = t('commit.close');
        confirm.disabled = false;
        cancel.remove();
        confirm.focus();
      } catch (err) {
        failed(err, result);
        if (!view) return;
        confirm.disabled = false;
        if (err.code === 'upload.already_committed') {
          // committed elsewhere: the dialog can only be closed, and closing it shows the upload as it is now
          done = true;
          confirm.textContent = t('commit.close');
          cancel.remove();
        }
      }
    },
  }, h('fieldset', {}, h('legend', {}, t('commit.choose')), radio('all', 'commit.all', false), radio('valid', 'commit.valid', true)),
  h('p', { class: 'hint', id: 'commit-conflicts-note' }, explain.note), result, h('div', { class: 'dialog-buttons' }, cancel, confirm));
  let recounted = false;
  const d = dialog(t('commit.heading', { name: uploadName(sm) }), form, {
    onClose: (how) => {
      if (shown.commitDialog === waiting) shown.commitDialog = null;
      if (how === 'left' || how === 'stale') return;
      if (!done) {
        // counted again meanwhile: the review under it is drawn as the upload is now
        if (recounted) redrawCommitted(shown);
        else document.getElementById('commit-open')?.focus();
        return;
      }
      redrawCommitted(view);
    },
  });
  // the upload as it is now (recheckCommit): its choices explained with the preview's numbers of now
  const recount = async (summary) => {
    let again;
    try {
      again = await get(`/api/v1/uploads/${id}/commit-preview`);
    } catch (err) {
      if (view === shown && waiting.waiting()) failed(err, result);
      return;
    }
    if (view !== shown || shown.commitDialog !== waiting || !waiting.waiting()) return;
    const now = commitTexts(summary.totals, again);
    for (const [key, el] of [['all', '#commit-all-explain'], ['valid', '#commit-valid-explain'], ['note', '#commit-conflicts-note']]) {
      const node = form.querySelector(el);
      if (node.textContent !== now[key]) {
        node.textContent = now[key];
        recounted = true;
      }
    }
  };
  // neither confirmed nor answered yet: a tab shown again may close it, or count it again (recheckCommit)
  const waiting = { waiting: () => !done && !confirm.disabled, close: () => d.close('stale'), recount };
  shown.commitDialog = waiting;
  form.querySelector('#commit-valid').focus();
}

function openDiscard() {
  const { id } = view;
  const sm = view.summary;
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        await call('DELETE', `/api/v1/uploads/${id}`);
        d.close('done');
        view = null;
        go('/uploads');
      } catch (err) {
        if (err.code === 'upload.not_found') failed(err, view.notice);
        else form.prepend(problemNode(err));
      }
    },
  }, h('p', { text: t('discard.explain') }), h('div', { class: 'dialog-buttons' },
    h('button', { type: 'button', class: 'btn', id: 'discard-cancel', onclick: () => d.close('cancel') }, t('discard.cancel')),
    h('button', { type: 'submit', class: 'btn danger', id: 'discard-confirm' }, t('discard.confirm'))));
  const d = dialog(t('discard.heading', { name: fileName(sm) }), form, {
    onClose: (v) => { if (v !== 'done' && v !== 'left') document.getElementById('discard-open')?.focus(); },
  });
  form.querySelector('#discard-cancel').focus();
}
