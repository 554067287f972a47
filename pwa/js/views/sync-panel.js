/** Everything about sending and storage: what waits, what the server refused and why, space used, sign-out. */
import { h } from '../dom.js';
import { t, formatBytes, formatDateTime } from '../i18n.js';
import { getAll } from '../db.js';
import { pendingMutations, queueSummary } from '../outbox.js';
import { signOut } from '../session.js';
import { notifyChanged } from '../events.js';
import { describeChange, dismissRejection, issueIdOf } from '../rejections.js';

const describeMutation = describeChange;

/** Which issue a refused change was about: its title and a link while the issue is on this phone. */
function refusedAbout(rejection, issues) {
  const issueId = issueIdOf(rejection);
  if (!issueId) return null;
  const issue = issues.get(issueId);
  if (issue) {
    return h('p', { class: 'rejection-issue' }, h('a', { href: `#/issue/${issueId}`, 'data-issue-id': issueId, text: issue.title }));
  }
  // Withdrawn, merged away or out of sight now: say which one it was from what the phone sent.
  return h('p', { class: 'rejection-issue', text: rejection.args?.title || t('sync.rejected_issue_gone') });
}

async function storageSection() {
  const estimate = navigator.storage?.estimate ? await navigator.storage.estimate() : null;
  const persisted = navigator.storage?.persisted ? await navigator.storage.persisted() : false;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'storage-h' },
    h('h3', { id: 'storage-h', text: t('sync.storage') }),
    h('p', { id: 'storage-used', text: estimate ? t('sync.storage_used', { used: formatBytes(estimate.usage || 0), quota: formatBytes(estimate.quota || 0) }) : t('sync.storage_unknown') }),
    h('p', { id: 'storage-persisted', 'data-persisted': String(persisted), text: persisted ? t('sync.persisted') : t('sync.not_persisted') }),
    persisted
      ? null
      : h('button', {
          type: 'button',
          class: 'secondary',
          text: t('sync.persist'),
          onclick: async () => {
            await navigator.storage?.persist?.();
            notifyChanged('data');
          },
        }),
  );
}

export async function syncView(ctx) {
  const [summary, outbox, blobs, rejections, issueRows] = await Promise.all([
    queueSummary(), pendingMutations(), getAll('blobs'), getAll('rejections'), getAll('issues'),
  ]);
  const issues = new Map(issueRows.map((issue) => [issue.id, issue]));
  const waitingBlobs = blobs.filter((b) => !b.uploaded);
  const shownRejections = rejections.filter((r) => !r.dismissed);
  return h(
    'section',
    { class: 'screen' },
    h('h2', { text: t('sync.title') }),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'outbox-h' },
      h('h3', { id: 'outbox-h', text: `${t('sync.outbox')} (${summary.changes})` }),
      h('ol', { class: 'plain-list', id: 'outbox-list' }, outbox.map((m) => h('li', { text: describeMutation(m) }))),
      h('h3', { text: `${t('sync.photos')} (${waitingBlobs.length})` }),
      h(
        'ul',
        { class: 'plain-list', id: 'photo-queue' },
        waitingBlobs.map((b) => h('li', { 'data-sha256': b.sha256, text: `${formatBytes(b.byte_size || b.blob?.size || 0)}` })),
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'rejected-h' },
      h('h3', { id: 'rejected-h', text: t('sync.rejected') }),
      shownRejections.length
        ? h(
            'ul',
            { class: 'plain-list', id: 'rejections' },
            shownRejections.map((r) =>
              h(
                'li',
                { class: 'rejection', 'data-rejection-id': r.id },
                refusedAbout(r, issues),
                h('p', { text: t('sync.rejected_item', { what: describeMutation(r), reason: r.reason || '' }) }),
                h('p', { class: 'muted', text: formatDateTime(Number(String(r.at).slice(0, 15)) || r.at) }),
                h('button', {
                  type: 'button',
                  class: 'link',
                  text: t('sync.dismiss'),
                  onclick: () => dismissRejection(r),
                }),
              ),
            ),
          )
        : h('p', { class: 'muted', text: t('sync.rejected_none') }),
    ),
    await storageSection(),
    h(
      'section',
      { class: 'card' },
      h('p', { text: t('sync.signed_in_as', { name: `${ctx.user.name} (${ctx.user.email})` }) }),
      h('button', {
        type: 'button',
        class: 'secondary danger',
        text: t('sync.sign_out'),
        onclick: async () => {
          // Counted now, not when the screen was drawn: a change saved since must not be wiped unannounced.
          const now = await queueSummary();
          const waiting = now.changes + now.photos;
          if (waiting && !confirm(t('sync.sign_out_warning', { count: waiting }))) return;
          await signOut();
          location.hash = '#/signin';
          location.reload();
        },
      }),
    ),
  );
}
