// Review of one upload: summary cards, violations chart, filters, one page of records, commit and discard.
// A page turn or a filter change fetches one page of records and redraws only the table and the pager.
import { t, has, formatDate } from './i18n.js';
import { call, get } from './api.js';
import { h, s, go, href, n, put, pager, select, dialog, problemNode, keepingFocus, announce } from './ui.js';

export const FIELDS = ['names', 'nid', 'phone_number', 'gender', 'email'];
const PROPERTY = { names: 'names', nid: 'nid', phone_number: 'phoneNumber', gender: 'gender', email: 'email' };
const WARNINGS = new Set(['nid.numeric_cell', 'nid.underage', 'phone.duplicate', 'email.duplicate']);
const SIZES = [50, 100, 500];

let view = null; // {id, summary, main, parts...} of the review on screen

const codeText = (code) => (has(`code.${code}`) ? t(`code.${code}`) : code);
export const severityOf = (code) => (WARNINGS.has(code) ? 'warning' : 'error');

function query(params) {
  const size = SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : 50;
  return {
    status: ['valid', 'invalid'].includes(params.get('status')) ? params.get('status') : 'all',
    field: FIELDS.includes(params.get('field')) ? params.get('field') : '',
    code: params.get('code') || '',
    page: Math.max(1, Number(params.get('page')) || 1),
    size,
    row: Number(params.get('row')) || null,
    hl: Number(params.get('hl')) || null,
  };
}

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

export async function showReview(main, id, params) {
  const q = query(params);
  if (!view || view.id !== id || view.main !== main || !main.contains(view.table)) {
    const summary = await get(`/api/v1/uploads/${id}`);
    view = { id, summary, main };
    drawFrame();
  }
  await drawRecords(q);
}

async function refreshSummary() {
  view.summary = await get(`/api/v1/uploads/${view.id}`);
  drawFrame();
  await drawRecords(query(new URLSearchParams(location.hash.split('?')[1] || '')));
}

function drawFrame() {
  const sm = view.summary;
  const tot = sm.totals;
  const card = (key, value, cls) => h('div', { class: `stat ${cls || ''}` },
    h('span', { class: 'stat-value', id: `card-${key}` }, n(value)), h('span', { class: 'stat-label' }, t(`review.card.${key}`)));
  view.filters = h('section', { class: 'filters', 'aria-label': t('review.filters') });
  view.table = h('div', { id: 'records', class: 'table-wrap' });
  view.pager = h('div', { id: 'records-pager' });
  view.chart = h('section', { class: 'card chart', 'aria-labelledby': 'chart-heading' });
  view.actions = h('div', { class: 'actions', id: 'review-actions' });
  put(view.main,
    h('p', {}, h('a', { href: href('/uploads') }, `← ${t('review.back')}`)),
    h('div', { class: 'review-head' },
      h('h1', { id: 'review-title' }, sm.fileName, ' ', h('span', { class: `badge ${sm.status}`, id: 'review-status' }, t(`status.${sm.status}`))),
      view.actions),
    h('p', { class: 'meta' }, t('review.meta', { owner: sm.owner, created: formatDate(sm.createdAt) })),
    h('div', { class: 'stats', id: 'summary-cards' },
      card('records', tot.records), card('valid', tot.valid, 'ok'), card('invalid', tot.invalid, 'bad'),
      card('withWarnings', tot.withWarnings, 'warn'), card('blankRows', tot.blankRows)),
    sm.ignoredColumns && sm.ignoredColumns.length
      ? h('p', { class: 'hint' }, t('review.ignoredColumns', { columns: sm.ignoredColumns.join(', ') })) : null,
    sm.commit ? h('p', { class: 'notice', id: 'commit-state' },
      t('review.committed', { at: formatDate(sm.commit.committedAt), committed: sm.commit.committed,
        skipped: sm.commit.skipped, conflicts: sm.commit.conflicts }), ' ',
      h('a', { href: href('/users', { uploadId: sm.id }) }, t('review.savedUsers'))) : null,
    view.chart, view.filters, view.table, view.pager);
  drawActions();
}

function drawActions() {
  const sm = view.summary;
  put(view.actions,
    sm.status === 'validated' ? h('button', { type: 'button', class: 'btn primary', id: 'commit-open', onclick: openCommit }, t('review.commit')) : null,
    sm.status !== 'committing' ? h('button', { type: 'button', class: 'btn danger', id: 'discard-open', onclick: openDiscard }, t('review.discard')) : null);
}

