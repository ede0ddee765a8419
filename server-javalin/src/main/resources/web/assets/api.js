// The API client: tokens in sessionStorage, refreshed before they expire; JSON and problem+json answers.

const KEY = 'intake.tokens';
let tokens = JSON.parse(sessionStorage.getItem(KEY) || 'null');
let refreshTimer = null;
let refreshing = null; // the refresh on the way: requests made meanwhile wait for it, not send their own
let onSignedOut = () => {};

// One tab per login. A tab opened as a copy of another (the browser's "Duplicate tab", a window opened by a script)
// starts with the other's tokens in its sessionStorage; both would refresh with the same single-use refresh token, and
// the server, taking the second use for a stolen token, would end the login in both. So each login has an id, and the
// tab whose page holds the login's Web Lock keeps it; a copy, finding the lock held for a second (a page reloaded gets
// it at once, as the page before lets go), drops the tokens and asks to sign in. Without Web Locks (a page served
// neither over HTTPS nor from localhost) copies are not told apart.
const COPY_WAIT_MS = 1_000;
let release = null; // lets go of the lock of this tab's login
let copied = false;

function newLoginId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Takes the lock of login {@code id} while this page lives (or until sign-out); false if another tab keeps it. */
function hold(id) {
  if (!navigator.locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    navigator.locks.request(`intake.login.${id}`, { signal: AbortSignal.timeout(COPY_WAIT_MS) }, () => {
      resolve(true);
      return new Promise((done) => { release = done; });
    }).catch(() => resolve(false)); // the wait ended with the lock still held elsewhere
  });
}

function letGo() {
  if (release) release();
  release = null;
}

/** Settles once the tokens this tab found are its own: a copy's are dropped ({@link wasCopy} then says so). */
export const loginChecked = (async () => {
  if (!tokens) return;
  if (!tokens.login) {
    // tokens stored by a page before logins had ids: written at once, never after the wait
    tokens.login = newLoginId();
    sessionStorage.setItem(KEY, JSON.stringify(tokens));
  }
  if (await hold(tokens.login)) {
    scheduleRefresh();
  } else {
    tokens = null;
    sessionStorage.removeItem(KEY);
    copied = true;
  }
})();

/** Whether this tab opened with a copy of another tab's login, which it dropped. */
export function wasCopy() {
  return copied;
}

/** An answer that was not 2xx: the problem's fields, the status and Retry-After in seconds. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.code = problem.code || '';
    this.retryAfter = retryAfter;
  }
}

function claims(access) {
  const part = access.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')));
}

/** The signed-in user {username, role}, or null. */
export function currentUser() {
  if (!tokens) return null;
  const c = claims(tokens.access);
  return { username: c.sub, role: c.role };
}

export function setSignedOutHandler(fn) {
  onSignedOut = fn;
}

function store(answer, login = tokens?.login) {
  tokens = {
    login,
    access: answer.access,
    refresh: answer.refresh || tokens?.refresh,
    lifetime: answer.expiresIn * 1000,
    expiresAt: Date.now() + answer.expiresIn * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(tokens));
  scheduleRefresh();
}

/** A refresh that failed to reach the server, or that the server failed to answer, is tried again this much later. */
const RETRY_MS = 3_000;

/** Whether the server refused the refresh (the refresh token is no longer good): only then does it sign out. */
const refused = (err) => err.status === 401 || err.status === 403;

function scheduleRefresh(wait = null) {
  clearTimeout(refreshTimer);
  if (!tokens) return;
  // a minute before expiry (a quarter of the lifetime for short ones): the access token never lapses while the page
  // is open
  const lead = Math.min(60_000, (tokens.lifetime || 0) / 4);
  refreshTimer = setTimeout(() => refresh().catch((err) => {
    if (!tokens) return;
    if (refused(err)) signOut(true, err.code);
    // a network that dropped, a server restarting: tried again while the access token lasts; past it, the next call
    // renews it
    else if (tokens.expiresAt - Date.now() > RETRY_MS) scheduleRefresh(RETRY_MS);
  }), wait ?? Math.max(1_000, tokens.expiresAt - Date.now() - lead));
}

function refresh() {
  refreshing ||= refreshTokens().finally(() => { refreshing = null; });
  return refreshing;
}

async function refreshTokens() {
  const res = await reach('/api/v1/token/refresh', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh: tokens.refresh }),
  });
  if (!res.ok) throw await toError(res);
  store(await res.json());
}

/**
 * Renews an access token about to expire (or expired: the computer slept) before a request is sent with it. A
 * refresh the server refuses signs out; one that does not reach it fails the request (an ApiError of status 0).
 */
async function fresh() {
  if (!tokens || tokens.expiresAt - Date.now() >= 2_000) return;
  // a tab opened as a copy must not spend the login's single-use refresh token (the review's first requests are sent
  // before the check settles): the check comes first, and a copy's tokens are gone after it
  await loginChecked;
  if (!tokens || tokens.expiresAt - Date.now() >= 2_000) return;
  try {
    await refresh();
  } catch (err) {
    if (refused(err) && tokens) signOut(true, err.code);
    throw err;
  }
}

