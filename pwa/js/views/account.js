/**
 * The account screens that need a connection: changing one's password (#/password, from Settings) and
 * accepting an invitation (#/invite/<token>, the link staff send).
 *
 * An invitation to an address that already has an account never asks for that account's password here: the
 * person signs in the ordinary way and then accepts (the server answers 401.3 otherwise). The token stays in the
 * fragment, which never reaches a server log.
 */
import { h, field } from '../dom.js';
import { t } from '../i18n.js';
import { ApiError, api } from '../api.js';
import { setMeta } from '../db.js';
import { signIn } from '../session.js';
import { requestSync } from '../sync-scheduler.js';
import { toast } from '../toast.js';

async function call(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, { detail: error.message });
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function explain(error, messages = {}) {
  if (error.isNetwork) return t('account.offline');
  if (error.status === 429) return t('account.too_many_attempts');
  return messages[error.status] || error.message;
}

export async function passwordView(ctx) {
  const current = h('input', { type: 'password', id: 'password-current', autocomplete: 'current-password', required: true });
  const fresh = h('input', { type: 'password', id: 'password-new', autocomplete: 'new-password', required: true, minlength: 8 });
  const again = h('input', { type: 'password', id: 'password-again', autocomplete: 'new-password', required: true });
  const message = h('p', { class: 'error', id: 'password-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'password-save', text: t('password.save') });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = '';
        if (fresh.value !== again.value) {
          message.textContent = t('password.mismatch');
          return;
        }
        submit.disabled = true;
        try {
          const done = await call('/api/auth/password', { current_password: current.value, new_password: fresh.value });
          toast(done.other_sessions_ended ? t('password.changed_others', { count: done.other_sessions_ended }) : t('password.changed'));
          ctx.go('/settings');
        } catch (error) {
          message.textContent = explain(error, { 401: t('password.wrong_current') });
        } finally {
          submit.disabled = false;
        }
      },
    },
    field(t('password.current'), current),
    field(t('password.new'), fresh, t('password.new_hint')),
    field(t('password.again'), again),
    message,
    submit,
  );
  return h('section', { class: 'screen' }, h('h2', { text: t('password.title') }), h('p', { text: t('password.intro') }), form);
}

async function refreshMemberships() {
  const me = await api.me();
  await setMeta('memberships', me.memberships || []);
}

export async function inviteView(ctx, params) {
  const token = params.token;
  const heading = h('h2', { text: t('invite.title') });
  let invite;
  try {
    invite = await call(`/api/invites/${encodeURIComponent(token)}`);
  } catch (error) {
    const text = explain(error, { 404: t('invite.unknown'), 410: t('invite.gone') });
    return h('section', { class: 'screen' }, heading, h('p', { class: 'error', id: 'invite-error', role: 'alert', text }));
  }
  const about = h('p', { id: 'invite-about', text: t('invite.about', { estate: invite.estate_name, role: t(`role.${invite.role}`), email: invite.email }) });
  const message = h('p', { class: 'error', id: 'invite-error', role: 'alert' });

  if (invite.existing_account) {
    const signedInAs = ctx.user?.email?.toLowerCase();
    if (signedInAs !== invite.email) {
      // Not signed in, or as someone else: sign in as the invited person first; no password is asked here.
      return h(
        'section',
        { class: 'screen' },
        heading,
        about,
        h('p', { id: 'invite-sign-in-first', text: t(ctx.user ? 'invite.other_person' : 'invite.sign_in_first', { email: invite.email }) }),
        ctx.user ? null : h('a', { class: 'button primary', id: 'invite-sign-in', href: `#/signin?next=${encodeURIComponent(`/invite/${token}`)}`, text: t('signin.submit') }),
      );
    }
    const join = h('button', {
      type: 'button',
      class: 'primary',
      id: 'invite-join',
      text: t('invite.join', { estate: invite.estate_name }),
      onclick: async () => {
        join.disabled = true;
        message.textContent = '';
        try {
          await call(`/api/invites/${encodeURIComponent(token)}/accept`, {});
          await refreshMemberships();
          requestSync('joined-estate');
          toast(t('invite.joined', { estate: invite.estate_name }));
          ctx.go('/issues');
        } catch (error) {
          message.textContent = explain(error, { 401: t('invite.sign_in_first', { email: invite.email }), 410: t('invite.gone') });
          join.disabled = false;
        }
      },
    });
    return h('section', { class: 'screen' }, heading, about, message, join);
  }

  const name = h('input', { type: 'text', id: 'invite-name', autocomplete: 'name', required: true, maxlength: 200 });
  const password = h('input', { type: 'password', id: 'invite-password', autocomplete: 'new-password', required: true, minlength: 8 });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'invite-accept', text: t('invite.accept') });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event) => {
        event.preventDefault();
        submit.disabled = true;
        message.textContent = '';
        try {
          await call(`/api/invites/${encodeURIComponent(token)}/accept`, { name: name.value, password: password.value });
          await signIn(invite.email, password.value);
          requestSync('joined-estate');
          ctx.go('/issues');
        } catch (error) {
          message.textContent = explain(error, { 410: t('invite.gone') });
        } finally {
          submit.disabled = false;
        }
      },
    },
    field(t('invite.name'), name),
    field(t('password.new'), password, t('password.new_hint')),
    message,
    submit,
  );
  return h('section', { class: 'screen' }, heading, about, form);
}
