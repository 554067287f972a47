/** Pieces several screens share: estate and location names, issue cards, the quick "still there" actions. */
import { h } from '../dom.js';
import { t, tOr, formatDate } from '../i18n.js';
import { getAll } from '../db.js';
import { recordChange } from '../outbox.js';
import { roleOn } from '../session.js';
import { RULES } from '../rules.js';
import { isClosedStatus, isOverdue } from '../workflow.js';
import { savedText } from '../toast.js';

export const CATEGORIES = RULES.categories;
export const PRIORITIES = RULES.priorities;
export const STATUSES = RULES.statuses;

/** Estates the user belongs to: the pulled copy, or the memberships from sign-in before the first pull. */
export async function estatesFor(ctx) {
  const pulled = await getAll('estates');
  if (pulled.length) return pulled.sort((a, b) => a.name.localeCompare(b.name));
  return ctx.memberships.map((m) => ({ id: m.estate_id, name: m.estate_name }));
}

/** Locations of an estate in walking order, each with a readable path ("Block A › Stairwell 2"). */
export async function locationsFor(estateId) {
  const all = estateId ? await getAll('locations', 'estate_id', estateId) : await getAll('locations');
  const byId = new Map(all.map((l) => [l.id, l]));
  const label = (loc) => {
    const parts = [];
    for (let node = loc, depth = 0; node && depth < 10; node = byId.get(node.parent_id), depth += 1) parts.unshift(node.name);
    return parts.join(' › ');
  };
  return all.map((l) => ({ ...l, label: label(l) })).sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
}

export function categoryLabel(category) {
  return tOr(`category.${category}`, category);
}

export function statusLabel(status) {
  return tOr(`status.${status}`, status);
}

export function isOpen(issue) {
  return !isClosedStatus(issue.status) && !issue.withdrawn && !issue.merged_into;
}

export function priorityRank(priority) {
  return PRIORITIES.indexOf(priority);
}

/**
 * One issue in a list. `extras` (see card-extras.js) adds what only the list knows: the estate's name for
 * people on several estates, and a thumbnail of the issue's first photo.
 */
export function issueCard(issue, locationNames, extras = {}) {
  const overdue = isOverdue(issue);
  return h(
    'li',
    { class: `issue-card${extras.thumb ? ' with-thumb' : ''}${overdue ? ' overdue' : ''}` },
    h(
      'a',
      { href: `#/issue/${issue.id}`, 'data-issue-id': issue.id },
      // Decorative: the title beside it says what the issue is.
      extras.thumb
        ? h('img', { class: 'thumb', src: extras.thumb, alt: '', width: 64, height: 64, loading: extras.thumb.startsWith('blob:') ? null : 'lazy' })
        : null,
      h(
        'span',
        { class: 'issue-text' },
        h('span', { class: 'issue-title', text: issue.title }),
        extras.estateName ? h('span', { class: 'issue-estate', text: extras.estateName }) : null,
        h(
          'span',
          { class: 'issue-meta' },
          h('span', { class: `badge status-${issue.status}`, text: statusLabel(issue.status) }),
          ' ',
          h('span', { text: categoryLabel(issue.category) }),
          issue.location_id && locationNames.get(issue.location_id) ? ` · ${locationNames.get(issue.location_id)}` : '',
          issue.priority === 'high' || issue.priority === 'urgent' ? ` · ${t(`priority.${issue.priority}`)}` : '',
          issue.due_date && !isClosedStatus(issue.status) ? ` · ${t('issues.due', { date: formatDate(issue.due_date) })}` : '',
          overdue ? h('span', { class: 'badge overdue', text: t('issues.overdue') }) : null,
          issue.pending || issue.pending_edit ? h('span', { class: 'badge pending', text: t('issues.pending') }) : null,
        ),
      ),
    ),
  );
}

/**
 * "Still there" and "Looks fixed" in one tap. A TRA rep's answer to an issue marked fixed is the residents'
 * verdict (confirmed / disputed); staff may mark work fixed; otherwise the words go on the timeline as a comment.
 */
export async function markStillThere(ctx, issue) {
  const role = roleOn(ctx.memberships, issue.estate_id);
  const note = t('issue.still_there_note');
  if (role === 'tra_rep' && issue.status === 'fixed') {
    return recordChange('issue.status', { id: issue.id, status: 'disputed', note });
  }
  return recordChange('issue.comment', { id: crypto.randomUUID(), issue_id: issue.id, body: note });
}

export async function markLooksFixed(ctx, issue) {
  const role = roleOn(ctx.memberships, issue.estate_id);
  const note = t('issue.looks_fixed_note');
  if (role === 'tra_rep' && issue.status === 'fixed') {
    return recordChange('issue.status', { id: issue.id, status: 'confirmed', note });
  }
  if (role === 'staff' && ['in_progress', 'disputed'].includes(issue.status)) {
    return recordChange('issue.status', { id: issue.id, status: 'fixed', note });
  }
  return recordChange('issue.comment', { id: crypto.randomUUID(), issue_id: issue.id, body: note });
}

export function quickActions(ctx, issue, after) {
  if (!isOpen(issue)) return null;
  return h(
    'div',
    { class: 'actions' },
    h('button', {
      type: 'button',
      class: 'secondary',
      text: t('issue.still_there'),
      'data-action': 'still-there',
      onclick: async () => {
        await markStillThere(ctx, issue);
        after?.(savedText());
      },
    }),
    h('button', {
      type: 'button',
      class: 'secondary',
      text: t('issue.looks_fixed'),
      'data-action': 'looks-fixed',
      onclick: async () => {
        await markLooksFixed(ctx, issue);
        after?.(savedText());
      },
    }),
  );
}

/** Mark a form as being edited, so a background refresh does not wipe what the user is typing. */
export function trackDirty(form) {
  form.addEventListener('input', () => form.setAttribute('data-dirty', ''));
  form.addEventListener('change', () => form.setAttribute('data-dirty', ''));
  return form;
}
