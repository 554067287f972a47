/**
 * "My jobs": the issues assigned to this person (a contractor, usually), soonest due first, so the day's work
 * is one list. Overdue is computed on the phone from the due date, never stored.
 */
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { getAll } from '../db.js';
import { isOpenStatus } from '../workflow.js';
import { locationsFor, issueCard } from './common.js';
import { cardExtras } from './card-extras.js';

/** Soonest due first; jobs without a due date last, newest first among them. */
function byDueDate(a, b) {
  if (a.due_date && b.due_date) return a.due_date.localeCompare(b.due_date);
  if (a.due_date || b.due_date) return a.due_date ? -1 : 1;
  return String(b.updated_at || '').localeCompare(String(a.updated_at || ''));
}

export async function jobsView(ctx) {
  const [issues, locations] = await Promise.all([getAll('issues'), locationsFor(null)]);
  const mine = issues.filter((issue) => issue.assignee_id === ctx.user.id && !issue.withdrawn && !issue.merged_into);
  const todo = mine.filter((issue) => isOpenStatus(issue.status)).sort(byDueDate);
  const done = mine.filter((issue) => !isOpenStatus(issue.status)).sort(byDueDate);
  const locationNames = new Map(locations.map((l) => [l.id, l.label]));
  const extrasFor = await cardExtras(ctx, mine);
  const list = (rows, id) => h('ul', { class: 'issue-list', id }, rows.map((issue) => issueCard(issue, locationNames, extrasFor(issue))));
  return h(
    'section',
    { class: 'screen' },
    h('h2', { text: t('jobs.title') }),
    h('p', { class: 'count', text: t('jobs.count', { count: todo.length }) }),
    todo.length ? list(todo, 'jobs-open') : h('p', { class: 'muted', text: t('jobs.none') }),
    done.length
      ? h('details', { class: 'card' }, h('summary', { text: t('jobs.done', { count: done.length }) }), list(done, 'jobs-done'))
      : null,
  );
}
