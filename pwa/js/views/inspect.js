/** Inspections: start a walk (who is present), then move location by location recording what is found. */
import { h, field, select } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { get, getAll } from '../db.js';
import { recordChange } from '../outbox.js';
import { toast, savedText } from '../toast.js';
import { estatesFor, locationsFor, isOpen, issueCard, quickActions, trackDirty } from './common.js';

function today() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

export async function inspectionsView(ctx, { query }) {
  const estates = await estatesFor(ctx);
  const estateId = query.estate || estates[0]?.id;
  const [inspections, members] = await Promise.all([getAll('inspections'), estateId ? getAll('members', 'estate_id', estateId) : []]);
  const estateNames = new Map(estates.map((e) => [e.id, e.name]));
  const recent = inspections.sort((a, b) => String(b.date).localeCompare(String(a.date))).slice(0, 10);

  const estateSelect = select(estates.map((e) => [e.id, e.name]), estateId, {
    name: 'estate',
    id: 'inspect-estate',
    onchange: (e) => ctx.go(`/inspect?estate=${e.target.value}`, { replace: true }),
  });
  const date = h('input', { type: 'date', name: 'date', id: 'inspect-date', value: today(), required: true });
  const present = h(
    'fieldset',
    { class: 'choices' },
    h('legend', { text: t('inspect.present') }),
    members
      .filter((m) => m.role !== 'contractor')
      .map((m) =>
        h(
          'div',
          { class: 'check' },
          h('input', { type: 'checkbox', name: 'present', id: `present-${m.id}`, value: m.name, checked: m.user_id === ctx.user.id }),
          h('label', { for: `present-${m.id}`, text: `${m.name} (${t(`role.${m.role}`)})` }),
        ),
      ),
  );
  const others = h('textarea', { name: 'others', id: 'inspect-others', rows: 2 });
  const notes = h('textarea', { name: 'notes', id: 'inspect-notes', rows: 2 });
  const form = trackDirty(
    h(
      'form',
      {
        class: 'card',
        onsubmit: async (event) => {
          event.preventDefault();
          const names = [
            ...Array.from(form.querySelectorAll('input[name=present]:checked'), (input) => input.value),
            ...others.value.split('\n').map((n) => n.trim()).filter(Boolean),
          ];
          if (!names.includes(ctx.user.name) && !members.length) names.unshift(ctx.user.name);
          const id = crypto.randomUUID();
          await recordChange('inspection.create', { id, estate_id: estateId, date: date.value, attendees: names, notes: notes.value.trim() });
          form.removeAttribute('data-dirty');
          ctx.go(`/inspect/${id}`);
        },
      },
      h('h3', { text: t('inspect.start') }),
      estates.length > 1 ? field(t('inspect.estate'), estateSelect) : null,
      field(t('inspect.date'), date),
      present,
      field(t('inspect.others'), others),
      field(t('inspect.notes'), notes),
      h('button', { type: 'submit', class: 'primary', id: 'inspect-begin', text: t('inspect.begin') }),
    ),
  );
  return h(
    'section',
    { class: 'screen' },
    h('h2', { text: t('inspect.title') }),
    // A walk already under way comes first: after a phone call or a reload, people want to carry on.
    recent.length
      ? h(
          'ul',
          { class: 'plain-list' },
          recent.map((inspection) =>
            h(
              'li',
              {},
              h('a', {
                href: `#/inspect/${inspection.id}`,
                text: `${t('inspect.walk', { estate: estateNames.get(inspection.estate_id) || '', date: formatDate(inspection.date) })}${inspection.finished_at ? ` · ${t('inspect.finished')}` : ''}`,
              }),
            ),
          ),
        )
      : h('p', { class: 'muted', text: t('inspect.none') }),
    form,
  );
}

export async function inspectionView(ctx, { id }) {
  const inspection = await get('inspections', id);
  if (!inspection) return h('section', { class: 'screen' }, h('h2', { text: t('issue.not_found') }));
  const [estates, locations, issues] = await Promise.all([
    estatesFor(ctx),
    locationsFor(inspection.estate_id),
    getAll('issues', 'estate_id', inspection.estate_id),
  ]);
  const estateName = estates.find((e) => e.id === inspection.estate_id)?.name || '';
  const openCount = (locationId) => issues.filter((i) => isOpen(i) && (i.location_id || '') === locationId).length;
  const stop = (locationId, label) =>
    h(
      'li',
      {},
      h(
        'a',
        { class: 'location-link', href: `#/inspect/${id}/at/${locationId || 'estate'}`, 'data-location-id': locationId || 'estate' },
        h('span', { text: label }),
        h('span', { class: 'muted', text: t('inspect.open_here', { count: openCount(locationId) }) }),
      ),
    );
  return h(
    'section',
    { class: 'screen' },
    h('h2', { text: t('inspect.walk', { estate: estateName, date: formatDate(inspection.date) }) }),
    h('p', { text: t('inspect.attendees', { names: (inspection.attendees || []).join(', ') }) }),
    h('h3', { text: t('inspect.choose_location') }),
    h('ul', { class: 'location-list' }, stop('', t('report.location_none')), locations.map((l) => stop(l.id, l.label))),
    inspection.finished_at
      ? h('p', { class: 'muted', text: t('inspect.finished') })
      : h('button', {
          type: 'button',
          class: 'secondary',
          text: t('inspect.finish'),
          onclick: async () => {
            await recordChange('inspection.update', { id, fields: { finished_at: new Date().toISOString() } });
            toast(savedText());
            ctx.go('/inspect');
          },
        }),
  );
}

export async function inspectionLocationView(ctx, { id, location }) {
  const inspection = await get('inspections', id);
  if (!inspection) return h('section', { class: 'screen' }, h('h2', { text: t('issue.not_found') }));
  const locationId = location === 'estate' ? '' : location;
  const locations = await locationsFor(inspection.estate_id);
  const names = new Map(locations.map((l) => [l.id, l.label]));
  const issues = (await getAll('issues', 'estate_id', inspection.estate_id)).filter(
    (i) => isOpen(i) && (i.location_id || '') === locationId,
  );
  const query = new URLSearchParams({ estate: inspection.estate_id, inspection: id, ...(locationId ? { location: locationId } : {}) });
  return h(
    'section',
    { class: 'screen' },
    h('p', {}, h('a', { href: `#/inspect/${id}`, text: t('inspect.back') })),
    h('h2', { text: t('inspect.here', { location: names.get(locationId) || t('report.location_none') }) }),
    h('p', {}, h('a', { class: 'button primary', href: `#/report?${query}`, text: t('inspect.report_here') })),
    h('h3', { text: t('inspect.open_here', { count: issues.length }) }),
    h(
      'ul',
      { class: 'issue-list' },
      issues.map((issue) => {
        const card = issueCard(issue, names);
        card.append(quickActions(ctx, issue, (message) => {
          toast(message);
          ctx.refresh();
        }));
        return card;
      }),
    ),
  );
}
