/**
 * The status workflow and permissions, run on the phone from the server's own tables (rules.js, generated from
 * sync/). The phone offers only what the server will accept; the server still has the last word.
 */
import { RULES } from './rules.js';

const MOVES = new Map(RULES.transitions.map((move) => [`${move.from}>${move.to}`, move]));
const OPEN = new Set(RULES.open_statuses);
const RESOLVED = new Set(RULES.resolved_statuses);
const CLOSED = new Set(RULES.closed_statuses);
const STAFF_ONLY = new Set(RULES.staff_only_fields);

function ruleAllows(rule, { isAssignee = false, isRaiser = false } = {}) {
  if (rule === 'yes') return true;
  if (rule === 'assignee') return isAssignee;
  if (rule === 'raiser') return isRaiser;
  return false;
}

/** Whether someone with `role` on an issue's estate may do `action` (e.g. 'issue.merge'). */
export function may(role, action, { issue = null, userId = null } = {}) {
  if (!role) return false;
  const rule = RULES.permissions[action]?.[role];
  return ruleAllows(rule, {
    isAssignee: Boolean(issue && userId && issue.assignee_id === userId),
    isRaiser: Boolean(issue && userId && issue.raised_by === userId),
  });
}

/** The move from the issue's status to `target`, with what it needs (a note, an owner and due date), or null. */
export function transition(from, to) {
  return MOVES.get(`${from}>${to}`) || null;
}

/** Every status this person may move the issue to now, in the table's order. */
export function allowedTargets(issue, role, userId) {
  if (!role) return [];
  const isAssignee = Boolean(userId && issue.assignee_id === userId);
  return RULES.transitions
    .filter((move) => move.from === issue.status && ruleAllows(move.roles[role], { isAssignee }))
    .map((move) => move.to);
}

/**
 * Why this move would be refused, as a message key and its parameters, or null when the server will accept it.
 * Mirrors `sync.workflow.check_transition`, in the same order.
 */
export function refusalOf(issue, target, role, userId, note) {
  if (!RULES.statuses.includes(target)) return { key: 'workflow.not_a_status' };
  if (target === issue.status) return { key: 'workflow.already' };
  const move = transition(issue.status, target);
  if (!move) return { key: 'workflow.no_such_move' };
  const isAssignee = Boolean(userId && issue.assignee_id === userId);
  if (!role || !ruleAllows(move.roles[role], { isAssignee })) return { key: 'workflow.not_your_move' };
  if (move.needs_note && !(note && note.trim())) return { key: 'workflow.needs_note' };
  if (move.needs_owner_and_due_date && (!issue.owner_id || !issue.due_date)) return { key: 'workflow.needs_owner_and_due_date' };
  return null;
}

/** Whether this role may set an issue field at all (owner, assignee and due date are staff's alone). */
export function maySetField(role, field) {
  return role === 'staff' || (Boolean(role) && !STAFF_ONLY.has(field));
}

export function isOpenStatus(status) {
  return OPEN.has(status);
}

export function isResolvedStatus(status) {
  return RESOLVED.has(status);
}

export function isClosedStatus(status) {
  return CLOSED.has(status);
}

/** Overdue is computed, never stored: still open and the due date (YYYY-MM-DD) is before today. */
export function isOverdue(issue, today = new Date()) {
  if (!issue.due_date || !OPEN.has(issue.status) || issue.withdrawn || issue.merged_into) return false;
  const local = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  return issue.due_date < local;
}
