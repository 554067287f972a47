/** The always-visible sync indicator: what waits to be sent, when the last sync worked, and "Sync now". */
import { h, mount } from '../dom.js';
import { t, formatRelative, formatBytes } from '../i18n.js';
import { queueSummary } from '../outbox.js';
import { requestSync, isSyncing } from '../sync-scheduler.js';
import { fitBars } from './topbar.js';

const LONG_WAIT_MS = 24 * 3600 * 1000;
// Bytes sent so far per photo in this round, for "sending photos: 3.1 of 22.9 MB".
const sentSoFar = new Map();

let text = null;
let progress = null;
let button = null;
let lastHtml = '';

/**
 * Update the indicator in place. The button element is made once and only relabelled, so it never jumps or
 * loses focus while a sync runs (re-creating it made it impossible to tap during a busy sync).
 */
export async function renderStatus(container, change = {}) {
  if (!container) return;
  if (!button) {
    text = h('div', { class: 'status-text', role: 'status' });
    // Progress changes every few seconds: kept out of the live region so screen readers are not flooded.
    progress = h('p', { class: 'muted progress' });
    button = h('button', { type: 'button', id: 'sync-now', class: 'secondary', onclick: () => requestSync('button') });
    mount(container, text, progress, button);
  }
  if (change.what === 'upload') sentSoFar.set(change.sha256, change.sent);
  const summary = await queueSummary();
  if (!summary.photos) sentSoFar.clear();
  const syncing = change.what === 'sync' ? change.state === 'running' : isSyncing();
  const lines = [];
  if (summary.sessionExpired) {
    lines.push(
      h('p', { class: 'warning' }, t('signin.expired'), ' ', h('a', { href: '#/signin', text: t('signin.again') })),
    );
  }
  const waiting = [];
  if (summary.changes) waiting.push(t('status.waiting_changes', { count: summary.changes }));
  if (summary.photos) waiting.push(t('status.waiting_photos', { count: summary.photos }));
  // One line. With large text on a small screen the bar is "tight" (see topbar.js fitBars): the parts marked
  // "long" give way to their "short" forms, and what can wait for the Sync page is left to it.
  const either = (long, short) => [h('span', { class: 'long', text: long }), h('span', { class: 'short', text: short })];
  lines.push(
    h(
      'p',
      { class: 'queue', 'data-changes': summary.changes, 'data-photos': summary.photos },
      navigator.onLine
        ? null
        : [h('strong', { class: 'offline' }, either(`${t('status.offline')} ${t('status.offline_saved')}`, t('status.offline_short'))), ' '],
      waiting.length
        ? either(waiting.join(' · '), t('status.waiting_short', { count: summary.changes + summary.photos }))
        : either(t('status.all_sent'), t('status.all_sent_short')),
      h(
        'span',
        { class: 'last-sync long', 'data-last-sync': summary.lastSyncOk || '' },
        ' · ',
        summary.lastSyncOk ? t('status.last_sync', { when: formatRelative(summary.lastSyncOk) }) : t('status.never_synced'),
      ),
      summary.rejections
        ? h('span', { class: 'short' }, ' · ', h('a', { href: '#/sync', text: t('status.rejected_short', { count: summary.rejections }) }))
        : null,
    ),
  );
  let sent = 0;
  for (const [sha256, size] of summary.waitingPhotoSizes) sent += Math.min(size, sentSoFar.get(sha256) || 0);
  progress.textContent =
    syncing && summary.photos && sent ? t('status.sending_photos', { sent: formatBytes(sent), total: formatBytes(summary.photoBytes) }) : '';
  if (Number.isFinite(summary.oldestWaiting) && Date.now() - summary.oldestWaiting > LONG_WAIT_MS) {
    // Phones get lost and browsers evict data: say so before a week of records is at risk.
    // Always shown, even when the bar is tight: this one is about not losing work.
    lines.push(h('p', { class: 'warning', text: t('status.waiting_long', { when: formatRelative(summary.oldestWaiting) }) }));
  }
  if (summary.rejections) {
    lines.push(
      h('p', { class: 'warning long' }, h('a', { href: '#/sync', text: t('status.rejected', { count: summary.rejections }) })),
    );
  }
  if (summary.lastError && navigator.onLine) {
    lines.push(h('p', { class: 'muted long', text: t('status.error', { reason: summary.lastError }) }));
  }
  const probe = h('div', {}, lines);
  // Only touch the live region when the words changed, so screen readers are not told the same thing again.
  if (probe.innerHTML !== lastHtml) {
    lastHtml = probe.innerHTML;
    mount(text, lines);
  }
  button.setAttribute('aria-busy', syncing ? 'true' : 'false');
  button.textContent = syncing ? t('status.syncing') : t('status.sync_now');
  fitBars();
}
