/** A short confirmation ("saved on this phone") that screen readers announce. */
import { t } from './i18n.js';

export function toast(message) {
  const node = document.getElementById('toast');
  if (!node) return;
  node.textContent = message;
  node.classList.add('visible');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => node.classList.remove('visible'), 5000);
}

/** "Saved", with what happens next: sent now when there is a connection, later when there is not. */
export function savedText() {
  return navigator.onLine ? t('issue.saved_sending') : t('issue.saved');
}
