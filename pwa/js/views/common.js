/** Pieces several screens share: estate and location names, issue cards, the quick "still there" actions. */
import { h } from '../dom.js';
import { t, tOr, formatDate, writtenIn, language } from '../i18n.js';
import { getAll } from '../db.js';
import { recordChanges } from '../outbox.js';
import { roleOn } from '../session.js';
import { RULES } from '../rules.js';
import { isClosedStatus, isOverdue, refusalOf } from '../workflow.js';
import { savedText } from '../toast.js';
import { walkInProgress } from '../walk.js';

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
        h('span', { class: 'issue-title', ...writtenIn(issue.written_in), text: issue.title }),
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
 * "Still there" and "Looks fixed" in one tap. On a walk they are re-checks of that inspection (in its summary and
 * the issue's timeline); a TRA rep's answer to an issue marked fixed is also the residents' verdict (confirmed /
 * disputed). Off a walk there is no re-check to record: a TRA rep confirms or disputes a fix, someone who may
 * mark the work fixed does, and otherwise the words go on the timeline as an update saying what was seen.
 */
export function seenAgainChanges(ctx, issue, outcome, walk, recheckNote = '') {
  const role = roleOn(ctx.memberships, issue.estate_id);
  const userId = ctx.user?.id;
  const stillThere = outcome === 'still_there';
  const verdict = stillThere ? 'disputed' : 'confirmed';
  const note = t(stillThere ? 'issue.still_there_note' : 'issue.looks_fixed_note');
  const residentsVerdict = role === 'tra_rep' && !refusalOf(issue, verdict, role, userId, note)
    ? [{ name: 'issue.status', args: { id: issue.id, status: verdict, note } }]
    : [];
  if (walk) {
    const recheck = { id: crypto.randomUUID(), inspection_id: walk.id, issue_id: issue.id, outcome, note: recheckNote };
    return [{ name: 'inspection.recheck', args: recheck }, ...residentsVerdict];
  }
  if (residentsVerdict.length) return residentsVerdict;
  if (!stillThere && !refusalOf(issue, 'fixed', role, userId, note)) {
    return [{ name: 'issue.status', args: { id: issue.id, status: 'fixed', note } }];
  }
  const body = t(stillThere ? 'issue.seen_again_still_there' : 'issue.seen_again_looks_fixed');
  return [{ name: 'issue.comment', args: { id: crypto.randomUUID(), issue_id: issue.id, body, written_in: language() } }];
}

/**
 * `walk`: the inspection on screen (a re-check even if someone has since finished it: the person is on its
 * screen); without one, the walk this phone is on, if any, on the issue's estate.
 */
export async function markSeenAgain(ctx, issue, outcome, walk = null, note = '') {
  const during = walk || (await walkInProgress(issue.estate_id));
  return recordChanges(seenAgainChanges(ctx, issue, outcome, during, note));
}

/** The two quick answers; on a walk's own screen (`walk` given) with room for a note on the re-check. */
export function quickActions(ctx, issue, after, { walk = null } = {}) {
  if (!isOpen(issue)) return null;
  const note = walk ? h('textarea', { id: `recheck-note-${issue.id}`, rows: 2 }) : null;
  const button = (outcome, key, action) =>
    h('button', {
      type: 'button',
      class: 'secondary',
      text: t(key),
      'data-action': action,
      onclick: async () => {
        await markSeenAgain(ctx, issue, outcome, walk, note?.value.trim() || '');
        after?.(savedText());
      },
    });
  // On a walk's screen the note sits in a form, so a background refresh does not wipe what is being typed.
  const node = h(
    walk ? 'form' : 'div',
    { class: 'quick', onsubmit: (event) => event.preventDefault() },
    note
      ? h('details', { class: 'recheck-note', ontoggle: (event) => event.target.closest('form')?.setAttribute('data-dirty', '') }, h('summary', { text: t('inspect.recheck_note') }), h('label', { for: note.id, class: 'visually-hidden', text: t('inspect.recheck_note') }), note)
      : null,
    h('div', { class: 'actions' }, button('still_there', 'issue.still_there', 'still-there'), button('looks_fixed', 'issue.looks_fixed', 'looks-fixed')),
  );
  return walk ? trackDirty(node) : node;
}

/** Mark a form as being edited, so a background refresh does not wipe what the user is typing. */
export function trackDirty(form) {
  form.addEventListener('input', () => form.setAttribute('data-dirty', ''));
  form.addEventListener('change', () => form.setAttribute('data-dirty', ''));
  return form;
}
