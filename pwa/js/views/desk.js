/**
 * The desk view: the same app on an office screen (the menu shows it from 1024 px wide). The joint issue list as
 * a table that sorts and filters (estate, status, owner, overdue, location), each estate's figures as the
 * server's dashboard counts them, the action plans, and the server's printable pages, CSV and PDFs.
 *
 * Everything on screen comes from the local copy, so it works offline too; only the server's own pages (links)
 * need a connection. Below desk width the table turns into cards (styles.css, `.data-table`).
 */
import { h, field, select } from '../dom.js';
import { t, formatDate, formatDateTime, writtenIn } from '../i18n.js';
import { getAll } from '../db.js';
import { roleOn } from '../session.js';
import { estateCounts, reportRow } from '../plan.js';
import { estatesFor, locationsFor, statusLabel, isOpen, STATUSES } from './common.js';
import { loadPlan, planEstates } from './plans.js';

const REPORT_ROLES = new Set(['staff', 'tra_rep']);

const COLUMNS = [
  { key: 'estate', label: 'desk.col_estate', multiEstate: true },
  { key: 'title', label: 'desk.col_issue' },
  { key: 'status', label: 'desk.col_status' },
  { key: 'owner', label: 'desk.col_owner' },
  { key: 'due', label: 'desk.col_due' },
  { key: 'overdue', label: 'desk.col_overdue' },
  { key: 'location', label: 'desk.col_location' },
  { key: 'updated', label: 'desk.col_updated' },
];

/** Sort values: names and labels as people read them, dates as dates; null when there is none. */
function sortValue(row, key) {
  switch (key) {
    case 'status': return STATUSES.indexOf(row.issue.status);
    case 'due': return row.issue.due_date || null;
    case 'overdue': return row.overdue ? 0 : 1;
    case 'updated': return row.changed || 0;
    default: return String(row[key] || '').toLocaleLowerCase();
  }
}

function compare(a, b) {
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), undefined, { numeric: true });
}

function matches(row, filters) {
  const { issue } = row;
  if (filters.estate && issue.estate_id !== filters.estate) return false;
  if (filters.status === 'open' && !isOpen(issue)) return false;
  if (filters.status && filters.status !== 'open' && issue.status !== filters.status) return false;
  if (filters.owner === 'none' && issue.owner_id) return false;
  if (filters.owner && filters.owner !== 'none' && issue.owner_id !== filters.owner) return false;
  if (filters.location && issue.location_id !== filters.location) return false;
  if (filters.overdue === '1' && !row.overdue) return false;
  return true;
}

function issuesTable(rows, filters, sortBy, multiEstate, apply) {
  const columns = COLUMNS.filter((column) => !column.multiEstate || multiEstate);
  const header = (column) => {
    const active = sortBy.key === column.key;
    return h(
      'th',
      { scope: 'col', 'aria-sort': active ? (sortBy.dir === 'desc' ? 'descending' : 'ascending') : null },
      h('button', {
        type: 'button',
        class: 'sort',
        id: `sort-${column.key}`,
        text: t(column.label),
        onclick: () => apply({ sort: column.key, dir: active && sortBy.dir === 'asc' ? 'desc' : 'asc' }),
      }),
    );
  };
  const cell = (column, row) => {
    const label = t(column.label);
    switch (column.key) {
      case 'title':
        return h('td', { 'data-label': label }, h('a', { href: `#/issue/${row.issue.id}`, 'data-issue-id': row.issue.id, ...writtenIn(row.issue.written_in), text: row.issue.title }));
      case 'status':
        return h('td', { 'data-label': label }, h('span', { class: `badge status-${row.issue.status}`, text: statusLabel(row.issue.status) }));
      case 'due':
        return h('td', { 'data-label': label, text: row.issue.due_date ? formatDate(row.issue.due_date) : t('issue.none') });
      case 'overdue':
        return h('td', { 'data-label': label }, row.overdue ? h('span', { class: 'flag', text: t('desk.overdue_yes') }) : t('issue.none'));
      case 'updated':
        return h('td', { 'data-label': label, text: row.changed ? formatDateTime(row.changed) : t('issue.none') });
      default:
        return h('td', { 'data-label': label, text: row[column.key] || t('issue.none') });
    }
  };
  return h(
    'table',
    { class: 'data-table desk-table', id: 'desk-issues' },
    h('caption', { class: 'visually-hidden', text: t('desk.issues_caption', { count: rows.length }) }),
    h('thead', {}, h('tr', {}, columns.map(header))),
    h('tbody', {}, rows.map((row) => h('tr', { class: row.overdue ? 'overdue' : '', 'data-issue-id': row.issue.id }, columns.map((column) => cell(column, row))))),
  );
}

