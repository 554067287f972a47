/**
 * The sync loop: push the outbox, upload photo bytes, pull what changed. Runs in a page or in the service worker
 * (Background Sync), and only one of them at a time (Web Locks), so two tabs never send the same numbers.
 */
import { api, ApiError, photoUrl } from './api.js';
import { SERVER_STORES, getAll, getMeta, metaIn, putMetaIn, req, setMeta, write, clientId as loadClientId } from './db.js';
import { laterStamp } from './hlc.js';
import { applyLocally } from './local-apply.js';
import { notifyChanged } from './events.js';
import { uploadPhoto } from './tus.js';
import {
  holdForRetry, holdUntilUploaded, UPLOAD_FIRST, keepAcknowledged, keepWithinBudget, noteAcknowledged, replayInto, requeueWaitingReplays, serverForgot,
} from './replay.js';

const MAX_BATCH = 500;
const LOCK_NAME = 'estatewalk-sync';

const ENTITY_STORES = {
  estate: 'estates',
  location: 'locations',
  member: 'members',
  issue: 'issues',
  issue_event: 'events',
  photo: 'photos',
  inspection: 'inspections',
  inspection_grade: 'grades',
  inspection_recheck: 'rechecks',
  meeting: 'meetings',
  meeting_issue: 'meeting_issues',
  grading_scheme: 'grading_schemes',
  follow: 'follows',
  rejection: 'rejections',
};

/** The problem code of photo bytes that are not an accepted image: sending them again cannot help. */
const NOT_AN_IMAGE = '422.3';

/**
 * One full round. Returns `{ran: false}` when another tab holds the lock. Errors other than "offline" or
 * "signed out" are recorded for the indicator and rethrown.
 */
export async function syncOnce() {
  if (navigator.locks) {
    return navigator.locks.request(LOCK_NAME, { ifAvailable: true }, async (lock) => {
      if (!lock) return { ran: false };
      return runRound();
    });
  }
  return runRound();
}

async function runRound() {
  const user = await getMeta('user');
  if (!user) return { ran: false };
  const clientId = await loadClientId();
  notifyChanged('sync', { state: 'running' });
  try {
    await requeueWaitingReplays();
    let pushError = await pushCatching(clientId);
    const pulled = await pullChanges(clientId);
    if (pulled.restored) {
      // The pull revealed a restore and put the kept changes back in the outbox: send them in this round.
      pushError = (await pushCatching(clientId)) || pushError;
      await pullChanges(clientId);
    }
    await refreshProfile();
    const photos = await uploadPhotos();
    // Attaches refused until their bytes came from this phone go again now that they are sent.
    if (photos.uploaded && (await requeueWaitingReplays())) pushError = (await pushCatching(clientId)) || pushError;
    // Attaching photos may have been pushed before the bytes arrived; pull once more so "uploaded" is current.
    if (photos.uploaded) await pullChanges(clientId);
    await copyRemotePhotos();
    await keepWithinBudget();
    if (pushError) throw pushError;
    await write(['meta'], async (tx) => {
      await putMetaIn(tx, 'last_sync_ok', Date.now());
      await putMetaIn(tx, 'last_sync_error', photos.failed ? photos.error : null);
      await putMetaIn(tx, 'session_expired', false);
    });
    return { ran: true, ok: true };
  } catch (error) {
    if (error instanceof ApiError && error.isSignedOut) {
      // Keep everything queued; the user signs in again and the next round sends it.
      await setMeta('session_expired', true);
    } else if (!(error instanceof ApiError && error.isNetwork)) {
      await setMeta('last_sync_error', error.message);
    }
    return { ran: true, ok: false, error };
  } finally {
    notifyChanged('sync', { state: 'idle' });
  }
}

/** Push, returning (not throwing) a refusal of the batch itself; offline and signed-out still throw. */
async function pushCatching(clientId) {
  try {
    await pushOutbox(clientId);
    return null;
  } catch (error) {
    if (error instanceof ApiError && (error.isNetwork || error.isSignedOut)) throw error;
    // The server refused the batch itself (a client bug, 409.1 / 400): still bring other people's changes
    // in and send photos, so one stuck change does not also freeze the phone's view of the estate.
    return error;
  }
}

