/** Sign in, once, while online. */
import { h, field } from '../dom.js';
import { t, language } from '../i18n.js';
import { recordChange } from '../outbox.js';
import { languagePicker } from './language-picker.js';

// Chosen on this screen, before signing in: that choice goes to the profile. Otherwise the profile's language
// (chosen earlier, perhaps on another phone) wins over whatever this shared phone was last set to. Kept in
// sessionStorage because choosing reloads the page.
const PICKED_HERE = 'estatewalk.language-picked-at-sign-in';

function pickedHere() {
  try {
    return sessionStorage.getItem(PICKED_HERE) === '1';
  } catch {
    return false;
  }
}
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
          const answer = await signIn(email.value, password.value);
          const saved = answer.user.language || '';
          if (navigator.storage?.persist) navigator.storage.persist().catch(() => {});
          if (saved && !pickedHere() && saved !== language()) {
            // The app starts again in the profile's language and syncs as it starts.
            await ctx.changeLanguage(saved, { save: false, then: '/issues', focusPicker: false });
            return;
          }
          // Only a language chosen here goes to the profile: one guessed from the phone's settings is not a choice, and a
          // change queued now would be stamped before the phone has learnt the server's time.
          if (pickedHere() && saved !== language()) await recordChange('person.language', { language: language() });
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
  const picker = languagePicker({
    changeLanguage: (code) => {
      try {
        sessionStorage.setItem(PICKED_HERE, '1');
      } catch {
        // Without session storage the profile's language wins at sign-in, as if nothing was picked here.
      }
      return ctx.changeLanguage(code);
    },
  });
  return h('section', { class: 'screen' }, h('h2', { text: t('signin.title') }), picker, h('p', { text: t('signin.intro') }), form);
}