function dashboardSection(estates, issues, online) {
  return h(
    'section',
    { 'aria-labelledby': 'desk-dashboard-h', id: 'desk-dashboard' },
    h('h3', { id: 'desk-dashboard-h', text: t('desk.dashboard') }),
    h(
      'div',
      { class: 'estate-figures' },
      estates.map((estate) => {
        const counts = estateCounts(issues.filter((issue) => issue.estate_id === estate.id));
        return h(
          'div',
          { class: 'card', 'data-estate-id': estate.id },
          h('h4', { text: estate.name }),
          h(
            'dl',
            { class: 'figures' },
            [
              [t('desk.open'), counts.open],
              [t('desk.overdue'), counts.overdue],
              [t('desk.resolved'), t('desk.of_total', { count: counts.resolved, total: counts.total })],
              [t('desk.confirmed'), counts.confirmed],
            ].map(([term, value]) => h('div', {}, h('dt', { text: term }), h('dd', { text: String(value) }))),
          ),
          online
            ? h(
                'p',
                { class: 'links' },
                h('a', { href: `/api/estates/${estate.id}/dashboard.html`, target: '_blank', rel: 'noopener', text: t('desk.dashboard_page') }),
                ' · ',
                h('a', { href: `/api/estates/${estate.id}/issues.csv`, download: '', text: t('desk.csv') }),
              )
            : h('p', { class: 'muted', text: t('desk.links_online') }),
        );
      }),
    ),
  );
}

