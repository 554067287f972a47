/**
 * The service worker only caches the app shell and wakes the sync loop. Each version precaches every shell file
 * into its own cache before it may take over, and answers only from that cache, so a page is never served half
 * old and half new files. It never touches /api/*: data lives in IndexedDB, and sessions must not be cached.
 */
import { syncOnce } from './js/sync.js';

// Bump on every release; bench/pwa_shell_size.py and the shell test read the list below.
const VERSION = '2026-12-07.7';
const CACHE = `estatewalk-shell-${VERSION}`;
const SHELL = [
  './',
  './index.html',
  './manifest.json',
  './styles.css',
  './i18n/en.json',
  './icons/icon.svg',
  './icons/icon-192.png',
  './icons/icon-512.png',
  './icons/icon-maskable-512.png',
  './js/api.js',
  './js/app.js',
  './js/db.js',
  './js/dom.js',
  './js/estate-choice.js',
  './js/events.js',
  './js/hlc.js',
  './js/i18n.js',
  './js/local-apply.js',
  './js/outbox.js',
  './js/photos.js',
  './js/plan.js',
  './js/rejections.js',
  './js/replay.js',
  './js/rules.js',
  './js/session.js',
  './js/sync-scheduler.js',
  './js/sync.js',
  './js/toast.js',
  './js/tus.js',
  './js/update.js',
  './js/walk.js',
  './js/workflow.js',
  './js/views/account.js',
  './js/views/card-extras.js',
  './js/views/common.js',
  './js/views/desk.js',
  './js/views/follow.js',
  './js/views/grade.js',
  './js/views/inspect.js',
  './js/views/issue-notices.js',
  './js/views/issue-plan.js',
  './js/views/issue-status.js',
  './js/views/issue-tidy.js',
  './js/views/issue.js',
  './js/views/issues.js',
  './js/views/jobs.js',
  './js/views/language-picker.js',
  './js/views/location-picker.js',
  './js/views/photo-picker.js',
  './js/views/photo-viewer.js',
  './js/views/plans.js',
  './js/views/report.js',
  './js/views/settings.js',
  './js/views/signin.js',
  './js/views/status.js',
  './js/views/sync-panel.js',
  './js/views/topbar.js',
  './js/views/walk-summary.js',
];

// The other languages' catalogues (English is in the shell). Fetched into the same cache at install, so a person
// can switch language in a stairwell with no signal; one that fails to arrive does not stop the install (it is
// fetched and kept on first use instead). bench/pwa_shell_size.py counts them apart from the shell.
const CATALOGUES = [
  './i18n/tr.json',
  './i18n/kmr.json',
  './i18n/ckb.json',
  './i18n/vi.json',
  './i18n/so.json',
  './i18n/zh-Hans.json',
];

self.addEventListener('install', (event) => {
  // cache: 'reload' skips the HTTP cache, so a new version never precaches a stale copy of an old file.
  event.waitUntil(
    caches.open(CACHE).then(async (cache) => {
      await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
      await Promise.allSettled(CATALOGUES.map((url) => cache.add(new Request(url, { cache: 'reload' }))));
    }),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('estatewalk-shell-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  // The page asks for this only after the user accepted the new version.
  if (event.data?.type === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || event.request.method !== 'GET') return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/schema')) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      if (event.request.mode === 'navigate') {
        return (await cache.match('./index.html')) || fetch(event.request);
      }
      const cached = await cache.match(event.request, { ignoreVary: true });
      if (cached) return cached;
      const response = await fetch(event.request);
      // A catalogue that missed the install is kept once fetched, so that language works offline from then on.
      if (response.ok && url.pathname.includes('/i18n/')) await cache.put(event.request, response.clone());
      return response;
    })(),
  );
});

// Background Sync (Chromium): the network came back while no page was open, or the page was in the background.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'estatewalk-outbox') return;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      if (windows.length) {
        // An open page runs the loop itself and shows progress; it holds the Web Lock either way.
        windows.forEach((client) => client.postMessage({ type: 'sync-requested' }));
        return;
      }
      const result = await syncOnce();
      // Throwing asks the browser to retry later with its own backoff.
      if (result.ran && !result.ok) throw result.error;
    })(),
  );
});
