/**
 * Nothing lost, even after a restore. A server restored from a backup forgets what it acknowledged after the
 * backup; this phone still knows. Acknowledged mutations (and the photo bytes they attach) are kept for the
 * days the server asks (`replay_days` in every pull) within a storage budget, oldest dropped first. When the
 * server's numbering for this phone falls below what it acknowledged (`409.2`, or `last_mutation_id` in a
 * pull), the kept mutations go back into the outbox with their original stamps, ahead of the unsent ones. See
 * docs/sync-protocol.md, "After a restore".
 *
 * A replayed mutation can be refused for now: another phone's issue it comments on may not be replayed yet.
 * Such a one waits (`replay_waiting`) and is tried again in later rounds before it is shown as refused.
 */
import { getAll, getMeta, metaIn, putMetaIn, read, req, write } from './db.js';

const DAY_MS = 24 * 3600 * 1000;
export const DEFAULT_REPLAY_DAYS = 30;
/** Photo bytes kept for replay, at most; less on a phone with little room (a fifth of the browser's quota). */
const REPLAY_BUDGET_BYTES = 200 * 1024 * 1024;
/** How long a replayed mutation refused for now waits before its next try, by try (the last repeats). */
const RETRY_DELAYS_MS = [0, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000];
/** Tries before a replayed mutation the server keeps refusing is shown as refused, like any other. */
export const REPLAY_ATTEMPTS = 10;

/**
 * Keep an acknowledged mutation for replay. `status`: applied or duplicate (sent again after a restore),
 * rejected (stays refused), retrying (a replay refused for now, whose copy waits in replay_waiting).
 */
export function keepAcknowledged(tx, mutation, status) {
  const { id, name, args, at, created } = mutation;
  return req(tx.objectStore('kept').put({ id, name, args, at, created, status, acked_at: Date.now() }));
}

/**
 * A replayed mutation the server refused: wait and try again later, unless it has been tried often enough.
 * Returns true when it will be tried again (the caller then does not report it as refused).
 */
export async function holdForRetry(tx, mutation, reason) {
  if (!mutation.replay) return false;
  const attempts = (mutation.attempts || 0) + 1;
  if (attempts >= REPLAY_ATTEMPTS) return false;
  const delay = RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)];
  const { name, args, at, created } = mutation;
  await req(tx.objectStore('replay_waiting').put({ name, args, at, created, replay: true, attempts, reason, next_try: Date.now() + delay }));
  return true;
}

/** The stable code of a `photo.attach` refused because the server holds the bytes but not from this person. */
export const UPLOAD_FIRST = 'photo.upload_first';

/**
 * A `photo.attach` refused as "upload the photo first": this phone has the bytes, so it sends them and attaches
 * again (docs/sync-protocol.md, "Photo bytes"). The attach waits in replay_waiting until its bytes are uploaded.
 * Returns false (shown as refused, like any other) without the bytes here, or after too many tries.
 */
export async function holdUntilUploaded(tx, mutation) {
  const sha256 = mutation.args?.sha256;
  const blob = sha256 ? await req(tx.objectStore('blobs').get(sha256)) : null;
  const attempts = (mutation.attempts || 0) + 1;
  if (!blob || attempts >= REPLAY_ATTEMPTS) return false;
  // Whatever a pull said, the server has not had these bytes from this person: send them.
  await req(tx.objectStore('blobs').put({ ...blob, uploaded: false, upload_url: null }));
  const { name, args, at, created, replay } = mutation;
  await req(tx.objectStore('replay_waiting').put({
    name, args, at, created, replay: Boolean(replay), attempts, reason: UPLOAD_FIRST, wait_for_upload: sha256, next_try: 0,
  }));
  return true;
}

function isReplayable(kept) {
  return kept.status === 'applied' || kept.status === 'duplicate';
}

/** The server has acknowledged up to `lastMutationId`: remember it, so a lower number later reveals a restore. */
export async function noteAcknowledged(tx, lastMutationId) {
  const ackedThrough = await metaIn(tx, 'acked_through', 0);
  if (lastMutationId > ackedThrough) await putMetaIn(tx, 'acked_through', lastMutationId);
}

/** Did the server forget mutations it acknowledged (it now expects `expected` next)? */
export async function serverForgot(tx, expected) {
  return expected <= (await metaIn(tx, 'acked_through', 0));
}

/**
 * The server lost what it acknowledged from `expected` on: put the kept mutations from there back in the outbox,
 * in their order and with their stamps, followed by the unsent ones, numbered on from `expected`. Kept ones the
 * server had refused stay refused. Inside a transaction over outbox, kept, blobs and meta.
 */
export async function replayInto(tx, expected) {
  const keptStore = tx.objectStore('kept');
  const outbox = tx.objectStore('outbox');
  const ackedThrough = await metaIn(tx, 'acked_through', 0);
  const kept = (await req(keptStore.getAll())).filter((k) => k.id >= expected);
  // Acknowledged, forgotten by the server, and no longer kept here (expired, or dropped for space).
  const lost = Math.max(0, ackedThrough - expected + 1 - kept.filter((k) => k.id <= ackedThrough).length);
  const again = kept
    .filter(isReplayable)
    .map(({ name, args, at, created }) => ({ name, args, at, created, replay: true }));
  for (const k of kept) await req(keptStore.delete(k.id));
  // The restored server may lack these bytes, or the record of who sent them: send them again. A pulled photo
  // record saying the server holds them (`uploaded: true`) cancels this before the upload step.
  for (const sha of photoHashes(again)) {
    const blob = await req(tx.objectStore('blobs').get(sha));
    if (blob?.uploaded) await req(tx.objectStore('blobs').put({ ...blob, uploaded: false, upload_url: null }));
  }
  const unsent = await req(outbox.getAll());
  await req(outbox.clear());
  let next = expected;
  for (const mutation of [...again, ...unsent]) {
    await req(outbox.put({ ...mutation, id: next }));
    next += 1;
  }
  await putMetaIn(tx, 'next_mutation_id', next);
  await putMetaIn(tx, 'acked_through', expected - 1);
  const restores = await metaIn(tx, 'restores', []);
  await putMetaIn(tx, 'restores', [...restores, { at: Date.now(), replayed: again.length, lost }].slice(-5));
  return { replayed: again.length, lost };
}

