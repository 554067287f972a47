/**
 * A meeting's action plan and an estate's figures, worked out on the phone from the local copy, offline.
 *
 * The rules are the server's (server/reports/queries.py: `issue_rows`, `count`, `action_plan`, `dashboard`), so
 * the phone shows the same "14 of 25 resolved" as the printed plan; tests/browser/test_action_plan_journey.py
 * compares the two. Resolved is `RULES.resolved_statuses` (or withdrawn); overdue is `isOverdue`.
 *
 * Two facts of the local copy shape this module: a withdrawn issue is pulled as deleted (so an issue on a plan
 * that is not on the phone was withdrawn; its title is still in its timeline), and a merged duplicate is reported
 * with the state of the issue it was merged into, as on the server.
 */
import { isOverdue, isResolvedStatus } from './workflow.js';

const MAX_MERGE_HOPS = 20;

/** The issue that carries a duplicate's state: follow `merged_into` (no further than the server would). */
export function effectiveIssue(issue, issuesById) {
  let current = issue;
  const seen = new Set();
  while (current?.merged_into && !seen.has(current.id) && seen.size < MAX_MERGE_HOPS) {
    seen.add(current.id);
    const next = issuesById.get(current.merged_into);
    if (!next) return { ...current, id: current.merged_into, withdrawn: true };
    current = next;
  }
  return current;
}

/** What the timeline still tells of an issue gone from the phone (withdrawn): its title and when it was raised. */
export function issueFromTimeline(issueId, events) {
  const issue = { id: issueId, title: null, created_at: null, withdrawn: true, missing: true };
  for (const event of [...events].sort((a, b) => String(a.at).localeCompare(String(b.at)))) {
    if (event.kind === 'created') Object.assign(issue, { title: event.data?.title ?? null, created_at: event.recorded_at });
    if (event.kind === 'field_changed' && event.data?.field === 'title') issue.title = event.data.new;
  }
  return issue;
}

/** One issue as a plan or a report shows it: its own title and place, the state of the issue that goes on. */
export function reportRow(issue, issuesById, today = new Date()) {
  const current = effectiveIssue(issue, issuesById);
  const withdrawn = Boolean(issue.withdrawn || current.withdrawn);
  const status = withdrawn ? 'withdrawn' : current.status;
  return {
    issue,
    current,
    status,
    owner_id: current.owner_id ?? null,
    assignee_id: current.assignee_id ?? null,
    due_date: current.due_date ?? null,
    resolved: withdrawn || isResolvedStatus(current.status),
    confirmed: !withdrawn && current.status === 'confirmed',
    overdue: !withdrawn && isOverdue(current, today),
    merged: Boolean(issue.merged_into),
  };
}

/** "14 of 25 resolved, 3 confirmed by residents", open and overdue: `count` in server/reports/queries.py. */
export function countRows(rows) {
  const total = rows.length;
  const resolved = rows.filter((row) => row.resolved).length;
  return {
    total,
    resolved,
    confirmed: rows.filter((row) => row.confirmed).length,
    open: total - resolved,
    overdue: rows.filter((row) => row.overdue).length,
    wont_fix: rows.filter((row) => row.status === 'wont_fix').length,
  };
}

/**
 * The plan of one meeting: its issues (raised at the meeting first, then reviewed; oldest first within each)
 * and their counts. `links` are the meeting's `meeting_issues` rows; `eventsFor(issueId)` gives a timeline.
 */
export function actionPlan(links, issuesById, eventsFor = () => [], today = new Date()) {
  const items = links.map((link) => {
    const issue = issuesById.get(link.issue_id) || issueFromTimeline(link.issue_id, eventsFor(link.issue_id));
    return { kind: link.kind, pending: Boolean(link.pending), ...reportRow(issue, issuesById, today) };
  });
  const created = (item) => String(item.issue.created_at || item.issue.captured_at || '');
  items.sort((a, b) => (a.kind === 'raised' ? 0 : 1) - (b.kind === 'raised' ? 0 : 1) || created(a).localeCompare(created(b)));
  return { items, counts: countRows(items) };
}

/** An estate's figures now, as the server's dashboard counts them: every issue but withdrawn ones and duplicates. */
export function estateCounts(issues, today = new Date()) {
  const issuesById = new Map(issues.map((issue) => [issue.id, issue]));
  const rows = issues.filter((issue) => !issue.withdrawn && !issue.merged_into).map((issue) => reportRow(issue, issuesById, today));
  return countRows(rows);
}
