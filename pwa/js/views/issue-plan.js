/**
 * Owner, assignee and due date: the landlord's promise on an issue, set by staff only and chosen from the
 * estate's members, offline. The choices mirror the server's checks (sync/rules.py `_check_issue_values`): the
 * owner is staff on the estate; the assignee is staff or a contractor there.
 */
import { h, field, select } from '../dom.js';
import { t } from '../i18n.js';
import { recordChange } from '../outbox.js';
import { maySetField } from '../workflow.js';
import { savedText } from '../toast.js';
import { isOpen, trackDirty } from './common.js';

const byName = (a, b) => a.name.localeCompare(b.name);

/** [value, label] pairs for an owner: staff on the estate (the person themself if the list is not pulled yet). */
export function ownerChoices(members, user) {
  const staff = members.filter((m) => m.role === 'staff').sort(byName);
  if (!staff.some((m) => m.user_id === user.id)) staff.unshift({ user_id: user.id, name: user.name });
  return [['', t('plan.nobody')], ...staff.map((m) => [m.user_id, m.name])];
}

export function assigneeChoices(members) {
  const people = members.filter((m) => m.role === 'staff' || m.role === 'contractor').sort(byName);
  return [['', t('plan.nobody')], ...people.map((m) => [m.user_id, `${m.name} (${t(`role.${m.role}`)})`])];
}

/**
 * The `issue.update` for the fields that differ from the issue, with `base` (the version of each field this
 * phone saw) so that an edit made meanwhile on another phone is flagged; null when nothing changed.
 */
export function planUpdate(issue, values) {
  const fields = Object.fromEntries(Object.entries(values).filter(([key, value]) => (issue[key] ?? null) !== (value ?? null)));
  if (!Object.keys(fields).length) return null;
  const base = Object.fromEntries(Object.keys(fields).filter((f) => issue.field_stamps?.[f]).map((f) => [f, issue.field_stamps[f]]));
  return { name: 'issue.update', args: { id: issue.id, fields, ...(Object.keys(base).length ? { base } : {}) } };
}

/** The staff-only card, or null for anyone else. `open()` unfolds it and puts the cursor on the owner. */
export function planCard(ctx, issue, { role, members, say }) {
  if (!isOpen(issue) || !maySetField(role, 'owner_id')) return null;
  const owner = select(ownerChoices(members, ctx.user), issue.owner_id || '', { name: 'owner', id: 'plan-owner' });
  const assignee = select(assigneeChoices(members), issue.assignee_id || '', { name: 'assignee', id: 'plan-assignee' });
  const due = h('input', { type: 'date', name: 'due', id: 'plan-due', value: issue.due_date || '' });
  const message = h('p', { class: 'error', role: 'alert' });
  const form = trackDirty(
    h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          const change = planUpdate(issue, {
            owner_id: owner.value || null,
            assignee_id: assignee.value || null,
            due_date: due.value || null,
          });
          if (!change) {
            message.textContent = t('plan.unchanged');
            return;
          }
          await recordChange(change.name, change.args);
          form.removeAttribute('data-dirty');
          say(savedText());
        },
      },
      field(t('issue.owner'), owner, t('plan.owner_hint')),
      field(t('issue.assignee'), assignee, t('plan.assignee_hint')),
      field(t('issue.due_date'), due),
      message,
      h('button', { type: 'submit', class: 'secondary', text: t('plan.save') }),
    ),
  );
  // Unfolded while something is missing: an issue without an owner or a due date cannot be acknowledged.
  const details = h(
    'details',
    { class: 'card plan', id: 'plan', open: !issue.owner_id || !issue.due_date },
    h('summary', { text: t('plan.title') }),
    form,
  );
  return {
    node: details,
    open() {
      details.open = true;
      details.scrollIntoView({ block: 'start' });
      owner.focus();
    },
  };
}
