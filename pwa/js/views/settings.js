/**
 * The person's own settings: how they hear about the issues they follow, and which issues those are.
 *
 * Each part is one function in SECTIONS, drawn in order; other account settings (changing the password, for
 * one) add a function there rather than a screen of their own.
 *
 * The mail setting is the `mail.preference` mutation, not a call to `PUT /api/me/mail`: like every other change
 * it is saved on the phone at once, sent with the outbox when there is a connection, survives a restart, and
 * reaches the person's other phones (the server records it for them alone). Until it is sent the screen says so.
 */
import { h, choices } from '../dom.js';
import { t, writtenIn } from '../i18n.js';
import { getAll, getMeta } from '../db.js';
import { recordChange, pendingMutations } from '../outbox.js';
import { toast } from '../toast.js';
import { RULES } from '../rules.js';
import { estatesFor, statusLabel } from './common.js';
import { setFollowing } from './follow.js';
import { languagePicker } from './language-picker.js';

async function languageSection(ctx) {
  const waiting = (await pendingMutations()).some((m) => m.name === 'person.language');
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'language-h' },
    h('h3', { id: 'language-h', text: t('language.title') }),
    languagePicker(ctx),
    h('p', { class: 'hint', text: t('language.hint') }),
    waiting ? h('p', { class: 'warning', id: 'language-waiting', role: 'status', text: t('language.waiting') }) : null,
  );
}

async function mailSection(ctx) {
  const [mode, waiting] = await Promise.all([
    getMeta('mail_mode'),
    pendingMutations().then((all) => all.filter((m) => m.name === 'mail.preference')),
  ]);
  const current = mode || 'immediate';
  const form = h(
    'form',
    {
      class: 'card',
      id: 'mail-form',
      'aria-labelledby': 'mail-h',
      onsubmit: async (event) => {
        event.preventDefault();
        const chosen = event.target.elements.mode.value;
        if (chosen === current && !waiting.length) return;
        await recordChange('mail.preference', { mode: chosen });
        toast(navigator.onLine ? t('settings.mail_saved') : t('settings.mail_saved_offline'));
        ctx.refresh();
      },
    },
    h('h3', { id: 'mail-h', text: t('settings.mail') }),
    choices(
      t('settings.mail_question'),
      'radio',
      'mode',
      RULES.mail_modes.map((value) => ({
        value,
        id: `mail-${value}`,
        checked: value === current,
        label: t(`settings.mail_${value}`),
        hint: t(`settings.mail_${value}_hint`),
      })),
    ),
    waiting.length
      ? h('p', { class: 'warning', id: 'mail-waiting', role: 'status', text: t('settings.mail_waiting', { mode: t(`settings.mail_${waiting.at(-1).args.mode}`) }) })
      : null,
    h('button', { type: 'submit', class: 'primary', id: 'mail-save', text: t('settings.mail_save') }),
  );
  return form;
}

async function followsSection(ctx) {
  const [follows, issues, estates] = await Promise.all([getAll('follows'), getAll('issues'), estatesFor(ctx)]);
  const byId = new Map(issues.map((issue) => [issue.id, issue]));
  const estateNames = new Map(estates.map((e) => [e.id, e.name]));
  // A follow of an issue no longer on the phone (withdrawn, or a job taken from a contractor) is not shown.
  const followed = follows
    .map((follow) => byId.get(follow.issue_id || follow.id))
    .filter(Boolean)
    .sort((a, b) => a.title.localeCompare(b.title));
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'follows-h' },
    h('h3', { id: 'follows-h', text: t('settings.follows', { count: followed.length }) }),
    h('p', { class: 'hint', text: t('settings.follows_hint') }),
    followed.length
      ? h(
          'ul',
          { class: 'plain-list', id: 'follow-list' },
          followed.map((issue) =>
            h(
              'li',
              { class: 'follow-row', 'data-issue-id': issue.id },
              h('a', { href: `#/issue/${issue.id}`, ...writtenIn(issue.written_in), text: issue.title }),
              h('span', { class: 'muted', text: [statusLabel(issue.status), estates.length > 1 ? estateNames.get(issue.estate_id) : null].filter(Boolean).join(' · ') }),
              h('button', {
                type: 'button',
                class: 'secondary',
                'aria-label': t('settings.unfollow_named', { title: issue.title }),
                text: t('follow.stop'),
                onclick: async () => {
                  await setFollowing(issue, false);
                  toast(t('follow.stopped'));
                  ctx.refresh();
                },
              }),
            ),
          ),
        )
      : h('p', { class: 'muted', text: t('settings.follows_none') }),
  );
}

function accountSection() {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'account-h' },
    h('h3', { id: 'account-h', text: t('settings.account') }),
    h('a', { href: '#/password', id: 'change-password', class: 'button secondary', text: t('settings.change_password') }),
  );
}

/** The parts of the screen, in order. Add an account section here (a function of ctx returning a node). */
export const SECTIONS = [languageSection, mailSection, followsSection, accountSection];

export async function settingsView(ctx) {
  const sections = await Promise.all(SECTIONS.map((section) => section(ctx)));
  return h(
    'section',
    { class: 'screen settings' },
    h('h2', { text: t('settings.title') }),
    h('p', { class: 'muted', text: t('settings.signed_in_as', { name: ctx.user.name, email: ctx.user.email }) }),
    sections,
  );
}
