/**
 * Following an issue: whoever follows hears of its changes by e-mail (as their mail setting says). Raising an
 * issue follows it; anyone who may see it can follow or stop following, offline, with `issue.follow`.
 */
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { get, getMeta } from '../db.js';
import { recordChange } from '../outbox.js';
import { roleOn } from '../session.js';
import { may } from '../workflow.js';

/** What the person follows: the local copy of their own follows (pulled for them alone). */
export async function isFollowing(issue) {
  return Boolean(await get('follows', issue.merged_into || issue.id));
}

export async function setFollowing(issue, follow) {
  return recordChange('issue.follow', { id: issue.id, follow });
}

/** The follow button for an issue's screen, with what following means for this person's e-mail. */
export async function followControl(ctx, issue, after) {
  if (issue.withdrawn || !may(roleOn(ctx.memberships, issue.estate_id), 'issue.follow', { issue, userId: ctx.user.id })) return null;
  const following = await isFollowing(issue);
  const mode = (await getMeta('mail_mode')) || 'immediate';
  const hint = following ? t(`follow.following_${mode}`) : t('follow.not_following');
  return h(
    'section',
    { class: 'follow', 'aria-labelledby': 'follow-h' },
    h('h3', { id: 'follow-h', class: 'visually-hidden', text: t('follow.heading') }),
    h('p', { id: 'follow-state', 'data-following': String(following), text: hint }),
    h('button', {
      type: 'button',
      class: 'secondary',
      id: 'follow-toggle',
      'aria-describedby': 'follow-state',
      text: following ? t('follow.stop') : t('follow.start'),
      onclick: async () => {
        await setFollowing(issue, !following);
        after?.(following ? t('follow.stopped') : t('follow.started'));
      },
    }),
    following && mode !== 'immediate' ? h('p', {}, h('a', { href: '#/settings', text: t('follow.change_mail') })) : null,
  );
}
