/** Start-up: catalogue, service worker, layout, routes, sync triggers. */
import { loadCatalogue, remember, language, t } from './i18n.js';
import { h, mount } from './dom.js';
import { clientId, getMeta, setMeta } from './db.js';
import { onChanged } from './events.js';
import { currentUser, memberships } from './session.js';
import { startSyncScheduler } from './sync-scheduler.js';
import { renderStatus } from './views/status.js';
import { topbar, fitBars, closeMenu, watchBars } from './views/topbar.js';
import { jobsView } from './views/jobs.js';
import { signInView } from './views/signin.js';
import { issuesView } from './views/issues.js';
import { issueView } from './views/issue.js';
import { reportView } from './views/report.js';
import { inspectionsView, inspectionView, inspectionLocationView } from './views/inspect.js';
import { gradeView } from './views/grade.js';
import { walkSummaryView } from './views/walk-summary.js';
import { syncView } from './views/sync-panel.js';
import { plansView, newMeetingView, planView, planAddView } from './views/plans.js';
import { deskView } from './views/desk.js';
import { settingsView } from './views/settings.js';
import { passwordView, inviteView } from './views/account.js';
import { watchForUpdates } from './update.js';
import { recordChange, pendingMutations } from './outbox.js';

const ROUTES = [
  [/^\/signin$/, signInView, { public: true }],
  [/^\/issues$/, issuesView, { live: true }],
  [/^\/issue\/([\w-]+)$/, issueView, { live: true, keys: ['id'] }],
  [/^\/report$/, reportView, {}],
  [/^\/inspect$/, inspectionsView, { live: true }],
  [/^\/inspect\/([\w-]+)$/, inspectionView, { live: true, keys: ['id'] }],
  [/^\/inspect\/([\w-]+)\/at\/([\w-]+)$/, inspectionLocationView, { live: true, keys: ['id', 'location'] }],
  [/^\/inspect\/([\w-]+)\/at\/([\w-]+)\/grade\/([\w-]+)$/, gradeView, { keys: ['id', 'location', 'element'] }],
  [/^\/inspect\/([\w-]+)\/summary$/, walkSummaryView, { live: true, keys: ['id'] }],
  [/^\/sync$/, syncView, { live: true }],
  [/^\/jobs$/, jobsView, { live: true }],
  [/^\/plans$/, plansView, { live: true }],
  [/^\/plans\/new$/, newMeetingView, {}],
  [/^\/plan\/([\w-]+)$/, planView, { live: true, keys: ['id'] }],
  [/^\/plan\/([\w-]+)\/add$/, planAddView, { live: true, keys: ['id'] }],
  [/^\/desk$/, deskView, { live: true }],
  [/^\/settings$/, settingsView, { live: true }],
  [/^\/password$/, passwordView, {}],
  [/^\/invite\/([\w-]+)$/, inviteView, { public: true, keys: ['token'] }],
];

const main = () => document.getElementById('main');
let currentRoute = null;
let renderToken = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/issues';
  const [path, query = ''] = raw.split('?');
  return { path, query: Object.fromEntries(new URLSearchParams(query)) };
}

/** Navigate within the app. `replace` keeps filter changes out of the back-button history. */
export function go(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', `#${path}`);
  else history.pushState(null, '', `#${path}`);
  // A replaced entry is a filter change: keep focus on the control the user just used.
  render({ focusHeading: !replace, keepFocus: replace });
}

// A navigation asked for focus on the new heading; a background refresh that overtakes it must honour that.
let headingFocusOwed = false;

async function render({ focusHeading = true, keepFocus = false, background = false } = {}) {
  const token = ++renderToken;
  if (focusHeading) headingFocusOwed = true;
  const { path, query } = parseHash();
  const user = await currentUser();
  const match = ROUTES.map(([pattern, view, options]) => [pattern.exec(path), view, options]).find(([m]) => m);
  if (!user && (!match || !match[2].public)) {
    if (path !== '/signin') history.replaceState(null, '', '#/signin');
    return renderView(token, signInView, { query }, { public: true }, focusHeading, keepFocus, background);
  }
  if (!match) {
    history.replaceState(null, '', '#/issues');
    return render({ focusHeading });
  }
  const [found, view, options] = match;
  const params = { query };
  (options.keys || []).forEach((key, i) => {
    params[key] = found[i + 1];
  });
  return renderView(token, view, params, options, focusHeading, keepFocus, background);
}

async function renderView(token, view, params, options, focusHeading, keepFocus, background = false) {
  const ctx = {
    user: await currentUser(),
    memberships: await memberships(),
    go,
    refresh: () => render({ focusHeading: false, keepFocus: true }),
    changeLanguage,
  };
  const node = await view(ctx, params);
  if (token !== renderToken) return; // a newer navigation won
  // The user began typing while a background refresh was being drawn: their words win, the refresh waits.
  if (background && main().querySelector('form[data-dirty]')) return;
  const focusKey = keepFocus ? focusKeyOf(document.activeElement) : null;
  // A background refresh must not fold away what the user just unfolded (or unfold what they folded).
  const folds = keepFocus ? [...main().querySelectorAll('details[id]')].map((d) => [d.id, d.open]) : [];
  currentRoute = { options };
  mount(main(), node);
  for (const [id, open] of folds) {
    const fold = document.getElementById(id);
    if (fold?.tagName === 'DETAILS') fold.open = open;
  }
  updateNavigation(ctx.user, ctx.memberships);
  main().querySelector('h2')?.setAttribute('tabindex', '-1');
  const refocus = !headingFocusOwed && focusKey && document.querySelector(focusKey);
  if (refocus) {
    refocus.focus();
  } else if (headingFocusOwed) {
    headingFocusOwed = false;
    // Move focus to the new screen's heading so screen-reader users hear where they are.
    const heading = main().querySelector('h2');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: false });
    }
  }
}