/**
 * Replayed mutations whose wait is over, and attaches whose bytes are now uploaded, go back to the end of the
 * outbox with new numbers. Returns how many went back.
 */
export async function requeueWaitingReplays() {
  const now = Date.now();
  let requeued = 0;
  await write(['replay_waiting', 'outbox', 'meta', 'blobs'], async (tx) => {
    const waiting = tx.objectStore('replay_waiting');
    const due = [];
    for (const w of await req(waiting.getAll())) {
      if (w.next_try > now) continue;
      if (w.wait_for_upload) {
        const blob = await req(tx.objectStore('blobs').get(w.wait_for_upload));
        if (blob && !blob.uploaded) continue; // not sent yet (a set-aside photo's attach goes on, to be refused)
      }
      due.push(w);
    }
    if (!due.length) return;
    let next = await metaIn(tx, 'next_mutation_id', 1);
    for (const { seq, next_try: _, reason: __, wait_for_upload: ___, ...mutation } of due) {
      await req(tx.objectStore('outbox').put({ ...mutation, id: next }));
      await req(waiting.delete(seq));
      next += 1;
    }
    requeued = due.length;
    await putMetaIn(tx, 'next_mutation_id', next);
  });
  return requeued;
}

function photoHashes(mutations) {
  return mutations.filter((m) => m.name === 'photo.attach' && m.args?.sha256).map((m) => m.args.sha256);
}

async function budgetBytes() {
  const override = await getMeta('replay_budget_bytes');
  if (typeof override === 'number') return override;
  const estimate = navigator.storage?.estimate ? await navigator.storage.estimate().catch(() => null) : null;
  return estimate?.quota ? Math.min(REPLAY_BUDGET_BYTES, Math.floor(estimate.quota / 5)) : REPLAY_BUDGET_BYTES;
}

/**
 * Drop kept mutations older than the server's `replay_days`, then the oldest ones while their photos take more
 * than the budget; photo bytes nothing refers to any more go with them. Unsent mutations and bytes not yet
 * uploaded are never touched.
 */
export async function keepWithinBudget() {
  const budget = await budgetBytes();
  await write(['kept', 'blobs', 'outbox', 'replay_waiting', 'meta'], async (tx) => {
    const days = await metaIn(tx, 'replay_days', DEFAULT_REPLAY_DAYS);
    const keptStore = tx.objectStore('kept');
    const blobs = tx.objectStore('blobs');
    const kept = await req(keptStore.getAll());
    const pinned = new Set(photoHashes([...(await req(tx.objectStore('outbox').getAll())), ...(await req(tx.objectStore('replay_waiting').getAll()))]));
    const sizes = new Map((await req(blobs.getAll())).map((b) => [b.sha256, { size: b.blob?.size || b.byte_size || 0, uploaded: b.uploaded }]));
    const uses = new Map();
    for (const sha of photoHashes(kept)) uses.set(sha, (uses.get(sha) || 0) + 1);
    const keptBytes = () => [...uses.keys()].filter((sha) => !pinned.has(sha)).reduce((sum, sha) => sum + (sizes.get(sha)?.size || 0), 0);
    let bytes = keptBytes();
    const cutoff = Date.now() - days * DAY_MS;
    let dropped = 0;
    for (const k of kept) {
      if (k.acked_at >= cutoff && bytes <= budget) break;
      await req(keptStore.delete(k.id));
      dropped += 1;
      for (const sha of photoHashes([k])) {
        const left = uses.get(sha) - 1;
        if (left) uses.set(sha, left);
        else {
          uses.delete(sha);
          bytes = keptBytes();
        }
      }
    }
    // Uploaded bytes no kept or unsent mutation refers to: the server has them, the screen uses its copies.
    for (const [sha, { uploaded }] of sizes) {
      if (uploaded && !uses.has(sha) && !pinned.has(sha)) await req(blobs.delete(sha));
    }
    if (dropped) await putMetaIn(tx, 'kept_dropped', (await metaIn(tx, 'kept_dropped', 0)) + dropped);
  });
}

/** For the Sync page: what is kept for replay, and what happened at the last restores. */
export async function keptSummary() {
  return read(['kept', 'blobs', 'outbox', 'replay_waiting', 'meta'], async (tx) => {
    const kept = (await req(tx.objectStore('kept').getAll())).filter(isReplayable);
    const hashes = new Set(photoHashes(kept));
    let bytes = 0;
    for (const sha of hashes) {
      const blob = await req(tx.objectStore('blobs').get(sha));
      if (blob?.uploaded) bytes += blob.blob?.size || blob.byte_size || 0;
    }
    return {
      changes: kept.length,
      photos: hashes.size,
      bytes,
      days: await metaIn(tx, 'replay_days', DEFAULT_REPLAY_DAYS),
      waiting: await req(tx.objectStore('replay_waiting').count()),
      restores: await metaIn(tx, 'restores', []),
    };
  });
}

export async function waitingReplays() {
  return getAll('replay_waiting');
}