function drawChart(q) {
  const entries = Object.entries(view.summary.violationsByCode || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const max = entries.length ? entries[0][1] : 1;
  view.chart.replaceChildren(h('h2', { id: 'chart-heading', text: t('review.chart.heading') }));
  if (!entries.length) {
    view.chart.append(h('p', { text: t('review.chart.none') }));
    return;
  }
  view.chart.append(h('p', { class: 'hint', text: t('review.chart.hint') }), h('ul', { class: 'bars' }, entries.map(([code, count]) => {
    const active = q.code === code;
    return h('li', {}, h('button', {
      type: 'button', class: `bar ${severityOf(code)}`, id: `bar-${code.replace('.', '-')}`, 'data-code': code,
      'aria-pressed': String(active), 'aria-label': t('review.chart.bar', { message: codeText(code), code, count }),
      onclick: () => navigate(q, { code: active ? '' : code, page: 1 }),
    },
    h('span', { class: 'bar-label' }, codeText(code), ' ', h('code', {}, code)),
    s('svg', { class: 'bar-svg', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
      s('rect', { x: 0, y: 0, height: 10, width: Math.max(0.5, (100 * count) / max).toFixed(2) })),
    h('span', { class: 'bar-count' }, n(count))));
  })));
}

function drawFilters(q) {
  const codes = new Set(Object.keys(view.summary.violationsByCode || {}));
  if (q.code) codes.add(q.code);
  view.filters.replaceChildren(
    select('filter-status', t('review.filter.status'),
      [['all', t('review.status.all')], ['valid', t('review.status.valid')], ['invalid', t('review.status.invalid')]],
      q.status, (v) => navigate(q, { status: v, page: 1 })),
    select('filter-field', t('review.filter.field'),
      [['', t('review.filter.any')], ...FIELDS.map((f) => [f, t(`field.${f}`)])], q.field, (v) => navigate(q, { field: v, page: 1 })),
    select('filter-code', t('review.filter.code'),
      [['', t('review.filter.any')], ...[...codes].sort().map((c) => [c, `${c}: ${codeText(c)}`])], q.code,
      (v) => navigate(q, { code: v, page: 1 })),
    select('filter-size', t('review.filter.size'), SIZES.map((v) => [v, n(v)]), q.size, (v) => navigate(q, { size: Number(v), page: 1 })),
    h('button', { type: 'button', class: 'btn', id: 'filter-clear', onclick: () => navigate(q, { status: 'all', field: '', code: '', page: 1 }) },
      t('review.filter.clear')),
    rowJump(q));
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

function recordsPath(q, page, size) {
  const p = new URLSearchParams({ page, size, status: q.status });
  if (q.field) p.set('field', q.field);
  if (q.code) p.set('code', q.code);
  return `/api/v1/uploads/${view.id}/records?${p}`;
}

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

async function drawRecords(q) {
  drawChart(q);
  drawFilters(q);
  const sm = view.summary;
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
    const found = await locate(q, q.row);
    if (!found.exact) announce(t('review.rowNotShown', { row: q.row }));
    go(`/uploads/${view.id}`, link(q, { row: null, hl: q.row, page: Math.ceil(found.index / q.size) }), true);
    return;
  }
  let page;
  try {
    page = await get(recordsPath(q, q.page, q.size));
  } catch (err) {
    view.table.replaceChildren(problemNode(err));
    return;
  }
  await keepingFocus(() => {
    view.table.replaceChildren(table(q, page));
    view.pager.replaceChildren(pager('page', page.page, page.totalPages, (p) => navigate(q, { page: p })));
  });
  const marked = q.hl && document.getElementById(`row-${q.hl}`);
  if (marked) marked.scrollIntoView({ block: 'center' });
  view.main.dataset.page = String(page.page);
  performance.mark('intake:records-drawn'); // read by the page's benchmark (ReviewPageBench)
}

function table(q, page) {
  if (!page.items.length) return h('p', { class: 'empty', id: 'records-empty', text: t('review.table.none') });
  const from = (page.page - 1) * page.size + 1;
  const th = (text) => h('th', { scope: 'col' }, text);
  const body = h('tbody');
  for (const r of page.items) {
    const warnings = r.errors.some((e) => e.severity === 'warning');
    const verdict = !r.valid ? 'invalid' : warnings ? 'warnings' : 'valid';
    const detailsId = `details-${r.row}`;
    const toggle = h('button', {
      type: 'button', class: 'btn small toggle', id: `toggle-${r.row}`, 'aria-expanded': 'false', 'aria-controls': detailsId,
      'aria-label': t('review.details.show', { row: r.row }), disabled: r.errors.length ? undefined : true,
    }, '▸');
    const details = h('tr', { id: detailsId, class: 'details', hidden: true }, h('td', { colspan: 8 }, detailsList(q, r)));
    toggle.addEventListener('click', () => {
      const open = details.hidden;
      details.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.setAttribute('aria-label', t(open ? 'review.details.hide' : 'review.details.show', { row: r.row }));
      toggle.textContent = open ? '▾' : '▸';
    });
    body.append(h('tr', { id: `row-${r.row}`, class: q.hl === r.row ? 'highlight' : undefined, 'data-row': r.row },
      h('th', { scope: 'row', class: 'num' }, String(r.row)),
      FIELDS.map((f) => cell(r, f)),
      h('td', {}, h('span', { class: `verdict ${verdict}` }, t(`review.verdict.${verdict}`))),
      h('td', {}, toggle)), details);
  }
  return h('table', { class: 'grid records', id: 'records-table' },
    h('caption', {}, t('review.table.caption', { from, to: from + page.items.length - 1, total: page.totalItems })),
    h('thead', {}, h('tr', {}, th(t('review.col.row')), FIELDS.map((f) => th(t(`field.${f}`))),
      th(t('review.col.verdict')), th(t('review.col.details')))),
    body);
}

function cell(r, field) {
  const value = r[PROPERTY[field]] ?? '';
  const errs = r.errors.filter((e) => e.field === field);
  if (!errs.length) return h('td', {}, value);
  const severity = errs.some((e) => e.severity === 'error') ? 'error' : 'warning';
  const tipId = `tip-${r.row}-${field}`;
  return h('td', { class: `cell-${severity}`, tabindex: 0, 'aria-describedby': tipId, 'data-field': field },
    h('span', { class: 'cell-value' }, value || '∅'),
    h('span', { class: 'tip', role: 'tooltip', id: tipId },
      errs.map((e) => `${t(`review.severity.${e.severity}`)}: ${violationText(e)}`).join(' · ')));
}

function violationText(e) {
  return e.relatedRow ? `${codeText(e.code)} (${t('review.details.duplicateOf', { row: e.relatedRow })})` : codeText(e.code);
}

function detailsList(q, r) {
  if (!r.errors.length) return h('p', { text: t('review.details.none') });
  return h('ul', { class: 'violations' }, r.errors.map((e) => h('li', { class: e.severity },
    h('strong', {}, t(`review.severity.${e.severity}`)), ' ', t(`field.${e.field}`), ': ', codeText(e.code), ' ',
    h('code', {}, e.code),
    e.relatedRow ? [' — ', h('a', {
      href: href(`/uploads/${view.id}`, link({ ...q, status: 'all', field: '', code: '' }, { row: e.relatedRow, hl: null, page: 1 })),
      class: 'related',
    }, t('review.details.duplicateOf', { row: e.relatedRow }))] : null)));
}

function openCommit() {
  const sm = view.summary;
  const tot = sm.totals;
  const counts = { records: tot.records, valid: tot.valid, invalid: tot.invalid };
  const radio = (value, key, checked) => h('div', { class: 'choice' },
    h('input', { type: 'radio', name: 'records', id: `commit-${value}`, value, checked: checked || undefined }),
    h('label', { for: `commit-${value}` }, h('strong', {}, t(key)), h('br'), t(`${key}.explain`, counts)));
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
        const c = await call('POST', `/api/v1/uploads/${view.id}/commit`, { records });
        done = true;
        result.replaceChildren(h('p', { id: 'commit-outcome' }, t('commit.result', c)));
        form.querySelectorAll('input').forEach((i) => { i.disabled = true; });
        confirm.textContent = t('commit.close');
        confirm.disabled = false;
        cancel.remove();
        confirm.focus();
      } catch (err) {
        result.replaceChildren(problemNode(err));
        confirm.disabled = false;
      }
    },
  }, h('fieldset', {}, h('legend', {}, t('commit.choose')), radio('all', 'commit.all', false), radio('valid', 'commit.valid', true)),
  result, h('div', { class: 'dialog-buttons' }, cancel, confirm));
  const d = dialog(t('commit.heading', { name: sm.fileName }), form, {
    onClose: () => { if (done) refreshSummary(); else document.getElementById('commit-open')?.focus(); },
  });
  form.querySelector('#commit-valid').focus();
}

function openDiscard() {
  const sm = view.summary;
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        await call('DELETE', `/api/v1/uploads/${view.id}`);
        d.close('done');
        view = null;
        go('/uploads');
      } catch (err) {
        form.prepend(problemNode(err));
      }
    },
  }, h('p', { text: t('discard.explain') }), h('div', { class: 'dialog-buttons' },
    h('button', { type: 'button', class: 'btn', id: 'discard-cancel', onclick: () => d.close('cancel') }, t('discard.cancel')),
    h('button', { type: 'submit', class: 'btn danger', id: 'discard-confirm' }, t('discard.confirm'))));
  const d = dialog(t('discard.heading', { name: sm.fileName }), form, {
    onClose: (v) => { if (v !== 'done') document.getElementById('discard-open')?.focus(); },
  });
  form.querySelector('#discard-cancel').focus();
}
