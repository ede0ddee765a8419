// The review screen's first requests: the upload's summary and, when its records are known to be ready, the first
// page of records, both at once. They start when this module is evaluated, before the page's screens and app.js
// are, so that a review opened by its link (or reloaded) has its requests on the way while the messages load and
// the page starts; the screen takes them over once.
import { currentUser, get } from './api.js';

export const FIELDS = ['names', 'nid', 'phone_number', 'gender', 'email'];
export const SIZES = [50, 100, 500];
/** The statuses in which an upload's records can be read (none of them goes back to validating). */
const READY = new Set(['validated', 'committing', 'committed']);
const STASH = 'intake.ready';

/** The review's filters and page, from the route's query. */
export function reviewQuery(params) {
  const size = SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : 50;
  return {
    status: ['valid', 'invalid', 'excluded'].includes(params.get('status')) ? params.get('status') : 'all',
    field: FIELDS.includes(params.get('field')) ? params.get('field') : '',
    code: params.get('code') || '',
    page: Math.max(1, Number(params.get('page')) || 1),
    size,
    row: Number(params.get('row')) || null,
    hl: Number(params.get('hl')) || null,
  };
}

export function recordsPath(id, q, page = q.page, size = q.size) {
  const p = new URLSearchParams({ page, size, status: q.status });
  if (q.field) p.set('field', q.field);
  if (q.code) p.set('code', q.code);
  return `/api/v1/uploads/${id}/records?${p}`;
}

/** The uploads of the signed-in user whose records were ready when last seen in this tab, newest first. */
function readyIds() {
  try {
    const stash = JSON.parse(sessionStorage.getItem(STASH) || 'null');
    return stash && stash.user === currentUser()?.username ? stash.ids : [];
  } catch (e) {
    return [];
  }
}

/** Remembers which of these uploads (summaries: id and status) have their records ready. */
export function rememberStatus(...uploads) {
  const user = currentUser();
  if (!user) return;
  const gone = new Set(uploads.map((u) => u.id));
  const ready = uploads.filter((u) => READY.has(u.status)).map((u) => u.id);
  const ids = [...ready, ...readyIds().filter((id) => !gone.has(id))].slice(0, 200);
  sessionStorage.setItem(STASH, JSON.stringify({ user: user.username, ids }));
}

function start(id, q) {
  const path = !q.row && readyIds().includes(id) ? recordsPath(id, q) : null;
  const requests = { id, path, summary: get(`/api/v1/uploads/${id}`), records: path ? get(path) : null };
  // the screen awaits them and shows their failure; until then a failure is not "unhandled"
  requests.summary.catch(() => {});
  requests.records?.catch(() => {});
  return requests;
}

let early = null;

/** The summary's request and the records' (null when their readiness is unknown), started early when they were. */
export function firstRequests(id, q) {
  const r = early && early.id === id ? early : start(id, q);
  early = null;
  return { summary: r.summary, records: r.path && r.path === recordsPath(id, q) ? r.records : null };
}

/** Drops the early requests unused (the first screen shown was not their review). */
export function forgetEarly() {
  early = null;
}

const route = /^#\/uploads\/([^/?]+)(?:\?(.*))?$/.exec(location.hash);
if (route && currentUser()) early = start(route[1], reviewQuery(new URLSearchParams(route[2] || '')));
