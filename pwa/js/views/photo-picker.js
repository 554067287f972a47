/** The photo control: take or pick photos, downscale them on the phone at once, preview, remove. */
import { h, uid } from '../dom.js';
import { t, formatBytes } from '../i18n.js';
import { preparePhoto } from '../photos.js';

/**
 * Returns `{node, photos, busy}`: `photos` is the live list of prepared photos; `busy()` resolves when every
 * picked file has been processed, so "Save" never races a photo still being downscaled.
 */
export function photoPicker({ label = t('report.photos') } = {}) {
  const photos = [];
  const urls = [];
  let pending = Promise.resolve();
  const id = uid('photos');
  const list = h('ul', { class: 'photo-previews', 'aria-live': 'polite' });
  const status = h('p', { class: 'hint', role: 'status' });

  const redraw = () => {
    urls.splice(0).forEach((url) => URL.revokeObjectURL(url));
    list.replaceChildren(
      ...photos.map((photo, i) => {
        const url = URL.createObjectURL(photo.blob);
        urls.push(url);
        return h(
          'li',
          { class: 'photo-preview', 'data-sha256': photo.sha256 },
          h('img', { src: url, alt: t('issue.photo_alt', { n: i + 1 }), width: 96, height: 96 }),
          h('span', { text: t('report.photo_ready', { n: i + 1, size: formatBytes(photo.byte_size) }) }),
          h('button', {
            type: 'button',
            class: 'link',
            text: t('report.photo_remove', { n: i + 1 }),
            onclick: () => {
              photos.splice(i, 1);
              redraw();
            },
          }),
        );
      }),
    );
  };

  const addFiles = (input) => {
    const files = Array.from(input.files || []);
    input.value = '';
    pending = pending.then(async () => {
      status.textContent = t('report.preparing');
      for (const file of files) {
        try {
          const photo = await preparePhoto(file);
          if (!photos.some((p) => p.sha256 === photo.sha256)) {
            photos.push({ ...photo, captured_at: new Date(file.lastModified || Date.now()).toISOString() });
          }
        } catch (error) {
          status.textContent = t('report.photo_failed', { reason: error.message });
          continue;
        }
        redraw();
      }
      if (status.textContent === t('report.preparing')) status.textContent = '';
    });
  };
  // Two inputs: with `capture`, Android opens the camera straight away but offers no gallery, so a photo taken
  // earlier (or with the camera app in a dark stairwell) needs the second one.
  const fileInput = (suffix, extra) =>
    h('input', {
      id: `${id}-${suffix}`,
      class: 'visually-hidden',
      type: 'file',
      accept: 'image/*',
      multiple: true,
      'aria-describedby': `${id}-hint`,
      ...extra,
      onchange: (event) => addFiles(event.target),
    });
  const camera = fileInput('camera', { capture: 'environment' });
  const gallery = fileInput('gallery', {});

  const node = h(
    'div',
    { class: 'field photo-picker', role: 'group', 'aria-labelledby': `${id}-label` },
    h('p', { class: 'picker-label', id: `${id}-label`, text: label }),
    h(
      'div',
      { class: 'actions' },
      h('span', { class: 'file-button' }, camera, h('label', { for: camera.id, class: 'button secondary', text: t('report.take_photo') })),
      h('span', { class: 'file-button' }, gallery, h('label', { for: gallery.id, class: 'button secondary', text: t('report.pick_photo') })),
    ),
    h('p', { class: 'hint', id: `${id}-hint`, text: t('report.photos_hint') }),
    status,
    list,
  );
  return {
    node,
    photos,
    busy: () => pending,
    clear: () => {
      photos.splice(0);
      redraw();
    },
  };
}

/** The mutations and blobs that attach prepared photos to an issue, for one atomic outbox write. */
export function photoChanges(issueId, photos) {
  return {
    mutations: photos.map((photo) => ({
      name: 'photo.attach',
      args: {
        id: crypto.randomUUID(),
        issue_id: issueId,
        sha256: photo.sha256,
        content_type: photo.content_type,
        byte_size: photo.byte_size,
        width: photo.width,
        height: photo.height,
        captured_at: photo.captured_at,
        caption: null,
      },
    })),
    blobs: photos.map((photo) => ({
      sha256: photo.sha256,
      blob: photo.blob,
      content_type: photo.content_type,
      byte_size: photo.byte_size,
    })),
  };
}