async function plansSection(estates, online) {
  const wanted = new Set(estates.map((e) => e.id));
  const names = new Map(estates.map((e) => [e.id, e.name]));
  const meetings = (await getAll('meetings')).filter((m) => wanted.has(m.estate_id)).sort((a, b) => String(b.date).localeCompare(String(a.date)));
  const rows = await Promise.all(meetings.map(async (meeting) => ({ meeting, counts: (await loadPlan(meeting)).counts })));
  const label = (key) => ({ 'data-label': t(key) });
  return h(
    'section',
    { 'aria-labelledby': 'desk-plans-h', id: 'desk-plans' },
    h('h3', { id: 'desk-plans-h', text: t('desk.plans') }),
    rows.length
      ? h(
          'table',
          { class: 'data-table', id: 'desk-plan-table' },
          h('caption', { class: 'visually-hidden', text: t('desk.plans') }),
          h(
            'thead',
            {},
            h('tr', {}, ['desk.col_meeting', 'desk.col_estate', 'desk.col_date', 'desk.col_progress', 'desk.col_overdue', 'desk.col_print'].map((key) => h('th', { scope: 'col', text: t(key) }))),
          ),
          h(
            'tbody',
            {},
            rows.map(({ meeting, counts }) =>
              h(
                'tr',
                { 'data-meeting-id': meeting.id },
                h('td', label('desk.col_meeting'), h('a', { href: `#/plan/${meeting.id}`, text: meeting.title })),
                h('td', { ...label('desk.col_estate'), text: names.get(meeting.estate_id) || '' }),
                h('td', { ...label('desk.col_date'), text: formatDate(meeting.date) }),
                h('td', { ...label('desk.col_progress'), class: 'plan-figures', text: t('plans.resolved', { resolved: counts.resolved, total: counts.total }) }),
                h('td', { ...label('desk.col_overdue'), class: 'plan-overdue', text: String(counts.overdue) }),
                h(
                  'td',
                  label('desk.col_print'),
                  online && !meeting.pending
                    ? [
                        h('a', { href: `/api/meetings/${meeting.id}/action-plan.html`, target: '_blank', rel: 'noopener', text: t('plans.printable') }),
                        ' · ',
                        h('a', { href: `/api/meetings/${meeting.id}/action-plan.pdf`, download: '', text: t('plans.pdf') }),
                      ]
                    : h('span', { class: 'muted', text: meeting.pending ? t('plans.print_after_sync') : t('desk.links_online') }),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted', text: t('plans.none') }),
    h('p', {}, h('a', { class: 'button secondary', href: '#/plans/new', text: t('plans.new') })),
  );
}

export async function deskView(ctx, { query }) {
  const allEstates = await estatesFor(ctx);
  const estates = allEstates.filter((estate) => REPORT_ROLES.has(roleOn(ctx.memberships, estate.id)));
  if (!estates.length) {
    return h('section', { class: 'screen' }, h('h2', { text: t('desk.title') }), h('p', { text: t('desk.not_allowed') }));
  }
  const filters = { status: 'open', ...query };
  const sortBy = { key: COLUMNS.some((c) => c.key === query.sort) ? query.sort : 'due', dir: query.dir === 'desc' ? 'desc' : 'asc' };
  const wanted = new Set(estates.map((e) => e.id));
  const [issues, members, places, events] = await Promise.all([getAll('issues'), getAll('members'), locationsFor(filters.estate), getAll('events')]);
  const locations = places.filter((l) => wanted.has(l.estate_id));
  const mine = issues.filter((issue) => wanted.has(issue.estate_id));
  const estateNames = new Map(estates.map((e) => [e.id, e.name]));
  const names = new Map(members.map((m) => [m.user_id, m.name]));
  const locationNames = new Map(locations.map((l) => [l.id, l.label]));
  const byId = new Map(mine.map((issue) => [issue.id, issue]));
  const changed = lastChanges(events);
  const rows = mine
    .filter((issue) => !issue.withdrawn && !issue.merged_into)
    .map((issue) => {
      const row = reportRow(issue, byId);
      return {
        issue,
        overdue: row.overdue,
        estate: estateNames.get(issue.estate_id),
        title: issue.title,
        owner: issue.owner_id ? names.get(issue.owner_id) : '',
        location: issue.location_id ? locationNames.get(issue.location_id) : '',
        changed: changed.get(issue.id) || Date.parse(issue.captured_at) || null,
      };
    })
    .filter((row) => matches(row, filters));
  const direction = sortBy.dir === 'desc' ? -1 : 1;
  rows.sort((a, b) => {
    const [x, y] = [sortValue(a, sortBy.key), sortValue(b, sortBy.key)];
    // Rows without a value (no due date) come last whichever way the column is sorted.
    if (x === null || y === null) return (x === null) - (y === null) || a.title.localeCompare(b.title);
    return compare(x, y) * direction || a.title.localeCompare(b.title);
  });

  const apply = (changes) => {
    const next = { ...filters, ...changes };
    if (changes.estate !== undefined) next.location = '';
    const search = new URLSearchParams(Object.entries(next).filter(([, v]) => v !== '' && v !== undefined));
    ctx.go(`/desk?${search}`, { replace: true });
  };
  const any = ['', t('issues.any')];
  const staff = [...new Map(members.filter((m) => m.role === 'staff' && wanted.has(m.estate_id)).map((m) => [m.user_id, m.name])).entries()]
    .sort((a, b) => a[1].localeCompare(b[1]));
  const multiEstate = estates.length > 1;
  const online = navigator.onLine;
  return h(
    'section',
    // Which filters and order this drawing shows: a screen reader's "n issues" and the tests wait for it.
    { class: 'screen desk', 'data-drawn-for': location.hash },
    h('h2', { text: t('desk.title') }),
    h(
      'nav',
      { class: 'in-page', 'aria-label': t('desk.sections') },
      h('a', { href: '#/desk', onclick: jumpTo('desk-issues-h'), text: t('desk.issues') }),
      h('a', { href: '#/desk', onclick: jumpTo('desk-dashboard-h'), text: t('desk.dashboard') }),
      h('a', { href: '#/desk', onclick: jumpTo('desk-plans-h'), text: t('desk.plans') }),
    ),
    h(
      'section',
      { 'aria-labelledby': 'desk-issues-h' },
      h('h3', { id: 'desk-issues-h', text: t('desk.issues') }),
      h(
        'div',
        { class: 'filter-grid desk-filters' },
        multiEstate
          ? field(t('issues.estate'), select([any, ...estates.map((e) => [e.id, e.name])], filters.estate || '', { id: 'desk-estate', onchange: (e) => apply({ estate: e.target.value }) }))
          : null,
        field(
          t('issues.status'),
          select([any, ['open', t('issues.open')], ...STATUSES.map((s) => [s, statusLabel(s)])], filters.status || '', { id: 'desk-status', onchange: (e) => apply({ status: e.target.value }) }),
        ),
        field(
          t('desk.owner'),
          select([any, ['none', t('desk.no_owner')], ...staff], filters.owner || '', { id: 'desk-owner', onchange: (e) => apply({ owner: e.target.value }) }),
        ),
        field(
          t('issues.location'),
          select([any, ...locations.map((l) => [l.id, multiEstate && !filters.estate ? `${l.label} (${estateNames.get(l.estate_id) || ''})` : l.label])], filters.location || '', {
            id: 'desk-location',
            onchange: (e) => apply({ location: e.target.value }),
          }),
        ),
        h(
          'div',
          { class: 'check' },
          h('input', { type: 'checkbox', id: 'desk-overdue', checked: filters.overdue === '1', onchange: (e) => apply({ overdue: e.target.checked ? '1' : '' }) }),
          h('label', { for: 'desk-overdue', text: t('desk.only_overdue') }),
        ),
      ),
      h('p', { class: 'count', id: 'desk-count', 'aria-live': 'polite', text: t('issues.count', { count: rows.length }) }),
      rows.length ? issuesTable(rows, filters, sortBy, multiEstate, apply) : h('p', { class: 'muted', text: t('issues.none') }),
    ),
    dashboardSection(estates, mine, online),
    await plansSection(planEstates(ctx, estates), online),
  );
}

/**
 * When each issue last changed: the clock stamp of its latest timeline event (when the change was made, as the
 * server's reports say), not when a phone happened to sync it.
 */
function lastChanges(events) {
  const latest = new Map();
  for (const event of events) {
    const millis = Number(/^(\d{15}):/.exec(event.at || '')?.[1] || 0);
    if (millis > (latest.get(event.issue_id) || 0)) latest.set(event.issue_id, millis);
  }
  return latest;
}

/** In-page links that move focus too (the hash is the app's route, so plain #fragments cannot be used). */
function jumpTo(id) {
  return (event) => {
    event.preventDefault();
    const target = document.getElementById(id);
    target?.setAttribute('tabindex', '-1');
    target?.focus();
  };
}
