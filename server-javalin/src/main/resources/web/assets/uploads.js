// The uploads screen: the caller's uploads (an admin's: everyone's), and sending a new workbook with two progress
// bars, bytes sent and then rows validated.
import { t, formatDate } from './i18n.js';
import { currentUser, get, sendFile } from './api.js';
import { h, href, n, problemNode, announce, keepingFocus, quoted, breakable, uploadName, fileName } from './ui.js';
import { rememberStatus } from './review-data.js';

let panel = null; // the upload panel of the screen on view; an upload in flight reports into it
let listBox = null;
/** The timer that reads the list again while an upload in it is validating or committing. */
let following = null;
/** The reads of the list started: an answer older than the last one drawn is not drawn over it. */
let reads = 0;
/** How often the list is read again while an upload in it is validating or committing (ms). */
const FOLLOW_EVERY = 1000;

export async function showUploads(main) {
  const input = h('input', { id: 'file-input', type: 'file', accept: '.xlsx,.xlsm,.xltx,.xltm,.csv,.tsv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  input.addEventListener('change', () => {
    if (input.files[0]) uploadDropped(input.files[0]);
    input.value = '';
  });
  panel = h('div', { id: 'upload-panel', class: 'upload-panel' });
  listBox = h('div', { id: 'uploads-list' });
  main.replaceChildren(
    h('h1', { text: t('uploads.heading') }),
    h('section', { class: 'card', 'aria-labelledby': 'upload-heading' },
      h('h2', { id: 'upload-heading', text: t('uploads.new') }),
      h('div', { class: 'field' }, h('label', { for: 'file-input' }, t('uploads.pick')), input),
      h('p', { class: 'hint', text: t('uploads.dropHint') }),
      panel),
    listBox);
  await refreshList();
}

/**
 * Draws the list; while an upload in it is validating or committing (sent from this page, from another tab, or before
 * a reload), the list is read again every second, until none is.
 */
async function refreshList() {
  const box = listBox;
  if (!box) return;
  clearTimeout(following);
  following = null;
  reads += 1;
  const read = reads;
  const uploads = await get('/api/v1/uploads');
  if (box !== listBox || !box.isConnected || read !== reads) return;
  rememberStatus(...uploads);
  if (uploads.some((u) => u.status === 'validating' || u.status === 'committing')) {
    following = setTimeout(() => {
      following = null;
      if (box === listBox && box.isConnected) listAgain();
    }, FOLLOW_EVERY);
  }
  const admin = currentUser()?.role === 'admin';
  if (!uploads.length) {
    listBox.replaceChildren(h('p', { class: 'empty', text: t('uploads.empty') }));
    return;
  }
  const th = (key) => h('th', { scope: 'col' }, t(key));
  // a narrow screen shows each upload's values one after the other, each after its column's name (app.css)
  const td = (key, attrs, ...content) => h('td', { ...attrs, 'data-label': t(key) }, ...content);
  // the link used keeps the focus when the list is drawn again
  await keepingFocus(() => listBox.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'uploads-table' },
    h('thead', {}, h('tr', {}, th('uploads.col.file'), admin ? th('uploads.col.owner') : null, th('uploads.col.status'),
      th('uploads.col.records'), th('uploads.col.valid'), th('uploads.col.invalid'), th('uploads.col.created'),
      th('uploads.col.actions'))),
    h('tbody', {}, uploads.map((u) => h('tr', { 'data-id': u.id },
      h('td', { class: 'file' }, breakable(uploadName(u))), admin ? td('uploads.col.owner', {}, u.owner) : null,
      td('uploads.col.status', {}, h('span', { class: `badge ${u.status}` }, t(`status.${u.status}`)), u.status === 'validating'
        ? h('span', { class: 'list-progress' }, t('uploads.rowsSoFar', { rows: u.progress?.rowsRead ?? 0 })) : null),
      td('uploads.col.records', { class: 'num' }, n(u.totals.records)), td('uploads.col.valid', { class: 'num' }, n(u.totals.valid)),
      td('uploads.col.invalid', { class: 'num' }, n(u.totals.invalid)), td('uploads.col.created', { class: 'date' }, formatDate(u.createdAt)),
      h('td', { class: 'open' }, h('a', { href: href(`/uploads/${u.id}`), id: `review-${u.id}`, 'aria-label': t('uploads.reviewOf', { name: fileName(u) }) },
        t('uploads.review'))))))))));
}

function bar(id, labelKey) {
  const progress = h('progress', { id, max: 100, value: 0 });
  const text = h('span', { id: `${id}-text`, class: 'progress-text' });
  return { node: h('div', { class: 'progress' }, h('label', { for: id }, t(labelKey)), progress, text), progress, text };
}

/**
 * Sends {@code file}, then follows its validation until it settles; reports into the upload panel on view.
 * {@code sheet}: the worksheet to read (else the first list's); {@code read}: the sheets of this file read before
 * from this panel, which are not offered again.
 */
