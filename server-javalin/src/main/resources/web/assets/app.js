// The clerk's workspace: sign in, uploads, review, saved users, accounts. Hash routes keep the view in the URL:
// #/uploads, #/uploads/{id}?status=&field=&code=&page=&size=&row=, #/users?uploadId=&valid=&page=&size=, #/accounts.
import { has, loadMessages, t } from './i18n.js';
import { currentUser, loginChecked, setSignedOutHandler, signIn, signOut, wasCopy } from './api.js';
import { h, go, href, problemNode, focusHeading } from './ui.js';
import { showReview, unsavedEdit, restoreEdit } from './review.js';
import { forgetEarly } from './review-data.js';

// the other screens load when first shown: the review's link opens without them
const uploadsScreen = () => import('./uploads.js');
const usersScreen = () => import('./users.js');
const accountsScreen = () => import('./accounts.js');

const main = () => document.getElementById('main');
let signedOutReason = null;
/** The view a user was signed out on ({hash, username}): where the same user returns on signing in again. */
let returnTo = null;
/** A file dropped on a screen other than the uploads screen, sent when that screen has been drawn. */
let droppedFile = null;
/** Whether the screen drawn next takes the focus to its heading (the first one after signing in). */
let headingFirst = false;
/**
 * The view drawn last (its path without the query: a screen, or a review), or null: a link, the browser's Back or a
 * Discard that shows another view puts the focus on its heading, as signing in does; a view drawn again (a filter, a
 * page) keeps it on the control used. The first view drawn as the page loads leaves the focus to the browser.
 */
let drawnView = null;

function route() {
  const raw = location.hash.replace(/^#/, '');
  const [path, query = ''] = raw.split('?');
  return { parts: path.split('/').filter(Boolean), params: new URLSearchParams(query) };
}

function shell(active) {
  const user = currentUser();
  const top = document.getElementById('top');
  top.replaceChildren();
  const brand = h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '▤'), ' ', t('app.title'));
  if (!user) {
    top.append(brand);
    return;
  }
  const link = (key, path) => h('a', { href: `#${path}`, 'aria-current': active === key ? 'page' : undefined }, t(`nav.${key}`));
  top.append(brand,
    h('nav', { 'aria-label': t('nav.label'), class: 'nav' },
      link('uploads', '/uploads'), link('users', '/users'),
      user.role === 'admin' ? link('accounts', '/accounts') : null),
    h('div', { class: 'who' },
      h('span', { id: 'whoami' }, t('nav.signedInAs', { username: user.username, role: t(`role.${user.role}`) })),
      h('button', { type: 'button', class: 'btn', id: 'sign-out', onclick: () => signOut(false) }, t('nav.signOut'))));
}

