/** The joint issue list, the same for staff and TRA reps, with filters that work offline. */
import { h, field, select } from '../dom.js';
import { t } from '../i18n.js';
import { getAll } from '../db.js';
import { isOverdue } from '../workflow.js';
import { defaultEstate } from '../estate-choice.js';
import { cardExtras } from './card-extras.js';
import {
  CATEGORIES, STATUSES, estatesFor, locationsFor, categoryLabel, statusLabel, isOpen, issueCard, priorityRank,
} from './common.js';

function matches(issue, filters, userId) {
  if (issue.withdrawn || issue.merged_into) return false;
  if (filters.location && issue.location_id !== filters.location) return false;
  if (filters.status === 'open' && !isOpen(issue)) return false;
  if (filters.status && filters.status !== 'open' && issue.status !== filters.status) return false;
  if (filters.category && issue.category !== filters.category) return false;
  if (filters.mine === '1' && issue.raised_by !== userId) return false;
  if (filters.confirm === '1' && issue.status !== 'fixed') return false;
  if (filters.overdue === '1' && !isOverdue(issue)) return false;
  return true;
}

export async function issuesView(ctx, { query }) {
  const estates = await estatesFor(ctx);
  const filters = { status: 'open', ...query };
  if (!filters.estate && estates.length === 1) filters.estate = estates[0].id;
  const locations = await locationsFor(filters.estate);
  const locationNames = new Map(locations.map((l) => [l.id, l.label]));
  const all = filters.estate ? await getAll('issues', 'estate_id', filters.estate) : await getAll('issues');
  const shown = all
    .filter((issue) => matches(issue, filters, ctx.user.id))
    .sort(
      (a, b) =>
        priorityRank(b.priority) - priorityRank(a.priority) ||
        String(b.updated_at || b.captured_at || '').localeCompare(String(a.updated_at || a.captured_at || '')),
    );

  const extrasFor = await cardExtras(ctx, shown);
  const apply = (changes) => {
    const next = { ...filters, ...changes };
    if (changes.estate !== undefined) next.location = '';
    const search = new URLSearchParams(Object.entries(next).filter(([, v]) => v !== '' && v !== undefined));
    ctx.go(`/issues?${search}`, { replace: true });
  };
  const any = ['', t('issues.any')];
  const estateSelect = select([any, ...estates.map((e) => [e.id, e.name])], filters.estate || '', {
    id: 'filter-estate',
    onchange: (e) => apply({ estate: e.target.value }),
  });
  const locationSelect = select([any, ...locations.map((l) => [l.id, l.label])], filters.location || '', {
    id: 'filter-location',
    onchange: (e) => apply({ location: e.target.value }),
  });
  const statusSelect = select(
    [any, ['open', t('issues.open')], ...STATUSES.map((s) => [s, statusLabel(s)])],
    filters.status || '',
    { id: 'filter-status', onchange: (e) => apply({ status: e.target.value }) },
  );
  const categorySelect = select([any, ...CATEGORIES.map((c) => [c, categoryLabel(c)])], filters.category || '', {
    id: 'filter-category',
    onchange: (e) => apply({ category: e.target.value }),
  });
  const toggle = (id, key, label) =>
    h(
      'div',
      { class: 'check' },
      h('input', {
        type: 'checkbox',
        id,
        checked: filters[key] === '1',
        onchange: (e) => apply({ [key]: e.target.checked ? '1' : '' }),
      }),
      h('label', { for: id, text: label }),
    );

  // An estate chosen in the filters is where people report; otherwise the walk in progress or the last one used.
  const reportEstate = filters.estate || (await defaultEstate(estates));
  const reportLink = `#/report${reportEstate ? `?estate=${reportEstate}` : ''}`;
  const folded = ['location', 'category'].filter((k) => filters[k]).length + (filters.status !== 'open' ? 1 : 0) +
    (estates.length > 1 && filters.estate ? 1 : 0);
  return h(
    'section',
    { class: 'screen' },
    h('h2', { text: t('issues.title') }),
    h('p', {}, h('a', { class: 'button primary', href: reportLink, text: t('issues.report') })),
    h(
      'details',
      { class: 'filters', open: ['location', 'category'].some((k) => filters[k]) || filters.status !== 'open' },
      h(
        'summary',
        {},
        h('span', { text: t('issues.filters') }),
        folded ? h('span', { class: 'badge', text: t('issues.filters_on', { count: folded }) }) : null,
      ),
      h(
        'div',
        { class: 'filter-grid' },
        estates.length > 1 ? field(t('issues.estate'), estateSelect) : null,
        field(t('issues.location'), locationSelect),
        field(t('issues.status'), statusSelect),
        field(t('issues.category'), categorySelect),
      ),
    ),
    // The two questions people ask most stay one tap away, outside the folded filters.
    h(
      'div',
      { class: 'quick-filters' },
      toggle('filter-mine', 'mine', t('issues.mine')),
      toggle('filter-confirm', 'confirm', t('issues.awaiting_confirmation')),
      toggle('filter-overdue', 'overdue', t('issues.overdue_only')),
    ),
    h('p', { class: 'count', 'aria-live': 'polite', text: t('issues.count', { count: shown.length }) }),
    shown.length
      ? h('ul', { class: 'issue-list' }, shown.map((issue) => issueCard(issue, locationNames, extrasFor(issue))))
      : h('p', { class: 'muted', text: t('issues.none') }),
  );
}