export async function signIn(username, password) {
  const res = await fetch('/api/v1/token', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw await toError(res);
  const answer = await res.json();
  letGo();
  const login = newLoginId();
  await hold(login);
  copied = false;
  store(answer, login);
}

/** Signs out; expired says the server ended the session, code (a problem code) why, when it said so. */
export function signOut(expired = false, code = null) {
  let username = null;
  try {
    username = currentUser()?.username ?? null;
  } catch (e) {
    username = null; // a token that does not decode names nobody
  }
  if (!expired && tokens?.refresh) {
    // the login's refresh tokens are revoked on the server too (the page may be gone before the answer: keepalive)
    fetch('/api/v1/token/revoke', {
      method: 'POST', keepalive: true, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh: tokens.refresh }),
    }).catch(() => {});
  }
  clearTimeout(refreshTimer);
  tokens = null;
  sessionStorage.removeItem(KEY);
  letGo();
  onSignedOut(expired, username, code);
}

async function toError(res) {
  let problem = {};
  try {
    problem = await res.json();
  } catch (e) {
    problem = { title: res.statusText };
  }
  const retry = res.headers.get('Retry-After');
  return new ApiError(res.status, problem, retry === null ? null : Number(retry));
}

/** fetch, whose failure to reach the server (a TypeError) becomes an ApiError of status 0, as sendFile's. */
async function reach(path, init) {
  try {
    return await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { title: e.message }, null);
  }
}

/**
 * The login a request is sent with, after {@link fresh}; signed out (Sign out pressed while the request was on its way:
 * an edit saved as it was pressed reads the review again), an error of status 401, and nothing is to be sent.
 */
function sending() {
  if (!tokens) throw new ApiError(401, { title: 'Signed out' }, null);
  return tokens;
}

/**
 * A 401 to a request sent with {@code sent}: the session ended, which signs out and says so, unless this tab signed
 * out (or in again) meanwhile: that is no session that ended.
 */
function refusedWith(sent, err) {
  if (tokens && tokens.login === sent.login) signOut(true, err.code);
}

/** Sends a request with a fresh access token; a 401 signs out. Answers the response, which is 2xx. */
async function authorized(path, init) {
  await fresh();
  const sent = sending();
  const res = await reach(path, { ...init, headers: { ...init.headers, Authorization: `Bearer ${sent.access}` } });
  if (res.status === 401) {
    const err = await toError(res);
    refusedWith(sent, err);
    throw err;
  }
  if (!res.ok) throw await toError(res);
  return res;
}

/** Calls the API with the access token; a 401 signs out. Answers the parsed JSON (null for 204). */
export async function call(method, path, body, headers = {}) {
  return (await tagged(method, path, body, headers)).body;
}

/** {@link call}, answering the parsed JSON as {@code body} and the answer's entity tag as {@code tag}. */
export async function tagged(method, path, body, headers = {}) {
  const sent = { ...headers };
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  const res = await authorized(path, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  return { body: res.status === 204 ? null : await res.json(), tag: res.headers.get('ETag') };
}

export const get = (path) => call('GET', path);

/** Fetches a file with the access token, as {@link call}, and saves it under the server's name, through a blob link. */
/**
 * The file name a Content-Disposition gives: its UTF-8 {@code filename*} (RFC 6266), which keeps letters other than
 * ASCII, else its ASCII {@code filename}; null without either.
 */
function attachmentName(disposition) {
  const extended = /filename\*=UTF-8''([^;\s]+)/i.exec(disposition)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended);
    } catch {
      // a malformed escape: the plain name instead
    }
  }
  return /filename="([^"]+)"/.exec(disposition)?.[1] || null;
}

export async function download(path) {
  const res = await authorized(path, { headers: {} });
  const name = attachmentName(res.headers.get('Content-Disposition') || '') || path.split('/').pop().split('?')[0];
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/**
 * Sends a workbook as multipart part "file", reporting bytes sent through onProgress(loaded, total), with a fresh
 * access token as {@link call} (a 401 signs out).
 * Resolves with the upload's summary; rejects with an ApiError (or a status 0 one for a network failure).
 */
export async function sendFile(file, onProgress, sheet) {
  await fresh();
  const sent = sending();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', sheet ? `/api/v1/uploads?sheet=${encodeURIComponent(sheet)}` : '/api/v1/uploads');
    xhr.setRequestHeader('Authorization', `Bearer ${sent.access}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(xhr.response);
      } else {
        const retry = xhr.getResponseHeader('Retry-After');
        const err = new ApiError(xhr.status, xhr.response || {}, retry === null ? null : Number(retry));
        if (err.status === 401) refusedWith(sent, err);
        reject(err);
      }
    };
    xhr.onerror = () => reject(new ApiError(0, {}, null));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

