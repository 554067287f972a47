/** The always-visible sync indicator: what waits to be sent, when the last sync worked, and "Sync now". */
import { h, mount } from '../dom.js';
import { t, formatRelative } from '../i18n.js';
import { queueSummary } from '../outbox.js';
import { requestSync, isSyncing } from '../sync-scheduler.js';

let text = null;
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
    button = h('button', { type: 'button', id: 'sync-now', class: 'secondary', onclick: () => requestSync('button') });
    mount(container, text, button);
  }
  const summary = await queueSummary();
  const syncing = change.what === 'sync' ? change.state === 'running' : isSyncing();
  const lines = [];
  if (!navigator.onLine) lines.push(h('p', { class: 'offline', text: t('app.offline') }));
  if (summary.sessionExpired) {
    lines.push(
      h('p', { class: 'warning' }, t('signin.expired'), ' ', h('a', { href: '#/signin', text: t('signin.again') })),
    );
  }
  const waiting = [];
  if (summary.changes) waiting.push(t('status.waiting_changes', { count: summary.changes }));
  if (summary.photos) waiting.push(t('status.waiting_photos', { count: summary.photos }));
  lines.push(
    h(
      'p',
      { class: 'queue', 'data-changes': summary.changes, 'data-photos': summary.photos },
      waiting.length ? waiting.join(' · ') : t('status.all_sent'),
      ' · ',
      h(
        'span',
        { class: 'last-sync', 'data-last-sync': summary.lastSyncOk || '' },
        summary.lastSyncOk ? t('status.last_sync', { when: formatRelative(summary.lastSyncOk) }) : t('status.never_synced'),
      ),
    ),
  );
  if (summary.rejections) {
    lines.push(
      h('p', { class: 'warning' }, h('a', { href: '#/sync', text: t('status.rejected', { count: summary.rejections }) })),
    );
  }
  if (summary.lastError && navigator.onLine) {
    lines.push(h('p', { class: 'muted', text: t('status.error', { reason: summary.lastError }) }));
  }
  const probe = h('div', {}, lines);
  // Only touch the live region when the words changed, so screen readers are not told the same thing again.
  if (probe.innerHTML !== lastHtml) {
    lastHtml = probe.innerHTML;
    mount(text, lines);
  }
  button.setAttribute('aria-busy', syncing ? 'true' : 'false');
  button.textContent = syncing ? t('status.syncing') : t('status.sync_now');
}
