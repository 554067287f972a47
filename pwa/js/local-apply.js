/**
 * Apply a mutation to the local copy at once, so the screen shows the change before the server has it.
 * The server stays authoritative: after each pull the copy is replaced by the server's state and the
 * still-unsent mutations are applied again on top (a rebase).
 */
import { putMetaIn, req } from './db.js';

/** The stores a mutation's local effect touches, for opening the transaction. */
export function storesFor(name) {
  if (name === 'issue.follow' || name === 'issue.create') return ['issues', 'follows'];
  if (name.startsWith('issue.')) return ['issues'];
  if (name === 'meeting.create') return ['meetings'];
  if (name === 'meeting.issue') return ['meetings', 'meeting_issues', 'issues'];
  if (name === 'mail.preference' || name === 'person.language') return ['meta'];
  if (name === 'photo.attach') return ['photos'];
  if (name === 'inspection.grade') return ['grades'];
  if (name === 'inspection.recheck') return ['rechecks'];
  if (name.startsWith('inspection.')) return ['inspections'];
  if (name === 'estate.grading_scheme') return ['grading_schemes'];
  return [];
}

export async function applyLocally(tx, mutation, userId) {
  const { name, args, at } = mutation;
  switch (name) {
    case 'issue.create': {
      const store = tx.objectStore('issues');
      const existing = await req(store.get(args.id));
      if (existing && !existing.pending) return;
      await req(
        store.put({
          ...args,
          status: 'reported',
          owner_id: null,
          assignee_id: null,
          due_date: null,
          raised_by: userId,
          created_at: args.captured_at,
          updated_at: args.captured_at,
          merged_into: null,
          withdrawn: false,
          field_stamps: {},
          pending: true,
        }),
      );
      // Whoever raises an issue follows it (sync/rules.py): the phone knows before the server says so.
      const follows = tx.objectStore('follows');
      if (!(await req(follows.get(args.id)))) await req(follows.put({ id: args.id, issue_id: args.id, pending: true }));
      return;
    }
    case 'issue.update': {
      const store = tx.objectStore('issues');
      const issue = await req(store.get(args.id));
      if (!issue) return;
      const stamps = { ...(issue.field_stamps || {}) };
      for (const field of Object.keys(args.fields)) stamps[field] = at;
      await req(store.put({ ...issue, ...args.fields, field_stamps: stamps, pending_edit: true }));
      return;
    }
    case 'issue.status': {
      const store = tx.objectStore('issues');
      const issue = await req(store.get(args.id));
      if (issue) await req(store.put({ ...issue, status: args.status, pending_edit: true }));
      return;
    }
    case 'issue.withdraw': {
      const store = tx.objectStore('issues');
      const issue = await req(store.get(args.id));
      if (issue) await req(store.put({ ...issue, withdrawn: true, pending_edit: true }));
      return;
    }
    case 'issue.merge': {
      const store = tx.objectStore('issues');
      const issue = await req(store.get(args.id));
      if (issue) await req(store.put({ ...issue, merged_into: args.into, pending_edit: true }));
      return;
    }
    case 'photo.attach': {
      const store = tx.objectStore('photos');
      const existing = await req(store.get(args.id));
      if (!existing) await req(store.put({ ...args, added_by: userId, uploaded: false, pending: true }));
      return;
    }
    case 'inspection.create': {
      const store = tx.objectStore('inspections');
      const existing = await req(store.get(args.id));
      if (!existing) {
        await req(store.put({ ...args, created_by: userId, finished_at: null, field_stamps: {}, pending: true }));
      } else {
        // Joining a shared walk (the same derived id): the server adds us to the attendees, so show it now.
        const known = new Set((existing.attendees || []).map((n) => n.trim().toLowerCase()));
        const added = (args.attendees || []).filter((n) => n.trim() && !known.has(n.trim().toLowerCase()));
        if (added.length) await req(store.put({ ...existing, attendees: [...existing.attendees, ...added], pending_edit: true }));
      }
      return;
    }
    case 'inspection.grade': {
      // One grade per inspection, location and element: the newer one replaces what this phone showed.
      const store = tx.objectStore('grades');
      const others = await req(store.index('inspection_id').getAll(args.inspection_id));
      for (const old of others) {
        if (old.id !== args.id && (old.location_id || null) === (args.location_id || null) && old.element === args.element) {
          await req(store.delete(old.id));
        }
      }
      await req(store.put({ ...args, location_id: args.location_id || null, graded_by: userId, at, pending: true }));
      return;
    }
    case 'inspection.recheck': {
      const store = tx.objectStore('rechecks');
      if (!(await req(store.get(args.id)))) await req(store.put({ ...args, checked_by: userId, at, pending: true }));
      return;
    }
    case 'estate.grading_scheme': {
      await req(tx.objectStore('grading_schemes').put({ id: args.estate_id, estate_id: args.estate_id, scheme: args.scheme, pending: true }));
      return;
    }
    case 'inspection.update': {
      const store = tx.objectStore('inspections');
      const inspection = await req(store.get(args.id));
      if (inspection) await req(store.put({ ...inspection, ...args.fields, pending_edit: true }));
      return;
    }
    case 'issue.follow': {
      // Following a merged duplicate follows the issue that goes on, as on the server.
      const target = await issueToAddTo(tx, args.id);
      const store = tx.objectStore('follows');
      if (args.follow === false) await req(store.delete(target));
      else if (!(await req(store.get(target)))) await req(store.put({ id: target, issue_id: target, pending: true }));
      return;
    }
    case 'meeting.create': {
      const store = tx.objectStore('meetings');
      if (!(await req(store.get(args.id)))) {
        await req(store.put({ title: 'TRA meeting', attendees: [], notes: '', ...args, created_by: userId, pending: true }));
      }
      return;
    }
    case 'meeting.issue': {
      const meeting = await req(tx.objectStore('meetings').get(args.meeting_id));
      if (!meeting) return;
      const issueId = await issueToAddTo(tx, args.issue_id);
      const store = tx.objectStore('meeting_issues');
      const id = `${args.meeting_id}:${issueId}`;
      const existing = await req(store.get(id));
      const kind = args.kind || 'reviewed';
      // "Raised here" says more than "reviewed here": never downgraded (sync/rules.py).
      if (existing && (existing.kind === 'raised' || existing.kind === kind)) return;
      await req(store.put({ id, meeting_id: args.meeting_id, issue_id: issueId, estate_id: meeting.estate_id, kind, added_by: userId, pending: true }));
      return;
    }
    case 'mail.preference':
      await putMetaIn(tx, 'mail_mode', args.mode);
      return;
    case 'person.language':
      await putMetaIn(tx, 'language', args.language);
      return;
    default:
      // issue.comment has no local record of its own: the timeline shows unsent comments from the outbox.
      return;
  }
}

/** Additions to a merged duplicate land on the issue it was merged into (sync/rules.py `_issue_to_add_to`). */
async function issueToAddTo(tx, issueId) {
  const store = tx.objectStore('issues');
  let id = issueId;
  for (let hops = 0; hops < 20; hops += 1) {
    const issue = await req(store.get(id));
    if (!issue?.merged_into) return id;
    id = issue.merged_into;
  }
  return id;
}