function learnServerTime(tx, serverTime) {
  if (typeof serverTime !== 'number') return Promise.resolve();
  return putMetaIn(tx, 'clock_offset', serverTime - Date.now());
}

function argsForWire(mutation) {
  return { id: mutation.id, name: mutation.name, args: mutation.args, at: mutation.at };
}

async function pushOutbox(clientId) {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const pending = await getAll('outbox');
    if (!pending.length) return;
    const batch = pending.slice(0, MAX_BATCH);
    let response;
    try {
      response = await api.push(clientId, batch.map(argsForWire));
    } catch (error) {
      if (error instanceof ApiError && error.code === '409.2' && error.problem.expected_mutation_id) {
        await realignNumbers(error.problem.expected_mutation_id);
        continue;
      }
      throw error;
    }
    await acknowledge(batch, response);
  }
}

/**
 * The server expects a different next number. At or below what it acknowledged: it was restored from a backup,
 * so the kept mutations from there are sent again, then the unsent ones (js/replay.js). Higher than ours: it
 * applied some whose answer we never got. Lower, with nothing acknowledged known (a phone updated from a
 * version that kept nothing): our unsent ones move down to follow on.
 */
async function realignNumbers(expected) {
  await write(['outbox', 'kept', 'blobs', 'meta'], async (tx) => {
    if (await serverForgot(tx, expected)) {
      await replayInto(tx, expected);
      return;
    }
    const store = tx.objectStore('outbox');
    const pending = await req(store.getAll());
    if (!pending.length) return;
    if (expected > pending[0].id) {
      for (const mutation of pending) {
        if (mutation.id >= expected) continue;
        await keepAcknowledged(tx, mutation, 'applied');
        await req(store.delete(mutation.id));
      }
      await noteAcknowledged(tx, expected - 1);
      return;
    }
    await req(store.clear());
    let next = expected;
    for (const mutation of pending) {
      await req(store.put({ ...mutation, id: next }));
      next += 1;
    }
    await putMetaIn(tx, 'next_mutation_id', next);
  });
}

async function acknowledge(batch, response) {
  const byId = new Map(batch.map((m) => [m.id, m]));
  let rejected = 0;
  await write(['outbox', 'rejections', 'meta', 'kept', 'replay_waiting', 'blobs'], async (tx) => {
    const clientId = await metaIn(tx, 'client_id');
    const answered = new Set();
    for (const result of response.results || []) {
      const mutation = byId.get(result.id);
      if (!mutation) continue;
      answered.add(mutation.id);
      // A replayed change refused for now (what it needs is not replayed yet) waits for a later round.
      const retrying = result.status === 'rejected' && (result.code === UPLOAD_FIRST
        ? await holdUntilUploaded(tx, mutation)
        : await holdForRetry(tx, mutation, result.reason));
      await keepAcknowledged(tx, mutation, retrying ? 'retrying' : result.status);
      if (result.status === 'rejected' && !retrying) {
        rejected += 1;
        await req(
          tx.objectStore('rejections').put({
            id: `${clientId}:${mutation.id}`,
            mutation_id: mutation.id,
            name: mutation.name,
            args: mutation.args,
            reason: result.reason,
            at: mutation.at,
            dismissed: false,
          }),
        );
      }
      await req(tx.objectStore('outbox').delete(mutation.id));
    }
    // Anything at or below the server's last number is applied even if its result line went missing.
    for (const mutation of batch) {
      if (mutation.id > response.last_mutation_id || answered.has(mutation.id)) continue;
      await keepAcknowledged(tx, mutation, 'applied');
      await req(tx.objectStore('outbox').delete(mutation.id));
    }
    await noteAcknowledged(tx, response.last_mutation_id);
    await learnServerTime(tx, response.server_time);
  });
  if (rejected) {
    // A refused change was already shown locally; start the copy afresh so the screen matches the server.
    await setMeta('cursor', null);
    notifyChanged('rejections');
  }
  notifyChanged('outbox');
}

