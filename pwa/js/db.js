/**
 * The phone's local database (IndexedDB). Server data (estates … inspections) is a copy kept by pull and may be
 * thrown away on a reset; the outbox, photo bytes (blobs), rejections, acknowledged changes kept for replay after
 * a restore (kept, replay_waiting) and photos the server refused (set_aside) are the phone's own and never are.
 */

const DB_NAME = 'estatewalk';
const DB_VERSION = 4;

/** Stores holding the copy of server data; a pull with `reset: true` clears exactly these. */
export const SERVER_STORES = [
  'estates', 'locations', 'members', 'issues', 'events', 'photos', 'inspections',
  'grades', 'rechecks', 'meetings', 'meeting_issues', 'grading_schemes', 'follows',
];

const INDEXES = {
  locations: ['estate_id'],
  members: ['estate_id'],
  issues: ['estate_id'],
  events: ['issue_id'],
  photos: ['issue_id'],
  inspections: ['estate_id'],
  grades: ['inspection_id'],
  rechecks: ['inspection_id', 'issue_id'],
  meetings: ['estate_id'],
  meeting_issues: ['meeting_id', 'issue_id'],
};

/** Stores created by version 3: the action plan's records (grades, re-checks, meetings) and what one follows. */
const VERSION_3_STORES = ['grades', 'rechecks', 'meetings', 'meeting_issues', 'grading_schemes', 'follows'];

let opening = null;

function createServerStore(db, name) {
  const store = db.createObjectStore(name, { keyPath: 'id' });
  for (const index of INDEXES[name] || []) store.createIndex(index, index);
}

function createVersion1(db) {
  db.createObjectStore('meta', { keyPath: 'key' });
  for (const name of SERVER_STORES.filter((n) => !VERSION_3_STORES.includes(n))) createServerStore(db, name);
  // Keyed by mutation number, so iteration order is send order.
  db.createObjectStore('outbox', { keyPath: 'id' });
  // Keyed by content hash: the same photo taken twice is stored and uploaded once.
  db.createObjectStore('blobs', { keyPath: 'sha256' });
  db.createObjectStore('rejections', { keyPath: 'id' });
}

export function openDatabase() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        const db = request.result;
        if (event.oldVersion < 1) createVersion1(db);
        // Version 2: small copies of photos taken on other phones, so timelines show them without signal.
        if (event.oldVersion < 2) db.createObjectStore('photo_copies', { keyPath: 'sha256' });
        if (event.oldVersion < 3) {
          for (const name of VERSION_3_STORES) createServerStore(db, name);
          // Grades, meetings… pulled before these stores existed were skipped: pull everything again.
          if (event.oldVersion >= 1) request.transaction.objectStore('meta').delete('cursor');
        }
        if (event.oldVersion < 4) {
          // Acknowledged mutations kept to be sent again after a server restore (js/replay.js), keyed by number.
          db.createObjectStore('kept', { keyPath: 'id' });
          // Replayed mutations the server refused for now, in the order they are to be tried again.
          db.createObjectStore('replay_waiting', { keyPath: 'seq', autoIncrement: true });
          // Photos the server refused as not an image: kept with the reason, never sent again by themselves.
          db.createObjectStore('set_aside', { keyPath: 'sha256' });
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab (or a new app version) wants to upgrade: step aside rather than block it.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('database upgrade blocked by another tab'));
    });
  }
  return opening;
}

/** Promise for one IDBRequest. Awaiting it inside a transaction keeps the transaction alive. */
export function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException('transaction aborted', 'AbortError'));
  });
}

/**
 * Run `work(tx)` in one read-write transaction over `stores`; resolves after the commit (so a caller never
 * reports "saved" for something still in flight). Inside `work`, await only IndexedDB requests: awaiting
 * anything else lets the transaction commit early.
 */
export async function write(stores, work) {
  const db = await openDatabase();
  const tx = db.transaction(stores, 'readwrite', { durability: 'strict' });
  const done = finished(tx);
  let result;
  try {
    result = await work(tx);
  } catch (error) {
    done.catch(() => {});
    try {
      tx.abort();
    } catch {
      // already finished
    }
    throw error;
  }
  await done;
  return result;
}

export async function read(stores, work) {
  const db = await openDatabase();
  const tx = db.transaction(stores, 'readonly');
  return work(tx);
}

export async function get(store, key) {
  return read([store], (tx) => req(tx.objectStore(store).get(key)));
}

export async function getAll(store, indexName, key) {
  return read([store], (tx) => {
    const source = indexName ? tx.objectStore(store).index(indexName) : tx.objectStore(store);
    return req(key === undefined ? source.getAll() : source.getAll(key));
  });
}

export async function count(store) {
  return read([store], (tx) => req(tx.objectStore(store).count()));
}

export async function getMeta(key, fallback = null) {
  const row = await get('meta', key);
  return row ? row.value : fallback;
}

export async function setMeta(key, value) {
  return write(['meta'], (tx) => req(tx.objectStore('meta').put({ key, value })));
}

/** Read a meta value inside an open transaction. */
export async function metaIn(tx, key, fallback = null) {
  const row = await req(tx.objectStore('meta').get(key));
  return row ? row.value : fallback;
}

export function putMetaIn(tx, key, value) {
  return req(tx.objectStore('meta').put({ key, value }));
}

/** This installation's id: made once, kept until sign-out, so the server can number its mutations. */
export async function clientId() {
  return write(['meta'], async (tx) => {
    let id = await metaIn(tx, 'client_id');
    if (!id) {
      id = crypto.randomUUID();
      await putMetaIn(tx, 'client_id', id);
    }
    return id;
  });
}

/** Forget everything (sign-out): the next user gets a fresh client id and an empty outbox. */
export async function wipe() {
  const db = await openDatabase();
  const names = Array.from(db.objectStoreNames);
  await write(names, async (tx) => {
    for (const name of names) await req(tx.objectStore(name).clear());
  });
}
