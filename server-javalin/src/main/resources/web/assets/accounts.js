// Accounts (admins only): list, create a clerk or an admin, reset a password, disable or enable an account.
import { t, formatDate } from './i18n.js';
import { call, get } from './api.js';
import { h, dialog, problemNode, announce, keepingFocus, working } from './ui.js';

/** Draws the accounts; {@code live}: whether this view is still the last one asked for (else nothing is drawn). */
export async function showAccounts(main, live = () => true) {
  const accounts = await get('/api/v1/accounts');
  if (!live()) return;
  const message = h('div', { id: 'accounts-message', role: 'status' });
  const username = h('input', { id: 'new-username', name: 'username', required: true, autocomplete: 'off' });
  const password = h('input', { id: 'new-password', name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
  const role = h('select', { id: 'new-role', name: 'role' },
    h('option', { value: 'clerk' }, t('role.clerk')), h('option', { value: 'admin' }, t('role.admin')));
  const form = h('form', {
    class: 'card create-account',
    onsubmit: (e) => {
      e.preventDefault();
      // a refused password is answered once the password checker has loaded its word lists (a second or so at first)
      working(form.querySelector('#create-account'), t('accounts.creating'), async () => {
        message.replaceChildren();
        // the account asked for: the fields may change while the request is answered
        const asked = { username: username.value, password: password.value, role: role.value };
        try {
          await call('POST', '/api/v1/accounts', asked);
          const done = t('accounts.created', { username: asked.username });
          await showAccounts(main);
          document.getElementById('accounts-message').textContent = done;
          document.getElementById('new-username').focus(); // the form is drawn anew: the keyboard goes on from it
          announce(done);
        } catch (err) {
          message.replaceChildren(err.status === 409
            ? h('p', { class: 'problem', role: 'alert', text: t('accounts.taken', { username: asked.username }) }) : problemNode(err));
        }
      });
    },
  },
  h('h2', { text: t('accounts.create') }),
  h('div', { class: 'row' },
    h('div', { class: 'field' }, h('label', { for: 'new-username' }, t('accounts.username')), username),
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, t('accounts.password')), password),
    h('div', { class: 'field' }, h('label', { for: 'new-role' }, t('accounts.role')), role),
    h('button', { type: 'submit', class: 'btn primary', id: 'create-account' }, t('accounts.submit'))));
  const th = (key) => h('th', { scope: 'col' }, t(key));
  main.replaceChildren(h('h1', { text: t('accounts.heading') }), form, message,
    h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'accounts-table' },
      h('thead', {}, h('tr', {}, th('accounts.col.username'), th('accounts.col.role'), th('accounts.col.state'),
        th('accounts.col.created'), th('accounts.col.actions'))),
      h('tbody', {}, accounts.map((a) => h('tr', { 'data-username': a.username },
        h('td', {}, a.username), h('td', {}, t(`role.${a.role}`)),
        h('td', {}, t(a.disabled ? 'accounts.disabled' : 'accounts.active')), h('td', {}, formatDate(a.createdAt)),
        h('td', { class: 'buttons' },
          h('button', { type: 'button', class: 'btn small', 'data-action': 'reset', id: `reset-${a.username}`, onclick: () => resetPassword(a.username, message) },
            t('accounts.reset', { username: a.username })),
          h('button', {
            type: 'button', class: 'btn small', 'data-action': 'disable', id: `disable-${a.username}`,
            onclick: async () => {
              try {
                await call('PATCH', `/api/v1/accounts/${encodeURIComponent(a.username)}`, { disabled: !a.disabled });
                await keepingFocus(() => showAccounts(main));
              } catch (err) {
                message.replaceChildren(problemNode(err));
              }
            },
          }, t(a.disabled ? 'accounts.enable' : 'accounts.disable', { username: a.username })))))))));
}

function resetPassword(username, message) {
  const input = h('input', { id: 'reset-password', type: 'password', required: true, autocomplete: 'new-password' });
  const problem = h('div');
  const form = h('form', {
    onsubmit: (e) => {
      e.preventDefault();
      working(form.querySelector('button[type=submit]'), t('accounts.reset.working'), async () => {
        try {
          await call('POST', `/api/v1/accounts/${encodeURIComponent(username)}/password`, { password: input.value });
          d.close('done');
          message.textContent = t('accounts.reset.done', { username });
        } catch (err) {
          problem.replaceChildren(problemNode(err));
        }
      });
    },
  }, h('div', { class: 'field' }, h('label', { for: 'reset-password' }, t('accounts.password')), input), problem,
  h('div', { class: 'dialog-buttons' },
    h('button', { type: 'button', class: 'btn', onclick: () => d.close('cancel') }, t('accounts.cancel')),
    h('button', { type: 'submit', class: 'btn primary' }, t('accounts.reset.submit'))));
  const d = dialog(t('accounts.reset.heading', { username }), form);
  input.focus();
}
