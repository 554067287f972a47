/**
 * Merging a duplicate into the issue that goes on, and withdrawing a report made by mistake: offered only to
 * those the server lets do it (staff merge; staff or whoever raised it withdraw).
 */
import { h, field, select } from '../dom.js';
import { t } from '../i18n.js';
import { getAll } from '../db.js';
import { recordChange } from '../outbox.js';
import { may } from '../workflow.js';
import { toast, savedText } from '../toast.js';
import { isOpen, trackDirty } from './common.js';

async function mergeForm(ctx, issue, locationLabels) {
  // Same estate, and not itself merged away: the server refuses both, so they are never offered.
  const candidates = (await getAll('issues', 'estate_id', issue.estate_id))
    .filter((other) => other.id !== issue.id && isOpen(other))
    .sort((a, b) => (locationLabels.get(a.location_id) || '').localeCompare(locationLabels.get(b.location_id) || '') || a.title.localeCompare(b.title));
  if (!candidates.length) return h('p', { class: 'muted', text: t('tidy.no_candidates') });
  const label = (other) => [other.title, locationLabels.get(other.location_id)].filter(Boolean).join(' · ');
  const into = select([['', t('report.choose')], ...candidates.map((other) => [other.id, label(other)])], '', { name: 'into', id: 'merge-into' });
  const note = h('textarea', { name: 'note', id: 'merge-note', rows: 2 });
  const message = h('p', { class: 'error', role: 'alert' });
  return trackDirty(
    h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          if (!into.value) {
            message.textContent = t('tidy.choose_issue');
            into.focus();
            return;
          }
          await recordChange('issue.merge', { id: issue.id, into: into.value, note: note.value.trim() });
          toast(savedText());
          ctx.go(`/issue/${into.value}`);
        },
      },
      h('h3', { text: t('tidy.merge_title') }),
      h('p', { class: 'hint', text: t('tidy.merge_hint') }),
      field(t('tidy.merge_into'), into),
      field(t('tidy.merge_note'), note),
      message,
      h('button', { type: 'submit', class: 'secondary', text: t('tidy.merge') }),
    ),
  );
}

function withdrawForm(ctx, issue) {
  const reason = h('textarea', { name: 'reason', id: 'withdraw-reason', rows: 2 });
  return trackDirty(
    h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          await recordChange('issue.withdraw', { id: issue.id, reason: reason.value.trim() });
          toast(savedText());
          ctx.go('/issues');
        },
      },
      h('h3', { text: t('tidy.withdraw_title') }),
      h('p', { class: 'hint', text: t('tidy.withdraw_hint') }),
      field(t('tidy.withdraw_reason'), reason),
      h('button', { type: 'submit', class: 'secondary danger', text: t('tidy.withdraw') }),
    ),
  );
}

/** The fold with both, or null when this person may do neither. */
export async function tidyCard(ctx, issue, { role, locationLabels }) {
  if (issue.withdrawn || issue.merged_into) return null;
  const options = { issue, userId: ctx.user.id };
  const canMerge = may(role, 'issue.merge', options);
  const canWithdraw = may(role, 'issue.withdraw', options);
  if (!canMerge && !canWithdraw) return null;
  return h(
    'details',
    { class: 'card tidy', id: 'tidy' },
    h('summary', { text: canMerge ? t('tidy.title') : t('tidy.withdraw_title') }),
    canMerge ? await mergeForm(ctx, issue, locationLabels) : null,
    canWithdraw ? withdrawForm(ctx, issue) : null,
  );
}
