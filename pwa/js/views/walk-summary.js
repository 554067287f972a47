/**
 * What a walk found, on the phone, worked out from what this phone holds: defects raised, grades, re-checks and
 * who was there, place by place. It works offline; once the walk is on the server (and there is a connection)
 * it offers the server's printable page and PDF, which hold every phone's part of a shared walk.
 */
import { h } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { get, getAll } from '../db.js';
import { photoUrl } from '../api.js';
import { estatesFor, issueCard, locationsFor } from './common.js';
import { elementLabel, gradeLabel, schemeFor } from './grade.js';

let objectUrls = [];

async function gradePhoto(sha256, alt) {
  if (!sha256) return null;
  const stored = (await get('blobs', sha256)) || (await get('photo_copies', sha256));
  if (stored?.blob) {
    const url = URL.createObjectURL(stored.blob);
    objectUrls.push(url);
    return h('img', { class: 'evidence', src: url, alt, width: 96, height: 72 });
  }
  const later = () => h('span', { class: 'muted', text: t('issue.photo_remote') });
  if (!navigator.onLine) return later();
  // "Online" can still mean no signal: a photo that does not arrive says so rather than showing a broken image.
  return h('img', {
    class: 'evidence', src: photoUrl(sha256, 'thumb'), alt, width: 96, height: 72,
    onerror: (event) => event.target.replaceWith(later()),
  });
}

export async function walkSummaryView(ctx, { id }) {
  objectUrls.forEach((url) => URL.revokeObjectURL(url));
  objectUrls = [];
  const inspection = await get('inspections', id);
  if (!inspection) return h('section', { class: 'screen' }, h('h2', { text: t('issue.not_found') }));
  const [estates, locations, issues, grades, rechecks, scheme, members] = await Promise.all([
    estatesFor(ctx),
    locationsFor(inspection.estate_id),
    getAll('issues', 'estate_id', inspection.estate_id),
    getAll('grades', 'inspection_id', id),
    getAll('rechecks', 'inspection_id', id),
    schemeFor(inspection.estate_id),
    getAll('members', 'estate_id', inspection.estate_id),
  ]);
  const estateName = estates.find((e) => e.id === inspection.estate_id)?.name || '';
  const labels = new Map(locations.map((l) => [l.id, l.label]));
  const issuesById = new Map(issues.map((i) => [i.id, i]));
  const raised = issues.filter((i) => i.inspection_id === id && !i.withdrawn);
  const memberNames = new Map(members.map((m) => [m.user_id, m.name]));
  const who = (userId) => (userId === ctx.user.id ? t('event.you') : memberNames.get(userId) || t('event.someone'));

  // Place by place, in walking order; a re-check belongs where its issue is.
  const places = new Map([['', { label: t('report.location_none'), raised: [], grades: [], rechecks: [] }]]);
  for (const l of locations) places.set(l.id, { label: l.label, raised: [], grades: [], rechecks: [] });
  const at = (locationId) => places.get(locationId || '') || places.get('');
  raised.forEach((issue) => at(issue.location_id).raised.push(issue));
  grades.forEach((grade) => at(grade.location_id).grades.push(grade));
  rechecks
    .sort((a, b) => String(a.at).localeCompare(String(b.at)))
    .forEach((check) => at(issuesById.get(check.issue_id)?.location_id).rechecks.push(check));

  const sections = [];
  for (const [locationId, place] of places) {
    if (!place.raised.length && !place.grades.length && !place.rechecks.length) continue;
    const gradeItems = await Promise.all(
      place.grades
        .sort((a, b) => elementLabel(a.element).localeCompare(elementLabel(b.element)))
        .map(async (grade) =>
          h(
            'li',
            { 'data-element': grade.element },
            h('span', { class: 'grade-element', text: elementLabel(grade.element) }),
            ' ',
            h('span', { class: `badge grade-badge grade-${grade.grade}`, text: gradeLabel(grade.scheme || scheme, grade.grade) }),
            grade.agreed_by?.length ? h('span', { class: 'muted', text: ` ${t('summary.agreed_by', { names: grade.agreed_by.join(', ') })}` }) : null,
            grade.note ? h('p', { class: 'note', text: grade.note }) : null,
            await gradePhoto(grade.photo_sha256, t('summary.grade_photo', { element: elementLabel(grade.element), location: place.label })),
          ),
        ),
    );
    sections.push(
      h(
        'section',
        { class: 'card summary-place', 'data-location-id': locationId || 'estate', 'aria-labelledby': `place-${locationId || 'estate'}` },
        h('h3', { id: `place-${locationId || 'estate'}`, text: place.label }),
        place.raised.length
          ? [h('h4', { text: t('summary.found', { count: place.raised.length }) }), h('ul', { class: 'issue-list' }, place.raised.map((i) => issueCard(i, labels)))]
          : null,
        gradeItems.length ? [h('h4', { text: t('summary.graded', { count: gradeItems.length }) }), h('ul', { class: 'summary-grades' }, gradeItems)] : null,
        place.rechecks.length
          ? [
              h('h4', { text: t('summary.rechecked', { count: place.rechecks.length }) }),
              h(
                'ul',
                { class: 'summary-rechecks' },
                place.rechecks.map((check) =>
                  h(
                    'li',
                    { 'data-outcome': check.outcome },
                    h('a', { href: `#/issue/${check.issue_id}`, text: issuesById.get(check.issue_id)?.title || t('summary.unknown_issue') }),
                    `: ${t('summary.recheck_line', { outcome: t(`outcome.${check.outcome}`), who: who(check.checked_by) })}`,
                    check.note ? h('p', { class: 'note', text: check.note }) : null,
                  ),
                ),
              ),
            ]
          : null,
      ),
    );
  }

  // The server's summary holds everyone's part of a shared walk; it exists once this walk has been sent.
  const onServer = !inspection.pending;
  const printable = navigator.onLine && onServer
    ? h(
        'p',
        { class: 'actions' },
        h('a', { class: 'button secondary', id: 'summary-pdf', href: `/api/inspections/${id}/summary.pdf`, download: '', text: t('summary.pdf') }),
        h('a', { class: 'button secondary', id: 'summary-page', href: `/api/inspections/${id}/summary.html`, target: '_blank', rel: 'noopener', text: t('summary.page') }),
      )
    : h('p', { class: 'hint', id: 'summary-pdf-later', text: t(onServer ? 'summary.pdf_offline' : 'summary.pdf_unsent') });

  return h(
    'section',
    { class: 'screen walk-summary' },
    h('p', {}, h('a', { href: `#/inspect/${id}`, text: t('summary.back') })),
    h('h2', { text: t('summary.title', { estate: estateName, date: formatDate(inspection.date) }) }),
    inspection.finished_at ? null : h('p', { class: 'muted', text: t('summary.not_finished') }),
    h(
      'p',
      { class: 'summary-counts', id: 'summary-counts' },
      t('summary.counts', { found: raised.length, graded: grades.length, rechecked: rechecks.length }),
    ),
    h('p', { id: 'summary-attendees', text: t('inspect.attendees', { names: (inspection.attendees || []).join(', ') }) }),
    inspection.notes ? h('p', { class: 'note', text: inspection.notes }) : null,
    sections.length ? sections : h('p', { class: 'muted', text: t('summary.empty') }),
    printable,
    h('p', { class: 'hint', text: t('summary.shared_hint') }),
  );
}