/**
 * A selector that finds "the same" control after a re-render: its id, or the issue it links to. A background
 * refresh must not throw a keyboard or screen-reader user back to the top of the page.
 */
function focusKeyOf(element) {
  if (!element || element === document.body) return null;
  if (element.matches('main h2')) return 'main h2';
  if (element.id) return `#${CSS.escape(element.id)}`;
  const issue = element.getAttribute('data-issue-id');
  if (issue) return `${element.tagName.toLowerCase()}[data-issue-id="${CSS.escape(issue)}"]`;
  return null;
}

let navigatedPath = null;

function updateNavigation(user, membershipList = []) {
  const nav = document.getElementById('nav');
  const { path } = parseHash();
  const roles = new Set(membershipList.map((m) => m.role));
  const items = [
    ['/issues', 'nav.issues'],
    // Contractors work on jobs assigned to them; they do not walk estates.
    roles.has('contractor') ? ['/jobs', 'nav.jobs'] : null,
    roles.size === 1 && roles.has('contractor') ? null : ['/inspect', 'nav.inspect'],
    ['/plans', 'nav.plans', { current: ['/plans', '/plan/'], forPlanKeepers: true }],
    // The desk view is for office screens: the menu offers it from 1024 px wide (styles.css).
    ['/desk', 'nav.desk', { className: 'desk-only', forPlanKeepers: true }],
    ['/sync', 'nav.sync'],
    ['/settings', 'nav.settings'],
  ].filter(Boolean);
  // Action plans and the desk are staff's and TRA reps' (a contractor sees their jobs instead).
  const keepsPlans = membershipList.some((m) => m.role === 'staff' || m.role === 'tra_rep');
  const shown = items.filter(([, , { forPlanKeepers = false } = {}]) => keepsPlans || !forPlanKeepers);
  mount(
    nav,
    user
      ? h(
          'ul',
          {},
          shown.map(([href, key, { className = null, current = [href] } = {}]) =>
            h(
              'li',
              { class: className },
              h('a', { href: `#${href}`, 'aria-current': current.some((p) => path.startsWith(p)) ? 'page' : null, text: t(key) }),
            ),
          ),
        )
      : null,
  );
  // A choice made from the folded menu folds it again; a background refresh leaves it as it is.
  if (path !== navigatedPath) closeMenu();
  navigatedPath = path;
  fitBars();
}

/** Re-render a live screen after data changed, unless the user is in the middle of typing in a form. */
function refreshIfIdle() {
  if (!currentRoute?.options.live) return;
  if (main().querySelector('form[data-dirty]')) return;
  render({ focusHeading: false, keepFocus: true, background: true });
}

let refreshTimer = null;
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshIfIdle, 150);
}

function layout() {
  document.title = t('app.name');
  mount(
    document.body,
    h('a', { class: 'skip', href: '#main', text: t('app.skip'), onclick: (e) => { e.preventDefault(); main().focus(); } }),
    topbar(),
    h('section', { id: 'status', class: 'status', 'aria-label': t('status.region') }),
    h('div', { id: 'update', class: 'update', hidden: true }),
    h('main', { id: 'main', tabindex: '-1' }),
    h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' }),
  );
}

/**
 * Switch the whole app to another language. Signed in, the choice is also a `person.language` change, so it
 * syncs to the profile (e-mails and PDFs follow it) and to the person's other phones; it is saved here at once,
 * offline or not. The page then reloads (from the service worker's cache, so offline too): every bar, label and
 * module-held text is drawn afresh in the new language, rather than some of it lingering in the old one.
 */
export async function changeLanguage(code, { save = true, then = null, focusPicker = true } = {}) {
  remember(code);
  const user = await currentUser();
  if (save && user && (await getMeta('language')) !== code) {
    await recordChange('person.language', { language: code });
  }
  try {
    // After the reload, focus goes back to the picker, so a keyboard or screen-reader user is not lost.
    if (focusPicker) sessionStorage.setItem('estatewalk.focus-language', '1');
  } catch {
    // No session storage: focus starts at the top, as on any page load.
  }
  if (then) history.replaceState(null, '', `#${then}`);
  location.reload();
  // The page is going away; nothing after this should run.
  return new Promise(() => {});
}

/** The profile's language arrived from the server (another phone chose, or a fresh sign-in): follow it. */
async function followProfileLanguage() {
  const code = await getMeta('language');
  // A choice made here and not yet sent wins over the older one the server still has.
  if (!code || code === language() || (await pendingMutations()).some((m) => m.name === 'person.language')) return;
  await changeLanguage(code, { save: false, focusPicker: false });
}

async function start() {
  await loadCatalogue();
  layout();
  await clientId();
  watchForUpdates(document.getElementById('update'));
  onChanged((change) => {
    renderStatus(document.getElementById('status'), change);
    if (change.what === 'language') followProfileLanguage();
    if (['data', 'outbox', 'recorded', 'rejections'].includes(change.what)) scheduleRefresh();
  });
  addEventListener('online', () => renderStatus(document.getElementById('status')));
  addEventListener('offline', () => renderStatus(document.getElementById('status')));
  addEventListener('hashchange', () => render());
  await renderStatus(document.getElementById('status'));
  watchBars();
  await render({ focusHeading: false });
  try {
    if (sessionStorage.getItem('estatewalk.focus-language')) {
      sessionStorage.removeItem('estatewalk.focus-language');
      document.getElementById('language')?.focus();
    }
  } catch {
    // No session storage: nothing to restore.
  }
  startSyncScheduler();
  document.documentElement.dataset.ready = 'true';
}

start();
