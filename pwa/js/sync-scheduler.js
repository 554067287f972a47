/**
 * When to sync, from a page: at start, when the network returns, when the app comes back to the foreground,
 * after every local change, on a timer with backoff, and when the user presses "Sync now". Background Sync
 * (Chromium only) covers the case where the app was closed before the network came back.
 */
import { syncOnce } from './sync.js';
import { queueSummary } from './outbox.js';
import { onChanged } from './events.js';

const BASE_DELAY_MS = 15_000;
const MAX_DELAY_MS = 10 * 60_000;
// While the app is open on screen, other phones' changes arrive within a minute without a tap: one small pull
// every half minute. Hidden or offline, no timer runs at all: coming back to the app or to the network syncs.
const VISIBLE_PULL_MS = 30_000;
const IDLE_PULL_MS = 5 * 60_000;

let timer = null;
let running = null;
let again = false;
let failures = 0;

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(onTimer, delay);
}

async function onTimer() {
  // 'online' and 'visibilitychange' start the next round; a hidden app still sends what waits to be sent.
  if (!navigator.onLine) return;
  if (document.visibilityState !== 'visible') {
    const summary = await queueSummary();
    if (!summary.changes && !summary.photos) return;
  }
  requestSync('timer');
}

function idleDelay() {
  return document.visibilityState === 'visible' ? VISIBLE_PULL_MS : IDLE_PULL_MS;
}

async function registerBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    if (registration && 'sync' in registration) await registration.sync.register('estatewalk-outbox');
  } catch {
    // Not offered (other browsers, or permission withheld): the other triggers still work.
  }
}

/** Start a round now, or right after the running one. Resolves when the round it joined has ended. */
export function requestSync(reason = 'manual') {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let result;
    do {
      again = false;
      result = await syncOnce();
    } while (again);
    const summary = await queueSummary();
    if (result.ran && result.ok) {
      failures = 0;
      schedule(summary.changes || summary.photos ? BASE_DELAY_MS : idleDelay());
    } else if (result.ran) {
      failures += 1;
      // Doubling with jitter, so a whole estate's phones do not retry in step when the server comes back.
      const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (failures - 1));
      schedule(delay * (0.75 + Math.random() * 0.5));
      if (summary.changes || summary.photos) registerBackgroundSync();
    } else {
      schedule(BASE_DELAY_MS);
    }
    return { reason, ...result };
  })().finally(() => {
    running = null;
  });
  return running;
}

export function isSyncing() {
  return running !== null;
}

export function startSyncScheduler() {
  addEventListener('online', () => requestSync('online'));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') requestSync('visible');
  });
  onChanged((change) => {
    if (change.what !== 'recorded') return;
    // A short pause lets a defect and its photos, saved together, go in one push.
    if (navigator.onLine) schedule(500);
    registerBackgroundSync();
  });
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type === 'sync-requested') requestSync('service-worker');
  });
  requestSync('start');
}
