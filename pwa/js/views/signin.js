/** Sign in, once, while online. */
import { h, field } from '../dom.js';
import { t } from '../i18n.js';
import { signIn, OtherUserWaiting, currentUser } from '../session.js';
import { ApiError } from '../api.js';
import { requestSync } from '../sync-scheduler.js';

export async function signInView(ctx, params = {}) {
  // Back to an invitation after signing in to accept it; nothing else may be named as where to go next.
  const next = /^\/invite\/[\w-]+$/.test(params.query?.next || '') ? params.query.next : '/issues';
  const previous = await currentUser();
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, value: previous?.email || '' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary', text: t('signin.submit') });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = '';
        submit.disabled = true;
        submit.textContent = t('signin.busy');
        try {
          await signIn(email.value, password.value);
          if (navigator.storage?.persist) navigator.storage.persist().catch(() => {});
          requestSync('signed-in');
          ctx.go(next);
        } catch (error) {
          if (error instanceof OtherUserWaiting) message.textContent = t('signin.other_user', { name: error.name_of_user });
          else if (error instanceof ApiError && error.isNetwork) message.textContent = t('signin.offline');
          else if (error instanceof ApiError && error.status === 401) message.textContent = t('signin.wrong');
          else message.textContent = t('signin.failed', { reason: error.message });
        } finally {
          submit.disabled = false;
          submit.textContent = t('signin.submit');
        }
      },
    },
    field(t('signin.email'), email),
    field(t('signin.password'), password),
    message,
    submit,
  );
  return h('section', { class: 'screen' }, h('h2', { text: t('signin.title') }), h('p', { text: t('signin.intro') }), form);
}
