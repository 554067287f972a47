/**
 * A photo at full size in a modal dialog. Esc, the Close button, a tap beside the photo and the phone's Back
 * button all close it (Back because that is what people press on Android), and focus goes back to the photo.
 */
import { h } from '../dom.js';
import { t } from '../i18n.js';

export function showPhoto({ src, alt }) {
  const opener = document.activeElement;
  const close = h('button', { type: 'button', class: 'secondary', text: t('photo.close') });
  const dialog = h(
    'dialog',
    { class: 'photo-viewer', 'aria-label': alt },
    h('div', { class: 'photo-viewer-bar' }, close),
    h('img', { src, alt }),
  );
  document.body.append(dialog);
  // An entry of our own in the history, so Back closes the photo instead of leaving the issue.
  history.pushState({ photo: true }, '', location.href);
  let entryOurs = true;
  const onBack = () => {
    entryOurs = false;
    dialog.close();
  };
  addEventListener('popstate', onBack);
  dialog.addEventListener('close', () => {
    removeEventListener('popstate', onBack);
    dialog.remove();
    if (entryOurs && history.state?.photo) history.back();
    if (opener?.isConnected) opener.focus();
  });
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.showModal();
  close.focus();
  return dialog;
}
