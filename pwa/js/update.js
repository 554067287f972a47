/**
 * The service worker and its update path. A new version installs in the background and waits; the user is
 * offered it and, on accepting, the page reloads once under the new worker. An old page is never served a mix
 * of old and new files, because each version's worker answers only from its own cache.
 */
import { h, mount } from './dom.js';
import { t } from './i18n.js';

export async function watchForUpdates(banner) {
  if (!('serviceWorker' in navigator)) return;
  let registration;
  try {
    registration = await navigator.serviceWorker.register('./sw.js', { type: 'module', scope: './', updateViaCache: 'none' });
  } catch (error) {
    console.warn('service worker not registered', error);
    return;
  }
  const offer = (worker) => {
    mount(
      banner,
      h('p', { text: t('app.update_ready') }),
      h('button', {
        type: 'button',
        class: 'primary',
        text: t('app.update_now'),
        onclick: () => worker.postMessage({ type: 'skip-waiting' }),
      }),
    );
    banner.hidden = false;
  };
  // Only a page that already has a worker is "updating"; the very first install just takes over.
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
    });
  });
  let reloading = false;
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!hadController || reloading) return;
    reloading = true;
    location.reload();
  });
  // Check for a new version when the app comes back to the foreground, not only on navigation.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') registration.update().catch(() => {});
  });
}
