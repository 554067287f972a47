/**
 * Change notifications within this tab and across tabs (and from the service worker's background sync), so
 * every open screen re-reads the local database when something changed.
 */

const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('estatewalk') : null;
const local = new EventTarget();

export function notifyChanged(what, detail = {}) {
  local.dispatchEvent(new CustomEvent('changed', { detail: { what, ...detail } }));
  channel?.postMessage({ type: 'changed', what, ...detail });
}

export function onChanged(listener) {
  const handler = (event) => listener(event.detail);
  local.addEventListener('changed', handler);
  const remote = (event) => {
    if (event.data?.type === 'changed') listener(event.data);
  };
  channel?.addEventListener('message', remote);
  return () => {
    local.removeEventListener('changed', handler);
    channel?.removeEventListener('message', remote);
  };
}