function showLogin() {
  shell(null);
  const user = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('div', { id: 'login-message' });
  if (signedOutReason) {
    // the server's reason when it gave one that says more than "ended" (an account disabled, a password changed)
    let why = signedOutReason !== 'expired' && has(`problem.${signedOutReason}`) ? `problem.${signedOutReason}` : 'login.expired';
    if (signedOutReason === 'copied') why = 'login.copied';
    message.append(h('p', { class: 'notice', role: 'status', text: t(why) }));
    const edit = returnTo?.edit;
    if (edit) message.append(h('p', { class: 'notice', id: 'login-unsaved', text: t('login.unsavedEdit', { row: edit.row, value: edit.value }) }));
  }
  const submit = h('button', { type: 'submit', class: 'btn primary', id: 'login-submit' }, t('login.submit'));
  const form = h('form', {
    class: 'card login',
    onsubmit: async (e) => {
      e.preventDefault();
      submit.disabled = true;
      message.replaceChildren();
      try {
        await signIn(user.value, pass.value);
        signedOutReason = null;
        headingFirst = true;
        const back = returnTo;
        returnTo = null;
        const screen = route().parts[0];
        if (back && back.username === currentUser()?.username) {
          // signed out on a view: the same clerk, signed in again, returns to it
          history.replaceState(null, '', back.hash);
          await render();
          if (back.edit) await restoreEdit(back.edit);
        } else if (!screen || screen === 'login') go('/uploads', {}, true);
        else render();
      } catch (err) {
        pass.value = '';
        let node;
        if (err.code === 'auth.account_disabled') node = h('p', { class: 'problem', role: 'alert', text: t('login.disabled') });
        else if (err.status === 401) node = h('p', { class: 'problem', role: 'alert', text: t('login.wrong') });
        else if (err.status === 429) node = h('p', { class: 'problem', role: 'alert', text: t('login.tooMany', { seconds: err.retryAfter ?? 0 }) });
        else node = problemNode(err);
        message.append(node);
        pass.focus();
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h1', { text: t('login.heading') }),
  h('div', { class: 'field' }, h('label', { for: 'login-username' }, t('login.username')), user),
  h('div', { class: 'field' }, h('label', { for: 'login-password' }, t('login.password')), pass),
  message, submit);
  main().replaceChildren(form);
  user.focus();
}

/** Views asked for so far: each render's number, by which a view the user left while it loaded is not drawn. */
let viewsAsked = 0;

async function render() {
  viewsAsked += 1;
  const asked = viewsAsked;
  // whether this view is still the last asked for: a screen whose answers took seconds (a long list) is not drawn over
  // the one the user went on to meanwhile (a link of the top bar, another filter)
  const live = () => asked === viewsAsked;
  const user = currentUser();
  const { parts, params } = route();
  if (!user) {
    drawnView = null;
    showLogin();
    return;
  }
  const [screen, id] = parts;
  const viewPath = parts.slice(0, 2).join('/');
  try {
    if (screen === 'uploads' && id) {
      shell('uploads');
      await showReview(main(), id, params, live);
    } else if (screen === 'users') {
      const { showUsers } = await usersScreen();
      if (!live()) return;
      shell('users');
      await showUsers(main(), params, live);
    } else if (screen === 'accounts' && user.role === 'admin') {
      const { showAccounts } = await accountsScreen();
      if (!live()) return;
      shell('accounts');
      await showAccounts(main(), live);
    } else if (screen === 'uploads') {
      const { showUploads, uploadDropped } = await uploadsScreen();
      if (!live()) return;
      shell('uploads');
      await showUploads(main());
      if (droppedFile) {
        // a file dropped on another screen: sent once the uploads screen, where it reports, is drawn
        const file = droppedFile;
        droppedFile = null;
        uploadDropped(file);
      }
    } else {
      go('/uploads', {}, true);
      return;
    }
    if (!live()) return;
    const changed = drawnView !== null && drawnView !== viewPath;
    drawnView = viewPath;
    if (headingFirst || changed) {
      headingFirst = false;
      focusHeading(main());
    }
  } catch (err) {
    if (err.status === 401 || !live()) return;
    // a link or bookmark to what is not there (an upload discarded, another clerk's): a heading, and the way back
    main().replaceChildren(h('h1', { text: t('app.unavailable') }), problemNode(err),
      h('p', {}, h('a', { href: href('/uploads'), id: 'problem-back' }, `← ${t('review.back')}`)));
    focusHeading(main());
  }
}

function dropZone() {
  const overlay = document.getElementById('drop');
  overlay.textContent = t('uploads.dropHere');
  let depth = 0;
  const hasFile = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!hasFile(e) || !currentUser()) return;
    depth += 1;
    overlay.hidden = false;
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  document.addEventListener('dragover', (e) => {
    if (hasFile(e)) e.preventDefault();
  });
  document.addEventListener('drop', (e) => {
    if (!hasFile(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const file = e.dataTransfer.files[0];
    if (!file || !currentUser()) return;
    if (route().parts.join('/') === 'uploads') {
      uploadsScreen().then(({ uploadDropped }) => uploadDropped(file));
    } else {
      droppedFile = file;
      go('/uploads');
    }
  });
}

async function start() {
  await loadMessages();
  document.title = t('app.title');
  setSignedOutHandler((expired, username, code) => {
    signedOutReason = expired ? (['auth.account_disabled', 'auth.token_revoked', 'auth.token_reused'].includes(code) ? code : 'expired') : null;
    const screen = route().parts[0];
    // and a change typed in a cell, not saved: put back in its cell when the same clerk signs in again
    returnTo = expired && username && screen && screen !== 'login' ? { hash: location.hash, username, edit: unsavedEdit() } : null;
    history.replaceState(null, '', '#/login');
    render();
  });
  dropZone();
  window.addEventListener('hashchange', render);
  await loginChecked;
  if (wasCopy()) signedOutReason = 'copied';
  await render();
  forgetEarly();
  document.body.dataset.ready = 'true';
}

start();