export async function uploadDropped(file, sheet, read = []) {
  const box = panel;
  if (!box || !box.isConnected) return;
  const sent = bar('bytes-progress', 'uploads.sent');
  const rows = bar('rows-progress', 'uploads.validating');
  const status = h('div', { id: 'upload-status', role: 'status' });
  // what is under way: sending, then validating; once it is over, the status says what came of it
  const phase = h('p', { id: 'upload-phase', text: t('uploads.sending', { name: file.name }) });
  box.replaceChildren(phase, sent.node, status);
  let summary;
  try {
    summary = await sendFile(file, (loaded, total) => {
      sent.progress.max = total || 1;
      sent.progress.value = loaded;
      sent.text.textContent = `${Math.round((100 * loaded) / (total || 1))} %`;
    }, sheet);
  } catch (err) {
    phase.remove();
    status.replaceChildren(h('p', { class: 'problem-title', text: t('uploads.rejected', { name: file.name }) }), problemNode(err));
    box.dataset.state = 'rejected';
    return;
  }
  sent.progress.value = sent.progress.max;
  sent.text.textContent = '100 %';
  // accepted: the list shows it at once, and follows its validation as it does any upload validating in it
  if (box === panel) listAgain();
  phase.textContent = t('uploads.validatingFile', { name: fileName(summary) });
  box.insertBefore(rows.node, status);
  rows.progress.removeAttribute('value'); // the sheet's row count is not known ahead: an indeterminate bar
  box.dataset.state = 'validating';
  try {
    while (summary.status === 'validating') {
      rows.text.textContent = t('uploads.rowsSoFar', { rows: summary.progress.rowsRead });
      // answered as soon as validation ends, or after a second with the rows read so far
      // eslint-disable-next-line no-await-in-loop
      summary = await get(`/api/v1/uploads/${summary.id}?wait=1`);
    }
  } catch (err) {
    // deleted meanwhile (another tab, an expiry), the server or the network down: the panel says so, it does not
    // stay on "validating"
    rows.progress.max = 1;
    rows.progress.value = 0;
    phase.remove();
    box.dataset.state = 'lost';
    status.replaceChildren(h('p', { class: 'problem-title', text: t('uploads.lost', { name: file.name }) }), problemNode(err));
    if (box === panel) await listAgain();
    return;
  }
  rows.progress.max = 1;
  rows.progress.value = 1;
  phase.remove();
  rows.text.textContent = t('uploads.rowsRead', { rows: summary.progress.rowsRead });
  box.dataset.state = summary.status;
  if (summary.status === 'failed') {
    status.replaceChildren(h('p', { class: 'problem', role: 'alert',
      text: t('uploads.failed', { name: fileName(summary), detail: summary.failure?.detail || '' }) }));
  } else {
    const done = t('uploads.done', { name: fileName(summary), records: summary.totals.records,
      valid: summary.totals.valid, invalid: summary.totals.invalid });
    // replaceChildren writes a null as the text "null": the note of other lists is there only when there are some
    status.replaceChildren(...[h('p', { id: 'upload-done', text: done }),
      h('a', { href: href(`/uploads/${summary.id}`), class: 'btn primary', id: 'open-review' }, t('uploads.openReview')),
      otherLists(file, summary, read)].filter(Boolean));
    announce(summary.otherLists?.length ? `${done} ${document.getElementById('other-lists-text')?.textContent || ''}` : done);
  }
  if (box === panel) await listAgain();
}

/**
 * The workbook's other sheets that hold a list, which were not read: a button for each sends the same file again,
 * naming that sheet. Null when there are none.
 */
function otherLists(file, summary, before) {
  if (!summary.otherLists?.length) return null;
  const read = [...before.filter((s) => s !== summary.sheet), summary.sheet];
  const left = summary.otherLists.filter((s) => !read.includes(s));
  const text = !left.length ? t('uploads.otherListsAllRead', { sheets: quoted(read) })
    : read.length > 1 ? t('uploads.otherListsSoFar', { read: quoted(read), sheets: quoted(left) })
      : t('uploads.otherLists', { sheet: summary.sheet, sheets: quoted(left) });
  return h('div', { class: left.length ? 'notice warn' : 'notice', id: 'other-lists' },
    h('p', { id: 'other-lists-text', text }),
    left.length ? h('p', { class: 'actions' }, ...left.map((sheet) => h('button', { type: 'button', class: 'btn', 'data-sheet': sheet,
      onclick: () => uploadDropped(file, sheet, read) }, t('uploads.readSheet', { sheet })))) : null);
}

/** The list drawn again after an upload settled; a failure is shown in the list's place. */
function listAgain() {
  return refreshList().catch((err) => listBox?.replaceChildren(problemNode(err)));
}
