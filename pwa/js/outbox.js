/**
 * The outbox: every change the user makes becomes a numbered mutation, written in the same IndexedDB
 * transaction as its local effect. Either both are on the phone or neither is, so closing the app at any moment
 * cannot leave a change that shows on screen but will never be sent.
 */
import { metaIn, putMetaIn, req, write, getAll, getMeta } from './db.js';
import { nextStamp } from './hlc.js';
import { RULES } from './rules.js';
import { applyLocally, storesFor } from './local-apply.js';
import { notifyChanged } from './events.js';
import { rememberUse } from './estate-choice.js';

/**
 * Record mutations (each `{name, args}`) and, optionally, photo blobs, atomically. Returns the stored
 * mutations with their numbers and stamps.
 */
export async function recordChanges(mutations, { blobs = [] } = {}) {
  const stores = new Set(['outbox', 'meta']);
  for (const mutation of mutations) for (const store of storesFor(mutation.name)) stores.add(store);
  if (blobs.length) stores.add('blobs');
  const stored = await write([...stores], async (tx) => {
    const clientId = await metaIn(tx, 'client_id');
    const user = await metaIn(tx, 'user');
    if (!clientId || !user) throw new Error('not signed in on this phone');
    let nextId = await metaIn(tx, 'next_mutation_id', 1);
    let last = await metaIn(tx, 'hlc', null);
    const offset = await metaIn(tx, 'clock_offset', 0);
    const result = [];
    for (const blob of blobs) {
      const existing = await req(tx.objectStore('blobs').get(blob.sha256));
      if (!existing) await req(tx.objectStore('blobs').put({ ...blob, uploaded: false, upload_url: null, created: Date.now() }));
    }
    for (const { name, args: typed } of mutations) {
      const args = withoutControlCharacters(typed);
      last = nextStamp(last, Date.now() + offset, clientId);
      const mutation = { id: nextId, name, args, at: last, created: Date.now() };
      nextId += 1;
      await req(tx.objectStore('outbox').put(mutation));
      await applyLocally(tx, mutation, user.id);
      await rememberUse(tx, mutation);
      result.push(mutation);
    }
    await putMetaIn(tx, 'next_mutation_id', nextId);
    await putMetaIn(tx, 'hlc', last);
    return result;
  });
  notifyChanged('recorded');
  return stored;
}

/** Convenience for one mutation. */
const CONTROL = new RegExp(RULES.control_characters, 'gu');

/** What was typed or pasted, without the control characters the server refuses (sync/text.py). */
function withoutControlCharacters(value) {
  if (typeof value === 'string') return value.replace(CONTROL, '');
  if (Array.isArray(value)) return value.map(withoutControlCharacters);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutControlCharacters(v)]));
  return value;
}

export async function recordChange(name, args, options) {
  const [mutation] = await recordChanges([{ name, args }], options);
  return mutation;
}

export async function pendingMutations() {
  return getAll('outbox');
}

/** Unsent mutations about one issue, for the "waiting to send" lines in its timeline. */
export async function pendingForIssue(issueId) {
  const all = await pendingMutations();
  return all.filter((m) => m.args.issue_id === issueId || (m.name.startsWith('issue.') && m.args.id === issueId));
}

/** Counts for the sync indicator. */
export async function queueSummary() {
  const [outbox, blobs, rejections, replays] = await Promise.all([getAll('outbox'), getAll('blobs'), getAll('rejections'), getAll('replay_waiting')]);
  const waitingPhotos = blobs.filter((b) => !b.uploaded);
  return {
    // Changes sent again after a restore and refused for now are waiting too (js/replay.js).
    changes: outbox.length + replays.length,
    photos: waitingPhotos.length,
    photoBytes: waitingPhotos.reduce((sum, b) => sum + (b.byte_size || 0), 0),
    waitingPhotoSizes: new Map(waitingPhotos.map((b) => [b.sha256, b.byte_size || 0])),
    oldestWaiting: Math.min(...outbox.map((m) => m.created || Infinity), ...waitingPhotos.map((b) => b.created || Infinity)),
    rejections: rejections.filter((r) => !r.dismissed).length,
    lastSyncOk: await getMeta('last_sync_ok'),
    lastError: await getMeta('last_sync_error'),
    sessionExpired: await getMeta('session_expired', false),
  };
}