/** Roles change (a new TRA rep, a contractor added to an estate): keep the stored memberships current. */
async function refreshProfile() {
  const answer = await api.me();
  await write(['meta'], async (tx) => {
    await putMetaIn(tx, 'user', answer.user);
    await putMetaIn(tx, 'memberships', answer.memberships || []);
  });
}

/** Pull every page. `restored`: the server had forgotten changes it acknowledged, now back in the outbox. */
async function pullChanges(clientId) {
  let cursor = await getMeta('cursor');
  let restored = false;
  for (let page = 0; page < 10000; page += 1) {
    const response = await api.pull(clientId, cursor);
    restored = (await applyPulled(response)) || restored;
    cursor = response.cursor;
    if (!response.has_more) break;
  }
  notifyChanged('data');
  return { restored };
}

/**
 * Apply one page of pulled changes, then replay unsent mutations on top, in one transaction. Returns true when
 * the page revealed a restore (js/replay.js).
 */
async function applyPulled(response) {
  const stores = [...SERVER_STORES, 'rejections', 'outbox', 'meta', 'blobs', 'kept', 'replay_waiting'];
  return write(stores, async (tx) => {
    if (response.reset) {
      for (const name of SERVER_STORES) await req(tx.objectStore(name).clear());
    }
    let last = await metaIn(tx, 'hlc');
    const user = await metaIn(tx, 'user');
    for (const change of response.changes || []) {
      if (change.entity === 'mail_preference') {
        // The person's own setting (one row, pulled by their phones alone): kept beside the profile.
        await putMetaIn(tx, 'mail_mode', change.deleted ? null : change.data?.mode ?? null);
        continue;
      }
      const storeName = ENTITY_STORES[change.entity];
      if (!storeName) continue;
      const store = tx.objectStore(storeName);
      if (change.deleted) {
        await req(store.delete(change.id));
        continue;
      }
      if (!change.data) continue;
      if (storeName === 'rejections') {
        // A replayed change refused for now is tried again, not shown as refused (yet).
        const kept = await req(tx.objectStore('kept').get(change.data.mutation_id));
        if (kept?.status === 'retrying') continue;
        const existing = await req(store.get(change.id));
        // The phone's own copy of the args wins; the server's serves when the push's answer was lost.
        await req(store.put({ ...change.data, args: existing?.args ?? change.data.args, dismissed: existing?.dismissed ?? false }));
        continue;
      }
      // Some records (a meeting's issue, an estate's grading scheme) are keyed by the change's id, not a field.
      await req(store.put(change.data.id ? change.data : { ...change.data, id: change.id }));
      if (change.data.at) last = laterStamp(last, change.data.at);
      if (storeName === 'photos') {
        // The server says whether it holds these bytes: uploaded (perhaps by another phone), nothing left to
        // send; not uploaded although we sent them, it lost them (restored from a backup): send them again.
        const blob = await req(tx.objectStore('blobs').get(change.data.sha256));
        const uploaded = Boolean(change.data.uploaded);
        if (blob && blob.uploaded !== uploaded) await req(tx.objectStore('blobs').put({ ...blob, uploaded }));
      }
    }
    const outbox = tx.objectStore('outbox');
    let restored = false;
    if (typeof response.last_mutation_id === 'number') {
      if (await serverForgot(tx, response.last_mutation_id + 1)) {
        await replayInto(tx, response.last_mutation_id + 1);
        restored = true;
      } else {
        for (const mutation of await req(outbox.getAll())) {
          if (mutation.id > response.last_mutation_id) continue;
          await keepAcknowledged(tx, mutation, 'applied');
          await req(outbox.delete(mutation.id));
        }
        await noteAcknowledged(tx, response.last_mutation_id);
      }
    }
    for (const mutation of await req(outbox.getAll())) await applyLocally(tx, mutation, user?.id);
    for (const mutation of await req(tx.objectStore('replay_waiting').getAll())) await applyLocally(tx, mutation, user?.id);
    if (last) await putMetaIn(tx, 'hlc', last);
    if (typeof response.replay_days === 'number') await putMetaIn(tx, 'replay_days', response.replay_days);
    await putMetaIn(tx, 'cursor', response.cursor);
    await learnServerTime(tx, response.server_time);
    return restored;
  });
}

