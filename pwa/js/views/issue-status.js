/**
 * "Change status": only the moves the server will accept from this person now (workflow.js, generated from the
 * server's own table). A move that needs a note asks for one; acknowledging, which needs an owner and a due
 * date, lets staff set them in the same step.
 */
import { h, field, select } from '../dom.js';
import { t } from '../i18n.js';
import { recordChanges } from '../outbox.js';
import { allowedTargets, refusalOf, transition } from '../workflow.js';
import { savedText } from '../toast.js';
import { statusLabel, trackDirty } from './common.js';
import { ownerChoices, planUpdate } from './issue-plan.js';

/** The status card, or null when this person has no move to make. `choose(target)` preselects a move. */
export function statusCard(ctx, issue, { role, members, say }) {
  if (issue.withdrawn || issue.merged_into) return null;
  const targets = allowedTargets(issue, role, ctx.user.id);
  if (!targets.length) return null;

  const radios = targets.map((target) =>
    h('input', { type: 'radio', name: 'status', id: `status-to-${target}`, value: target, checked: targets.length === 1 }),
  );
  const noteHint = h('p', { class: 'hint', id: 'status-note-hint', hidden: true, text: t('issue.status_note_needed') });
  const note = h('textarea', { name: 'note', id: 'status-note', rows: 2, 'aria-describedby': 'status-note-hint' });
  const owner = select(ownerChoices(members, ctx.user), issue.owner_id || '', { name: 'owner', id: 'status-owner' });
  const due = h('input', { type: 'date', name: 'due', id: 'status-due', value: issue.due_date || '' });
  const plan = h(
    'div',
    { class: 'needs', hidden: true },
    h('p', { id: 'status-needs', text: t('issue.status_needs_owner') }),
    field(t('issue.owner'), owner),
    field(t('issue.due_date'), due),
  );
  const message = h('p', { class: 'error', role: 'alert', id: 'status-error' });
  const chosen = () => radios.find((radio) => radio.checked)?.value || null;
  // What the chosen move needs, shown as soon as it is chosen rather than after a refusal.
  const update = () => {
    const move = chosen() && transition(issue.status, chosen());
    note.required = Boolean(move?.needs_note);
    noteHint.hidden = !move?.needs_note;
    plan.hidden = !(move?.needs_owner_and_due_date && (!issue.owner_id || !issue.due_date));
    owner.required = due.required = !plan.hidden;
    message.textContent = '';
  };
  radios.forEach((radio) => radio.addEventListener('change', update));

  const form = trackDirty(
    h(
      'form',
      {
        class: 'card',
        id: 'status-form',
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const target = chosen();
          if (!target) {
            message.textContent = t('issue.choose_status');
            radios[0].focus();
            return;
          }
          const text = note.value.trim();
          const update = plan.hidden ? null : planUpdate(issue, { owner_id: owner.value || null, due_date: due.value || null });
          const planned = update ? { ...issue, ...update.args.fields } : issue;
          const refusal = refusalOf(planned, target, role, ctx.user.id, text);
          if (refusal) {
            message.textContent = t(refusal.key);
            (refusal.key === 'workflow.needs_note' ? note : !owner.value ? owner : due).focus();
            return;
          }
          // The owner and due date go first: the server applies a phone's changes in order.
          await recordChanges([...(update ? [update] : []), { name: 'issue.status', args: { id: issue.id, status: target, note: text || null } }]);
          form.removeAttribute('data-dirty');
          say(savedText());
        },
      },
      h('h3', { text: t('issue.change_status') }),
      h(
        'fieldset',
        { class: 'choices' },
        h('legend', { text: t('issue.move_to') }),
        radios.map((radio) => h('div', { class: 'check' }, radio, h('label', { for: radio.id, text: statusLabel(radio.value) }))),
      ),
      plan,
      h('div', { class: 'field' }, h('label', { for: note.id, text: t('issue.status_note') }), noteHint, note),
      message,
      h('button', { type: 'submit', class: 'primary', text: t('issue.status_save') }),
    ),
  );
  update();
  return {
    node: form,
    choose(target) {
      const radio = radios.find((r) => r.value === target);
      if (!radio) return false;
      radio.checked = true;
      update();
      form.scrollIntoView({ block: 'start' });
      (note.required ? note : radio).focus();
      return true;
    },
  };
}
