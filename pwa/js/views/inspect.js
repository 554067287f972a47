/**
 * Inspections: start a walk (who is present) or join one by its code, then move location by location grading
 * what is there, re-checking the issues already recorded and reporting new defects; finish with a summary.
 */
import { h, field, select } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { get, getAll } from '../db.js';
import { recordChange } from '../outbox.js';
import { roleOn } from '../session.js';
import { toast, savedText } from '../toast.js';
import { beginWalk, endWalk, formatCode, newJoinCode, normaliseCode, resumeWalk, sharedWalkId, today, walkOnThisPhone } from '../walk.js';
import { estatesFor, locationsFor, isOpen, issueCard, quickActions, trackDirty } from './common.js';
import { ELEMENTS, elementLabel, gradeLabel, gradesOf, schemeChooser, schemeFor, usualElements } from './grade.js';

const GRADING_ROLES = ['staff', 'tra_rep'];

export async function inspectionsView(ctx, { query }) {
  const estates = (await estatesFor(ctx)).filter((e) => GRADING_ROLES.includes(roleOn(ctx.memberships, e.id)));
  const estateId = estates.some((e) => e.id === query.estate) ? query.estate : estates[0]?.id;
  const [inspections, members] = await Promise.all([getAll('inspections'), estateId ? getAll('members', 'estate_id', estateId) : []]);
  const estateNames = new Map(estates.map((e) => [e.id, e.name]));
  const recent = inspections.sort((a, b) => String(b.date).localeCompare(String(a.date))).slice(0, 10);
  const heading = h('h2', { text: t('inspect.title') });
  const list = recent.length
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
    : h('p', { class: 'muted', text: t('inspect.none') });
  if (!estateId) {
    // Contractors are not at the walk: they see what was found on it through their jobs.
    return h('section', { class: 'screen' }, heading, list, h('p', { text: t('inspect.not_allowed') }));
  }

  const estateSelect = (id) =>
    select(estates.map((e) => [e.id, e.name]), estateId, {
      name: 'estate',
      id,
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
          if (!names.includes(ctx.user.name)) names.unshift(ctx.user.name);
          // The id comes from the estate, the date and a fresh code, so another phone can join offline.
          const code = newJoinCode();
          const id = await sharedWalkId(estateId, date.value, code);
          await recordChange('inspection.create', { id, estate_id: estateId, date: date.value, attendees: names, notes: notes.value.trim() });
          await beginWalk(id, code);
          form.removeAttribute('data-dirty');
          ctx.go(`/inspect/${id}`);
        },
      },
      h('h3', { text: t('inspect.start') }),
      estates.length > 1 ? field(t('inspect.estate'), estateSelect('inspect-estate')) : null,
      field(t('inspect.date'), date),
      present,
      field(t('inspect.others'), others),
      field(t('inspect.notes'), notes),
      h('button', { type: 'submit', class: 'primary', id: 'inspect-begin', text: t('inspect.begin') }),
    ),
  );

  const joinCode = h('input', {
    name: 'code', id: 'join-code', required: true, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false',
    inputmode: 'text', maxlength: 9, value: query.code || '', class: 'join-code-input',
  });
  const joinDate = h('input', { type: 'date', name: 'date', id: 'join-date', value: query.date || today(), required: true });
  const joinError = h('p', { class: 'error', role: 'alert' });
  const join = trackDirty(
    h(
      'form',
      {
        class: 'card',
        id: 'join-walk',
        onsubmit: async (event) => {
          event.preventDefault();
          const code = normaliseCode(joinCode.value);
          if (!code) {
            joinError.textContent = t('inspect.join_bad_code');
            return;
          }
          const id = await sharedWalkId(estateId, joinDate.value, code);
          // Sent even when the walk is already on this phone: it is what adds this person to the attendees.
          await recordChange('inspection.create', { id, estate_id: estateId, date: joinDate.value, attendees: [ctx.user.name], notes: '' });
          await beginWalk(id, code, { joined: true });
          join.removeAttribute('data-dirty');
          toast(t('inspect.joined'));
          ctx.go(`/inspect/${id}`);
        },
      },
      h('h3', { text: t('inspect.join') }),
      h('p', { class: 'hint', text: t('inspect.join_hint') }),
      estates.length > 1 ? field(t('inspect.estate'), estateSelect('join-estate')) : null,
      field(t('inspect.join_code'), joinCode),
      field(t('inspect.date'), joinDate, t('inspect.join_date_hint')),
      joinError,
      h('button', { type: 'submit', class: 'primary', id: 'join-begin', text: t('inspect.join_begin') }),
    ),
  );
  const isStaff = roleOn(ctx.memberships, estateId) === 'staff';
  const chooser = isStaff
    ? schemeChooser(estateId, await schemeFor(estateId), estateNames.get(estateId), (message) => {
        toast(message);
        ctx.refresh();
      })
    : null;
  return h('section', { class: 'screen' }, heading, list, form, join, chooser);
}