/**
 * Upload every photo whose bytes the server lacks. One refused photo never holds up the others; one refused as
 * not an image is set aside with the server's reason, not sent again every round.
 */
async function uploadPhotos() {
  const waiting = (await getAll('blobs')).filter((b) => !b.uploaded);
  const result = { uploaded: 0, failed: 0, error: null, setAside: 0 };
  let next = 0;
  let stop = null;
  // Two uploads at a time: while one waits for a round trip or for the server to check a finished photo, the
  // other keeps the slow link busy. More would only split the same bandwidth.
  const worker = async () => {
    while (!stop && next < waiting.length) {
      const row = waiting[next];
      next += 1;
      try {
        await uploadOne(row);
        result.uploaded += 1;
      } catch (error) {
        if (error.restart) await updateBlob(row.sha256, { upload_url: null });
        if (error.code === NOT_AN_IMAGE) {
          await setAside(row, error.message);
          result.setAside += 1;
        } else if (!error.status) {
          // A network failure means every later photo would fail too: stop and try again next round.
          stop = new ApiError(0, { detail: error.message });
        } else if (error.status === 401) stop = new ApiError(401, { detail: error.message });
        else {
          result.failed += 1;
          result.error = error.message;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, waiting.length) }, worker));
  if (stop) throw stop;
  return result;
}

const PARALLEL_UPLOADS = 2;

async function uploadOne(row) {
  await uploadPhoto({
    blob: row.blob,
    sha256: row.sha256,
    uploadUrl: row.upload_url,
    onUrl: (url) => updateBlob(row.sha256, { upload_url: url }),
    onProgress: (offset) => {
      notifyChanged('upload', { sha256: row.sha256, sent: offset, total: row.blob.size });
    },
  });
  await updateBlob(row.sha256, { uploaded: true, upload_url: null, sent: row.blob.size });
  notifyChanged('outbox');
}

const COPIES_PER_ROUND = 100;

/**
 * Keep a small copy (the server's thumbnail) of each photo taken on another phone, so issue timelines show
 * their photos without signal too. Thumbnails keep this cheap on a small data plan.
 */
async function copyRemotePhotos() {
  const [photos, blobs, copies] = await Promise.all([getAll('photos'), getAll('blobs'), getAll('photo_copies')]);
  const have = new Set([...blobs.map((b) => b.sha256), ...copies.map((c) => c.sha256)]);
  const wanted = [...new Set(photos.filter((p) => p.uploaded && !have.has(p.sha256)).map((p) => p.sha256))];
  let copied = 0;
  for (const sha256 of wanted.slice(0, COPIES_PER_ROUND)) {
    let response;
    try {
      response = await fetch(photoUrl(sha256, 'thumb'), { credentials: 'same-origin' });
    } catch {
      break; // offline again: the next round continues
    }
    if (!response.ok) continue;
    const blob = await response.blob();
    await write(['photo_copies'], (tx) => req(tx.objectStore('photo_copies').put({ sha256, blob, variant: 'thumb' })));
    copied += 1;
  }
  if (copied) notifyChanged('data');
}

/** Move refused bytes out of the upload queue, keeping them and the reason for the Sync page and the issue. */
async function setAside(row, reason) {
  await write(['blobs', 'set_aside'], async (tx) => {
    await req(tx.objectStore('set_aside').put({
      sha256: row.sha256, blob: row.blob, byte_size: row.byte_size || row.blob?.size || 0, reason, at: Date.now(),
    }));
    await req(tx.objectStore('blobs').delete(row.sha256));
  });
  notifyChanged('outbox');
  notifyChanged('rejections');
}

async function updateBlob(sha256, changes) {
  await write(['blobs'], async (tx) => {
    const store = tx.objectStore('blobs');
    const row = await req(store.get(sha256));
    if (row) await req(store.put({ ...row, ...changes }));
  });
}

