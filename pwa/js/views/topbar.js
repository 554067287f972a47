/**
 * The header and its menu. With the sync bar below it, the header must leave at least two thirds of the screen
 * to the page itself; with large text on a small phone the menu folds behind a "Menu" button (see fitBars).
 * Folding is decided by measuring, not by screen width, because the browser's text size changes what fits.
 */
import { h } from '../dom.js';
import { t } from '../i18n.js';

let bar = null;
let toggle = null;

function setOpen(open) {
  bar.classList.toggle('open', open);
  toggle.setAttribute('aria-expanded', String(open));
}

/** The header element: brand, the menu button (shown only when folded) and the navigation. */
export function topbar() {
  toggle = h('button', {
    type: 'button',
    class: 'menu-toggle secondary',
    id: 'menu-toggle',
    'aria-expanded': 'false',
    'aria-controls': 'nav',
    text: t('nav.menu'),
    onclick: () => setOpen(!bar.classList.contains('open')),
  });
  bar = h(
    'header',
    { class: 'topbar' },
    h(
      'p',
      { class: 'brand' },
      h('img', { src: './icons/icon.svg', alt: '', width: 32, height: 32 }),
      h('span', { class: 'brand-name', text: t('app.name') }),
    ),
    toggle,
    h('nav', { id: 'nav', 'aria-label': t('nav.label') }),
  );
  bar.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && bar.classList.contains('open')) {
      setOpen(false);
      toggle.focus();
    }
  });
  return bar;
}

/** Items on a row below the first item's row mean the row wrapped. */
function wraps(items) {
  const rects = items.filter((el) => el && el.offsetParent !== null).map((el) => el.getBoundingClientRect());
  return rects.some((rect) => rect.top >= rects[0].bottom - 1);
}

/**
 * Choose the least folded header and sync bar that together take at most a third of the screen: first the sync
 * bar drops what can wait for the Sync page (its parts marked "long"), then the menu folds behind "Menu", and
 * if the app's name and "Menu" still do not fit on one row, the name hides behind its icon. Cheap enough to run
 * after every render.
 */
export function fitBars() {
  if (!bar) return;
  const status = document.getElementById('status');
  const brand = bar.querySelector('.brand');
  const budget = innerHeight / 3;
  const used = () => bar.getBoundingClientRect().height + (status ? status.getBoundingClientRect().height : 0);
  const steps = [
    () => {},
    () => status?.classList.add('tight'),
    () => {
      status?.classList.remove('tight');
      bar.classList.add('folded');
      if (wraps([brand, toggle])) bar.classList.add('tight');
    },
    () => status?.classList.add('tight'),
  ];
  bar.classList.remove('folded', 'tight');
  status?.classList.remove('tight');
  for (const step of steps) {
    step();
    if (used() <= budget) break;
  }
  if (!bar.classList.contains('folded')) setOpen(false);
}

/** Fold the menu away again after a choice was made from it. */
export function closeMenu() {
  if (bar && toggle) setOpen(false);
}

/** Fit now and whenever the window or the text size changes. */
export function watchBars() {
  const fit = () => fitBars();
  addEventListener('resize', fit);
  // Text size changes no window size; the page's own box changes with it.
  if (typeof ResizeObserver === 'function') new ResizeObserver(fit).observe(document.documentElement);
  fit();
}