/** The walk: its join code for others, who is present, and the locations to go through. */
export async function inspectionView(ctx, { id }) {
  const inspection = await get('inspections', id);
  if (!inspection) return h('section', { class: 'screen' }, h('h2', { text: t('issue.not_found') }));
  const [estates, locations, issues, grades, mine] = await Promise.all([
    estatesFor(ctx),
    locationsFor(inspection.estate_id),
    getAll('issues', 'estate_id', inspection.estate_id),
    getAll('grades', 'inspection_id', id),
    walkOnThisPhone(id),
  ]);
  const code = mine?.code;
  if (!inspection.finished_at) await resumeWalk(id);
  const estateName = estates.find((e) => e.id === inspection.estate_id)?.name || '';
  const openCount = (locationId) => issues.filter((i) => isOpen(i) && (i.location_id || '') === locationId).length;
  const gradedCount = (locationId) => grades.filter((g) => (g.location_id || '') === locationId).length;
  const stop = (locationId, label) =>
    h(
      'li',
      {},
      h(
        'a',
        { class: 'location-link', href: `#/inspect/${id}/at/${locationId || 'estate'}`, 'data-location-id': locationId || 'estate' },
        h('span', { text: label }),
        h(
          'span',
          { class: 'muted' },
          t('inspect.open_here', { count: openCount(locationId) }),
          gradedCount(locationId) ? ` · ${t('inspect.graded_here', { count: gradedCount(locationId) })}` : '',
        ),
      ),
    );
  const share = code && !inspection.finished_at
    ? h(
        'section',
        { class: 'card join-code', 'aria-labelledby': 'join-code-h' },
        h('h3', { id: 'join-code-h', text: t('inspect.code_title') }),
        h('p', { class: 'code', id: 'walk-code', text: formatCode(code) }),
        h('p', { class: 'hint', text: t('inspect.code_hint', { date: formatDate(inspection.date) }) }),
      )
    : null;
  return h(
    'section',
    { class: 'screen' },
    h('h2', { text: t('inspect.walk', { estate: estateName, date: formatDate(inspection.date) }) }),
    h('p', { id: 'walk-attendees', text: t('inspect.attendees', { names: (inspection.attendees || []).join(', ') }) }),
    share,
    h('p', {}, h('a', { href: `#/inspect/${id}/summary`, id: 'walk-summary-link', text: t('inspect.summary_so_far') })),
    h('h3', { text: t('inspect.choose_location') }),
    h('ul', { class: 'location-list' }, stop('', t('report.location_none')), locations.map((l) => stop(l.id, l.label))),
    inspection.finished_at ? h('p', { class: 'muted', text: t('inspect.finished') }) : null,
    // Someone who joined a walk leaves it when they are done; finishing the inspection is for whoever started
    // it, so one person going home does not end the walk for the others.
    mine?.joined
      ? h('button', {
          type: 'button',
          class: 'secondary',
          id: 'walk-leave',
          text: t('inspect.leave'),
          onclick: async () => {
            await endWalk(id);
            ctx.go(`/inspect/${id}/summary`);
          },
        })
      : inspection.finished_at
        ? null
        : h('button', {
            type: 'button',
            class: 'secondary',
            id: 'walk-finish',
            text: t('inspect.finish'),
            onclick: async () => {
              await recordChange('inspection.update', { id, fields: { finished_at: new Date().toISOString() } });
              await endWalk(id);
              toast(savedText());
              ctx.go(`/inspect/${id}/summary`);
            },
          }),
  );
}

