/**
 * Changes the server refused, kept on the phone until the person has seen them: which issue each one is about,
 * so the refusal can be shown on that issue and linked from the Sync page.
 */
import { getAll, req, write } from './db.js';
import { notifyChanged } from './events.js';
import { t, tOr } from './i18n.js';

/** A change in words ("Status change to Acknowledged"), for the Sync page and the issue it was about. */
export function describeChange(mutation) {
  const args = mutation.args || {};
  return t(`mutation.${mutation.name}`, {
    title: args.title || '',
    status: args.status ? tOr(`status.${args.status}`, args.status) : '',
    body: (args.body || '').slice(0, 60),
  });
}

/** The issue a refused change was about, or null (an inspection, a meeting…). */
export function issueIdOf(rejection) {
  const args = rejection.args || {};
  if (args.issue_id) return args.issue_id;
  if (String(rejection.name || '').startsWith('issue.')) return args.id || null;
  return null;
}

/** Refusals not yet dismissed, newest first. */
export async function openRejections() {
  const all = await getAll('rejections');
  return all.filter((r) => !r.dismissed).sort((a, b) => String(b.at).localeCompare(String(a.at)));
}

export async function rejectionsForIssue(issueId) {
  return (await openRejections()).filter((r) => issueIdOf(r) === issueId);
}

export async function dismissRejection(rejection) {
  await write(['rejections'], async (tx) => {
    const store = tx.objectStore('rejections');
    const current = await req(store.get(rejection.id));
    if (current) await req(store.put({ ...current, dismissed: true }));
  });
  notifyChanged('rejections');
}
