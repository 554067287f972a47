/** Everything about sending and storage: what waits, what the server refused and why, space used, sign-out. */
import { h } from '../dom.js';
import { t, formatBytes, formatDateTime, refusal } from '../i18n.js';
import { getAll } from '../db.js';
import { pendingMutations, queueSummary } from '../outbox.js';
import { keptSummary, waitingReplays } from '../replay.js';
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

/** Photos the server refused as not an image: set aside with its reason, never sent again by themselves. */
function setAsideSection(refused) {
  if (!refused.length) return null;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'set-aside-h' },
    h('h3', { id: 'set-aside-h', text: t('sync.set_aside') }),
    h(
      'ul',
      { class: 'plain-list', id: 'set-aside' },
      refused.map((photo) =>
        h(
          'li',
          { class: 'rejection', 'data-sha256': photo.sha256 },
          h('p', { text: t('sync.set_aside_item', { size: formatBytes(photo.byte_size || 0), reason: photo.reason || '' }) }),
          h('button', {
            type: 'button',
            class: 'link',
            text: t('sync.set_aside_remove'),
            onclick: async () => {
              await write(['set_aside'], (tx) => req(tx.objectStore('set_aside').delete(photo.sha256)));
              notifyChanged('rejections');
            },
          }),
        ),
      ),
    ),
  );
}

/** What is kept to be sent again should the server be restored from a backup, and what the last restore did. */
function keptSection(kept) {
  const last = kept.restores[kept.restores.length - 1];
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'kept-h' },
    h('h3', { id: 'kept-h', text: t('sync.kept_title') }),
    h('p', {
      id: 'kept-for-replay',
      'data-changes': kept.changes,
      'data-bytes': kept.bytes,
      text: t('sync.kept', { count: kept.changes, size: formatBytes(kept.bytes), days: kept.days }),
    }),
    h('p', { class: 'muted', text: t('sync.kept_why') }),
    last ? h('p', { id: 'last-restore', 'data-replayed': last.replayed, text: t('sync.restored', { count: last.replayed, when: formatDateTime(last.at) }) }) : null,
    last?.lost ? h('p', { class: 'warning', text: t('sync.restore_lost', { count: last.lost }) }) : null,
  );
}

export async function syncView(ctx) {
  const [summary, outbox, blobs, rejections, issueRows, replays, refused, kept] = await Promise.all([
    queueSummary(), pendingMutations(), getAll('blobs'), getAll('rejections'), getAll('issues'),
    waitingReplays(), getAll('set_aside'), keptSummary(),
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
      replays.length ? h('h3', { text: `${t('sync.replay_waiting')} (${replays.length})` }) : null,
      replays.length
        ? h(
            'ul',
            { class: 'plain-list', id: 'replay-waiting' },
            replays.map((m) => h('li', { text: t('sync.replay_waiting_item', { what: describeMutation(m), reason: m.reason || '' }) })),
          )
        : null,
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
                h('p', { text: t('sync.rejected_item', { what: describeMutation(r), reason: refusal(r.code, r.params || {}, r.reason || '') }) }),
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
    setAsideSection(refused),
    keptSection(kept),
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