function gradeList(id, location, elements, grades, scheme) {
  return h(
    'ul',
    { class: 'grade-list' },
    elements.map((element) => {
      const grade = grades.get(`${location === 'estate' ? '' : location}|${element}`);
      return h(
        'li',
        {},
        h(
          'a',
          { class: 'grade-link', href: `#/inspect/${id}/at/${location}/grade/${element}`, 'data-element': element },
          h('span', { text: elementLabel(element) }),
          h('span', {
            class: grade ? `badge grade-badge grade-${grade.grade}` : 'muted',
            text: grade ? gradeLabel(grade.scheme || scheme, grade.grade) : t('inspect.not_graded'),
          }),
        ),
      );
    }),
  );
}

/** One place on the walk: grade it, re-check what is already recorded here, report what is new. */
export async function inspectionLocationView(ctx, { id, location }) {
  const inspection = await get('inspections', id);
  if (!inspection) return h('section', { class: 'screen' }, h('h2', { text: t('issue.not_found') }));
  const locationId = location === 'estate' ? '' : location;
  const [locations, grades, scheme, rechecks, allIssues] = await Promise.all([
    locationsFor(inspection.estate_id),
    gradesOf(id),
    schemeFor(inspection.estate_id),
    getAll('rechecks', 'inspection_id', id),
    getAll('issues', 'estate_id', inspection.estate_id),
  ]);
  const names = new Map(locations.map((l) => [l.id, l.label]));
  const place = locations.find((l) => l.id === locationId);
  const issues = allIssues.filter((i) => isOpen(i) && (i.location_id || '') === locationId);
  const lastCheck = new Map(rechecks.sort((a, b) => String(a.at).localeCompare(String(b.at))).map((r) => [r.issue_id, r]));
  const usual = usualElements(place);
  const others = ELEMENTS.filter((e) => !usual.includes(e));
  const graded = [...grades.keys()].filter((key) => key.startsWith(`${locationId}|`)).length;
  const query = new URLSearchParams({ estate: inspection.estate_id, inspection: id, ...(locationId ? { location: locationId } : {}) });
  return h(
    'section',
    { class: 'screen' },
    h('p', {}, h('a', { href: `#/inspect/${id}`, text: t('inspect.back') })),
    h('h2', { text: t('inspect.here', { location: names.get(locationId) || t('report.location_none') }) }),
    h('p', {}, h('a', { class: 'button primary', href: `#/report?${query}`, text: t('inspect.report_here') })),
    h('h3', { text: t('inspect.open_here', { count: issues.length }) }),
    issues.length ? h('p', { class: 'hint', text: t('inspect.recheck_hint') }) : null,
    h(
      'ul',
      { class: 'issue-list' },
      issues.map((issue) => {
        const card = issueCard(issue, names);
        const check = lastCheck.get(issue.id);
        if (check) {
          card.append(h('p', { class: 'rechecked', 'data-outcome': check.outcome, text: t(`inspect.rechecked.${check.outcome}`) }));
        }
        card.append(
          quickActions(ctx, issue, (message) => {
            toast(message);
            ctx.refresh();
          }, { walk: inspection }),
        );
        return card;
      }),
    ),
    h(
      'section',
      { 'aria-labelledby': 'grades-h', class: 'grades-here' },
      h('h3', { id: 'grades-h', text: t('inspect.grades_here', { count: graded }) }),
      h('p', { class: 'hint', text: t('inspect.grades_hint', { scheme: t(`scheme.${scheme}`) }) }),
      gradeList(id, location, usual, grades, scheme),
      h('details', { class: 'more-elements' }, h('summary', { text: t('inspect.more_elements') }), gradeList(id, location, others, grades, scheme)),
    ),
  );
}
