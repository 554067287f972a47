/**
 * Grading during a walk: each element at a location graded in the estate's scheme, with what each grade means
 * on screen, a photo as evidence and the names of those present who agreed it (sync/grading.py holds the
 * schemes and elements; the server checks the grade against the scheme in force).
 */
import { h, field } from '../dom.js';
import { savedText } from '../toast.js';
import { t, tOr } from '../i18n.js';
import { get, getAll } from '../db.js';
import { recordChanges } from '../outbox.js';
import { verifyStored } from '../photos.js';
import { RULES } from '../rules.js';
import { toast } from '../toast.js';
import { photoPicker } from './photo-picker.js';
import { categoryLabel, locationsFor, trackDirty } from './common.js';

export const ELEMENTS = RULES.grading.elements;
export const SCHEMES = Object.keys(RULES.grading.schemes);

/** Elements people usually grade at each kind of place, first on its list (the rest follow, folded away). */
const USUAL_HERE = {
  block: ['internal_cleaning', 'lighting', 'communal_repairs', 'fire_safety', 'lifts', 'graffiti', 'signage'],
  floor: ['internal_cleaning', 'lighting', 'communal_repairs', 'fire_safety', 'graffiti'],
  stairwell: ['internal_cleaning', 'lighting', 'fire_safety', 'graffiti', 'communal_repairs'],
  bin_store: ['bin_store', 'fly_tipping', 'pests', 'lighting', 'graffiti'],
  car_park: ['car_park', 'abandoned_vehicle', 'lighting', 'hard_landscape', 'fly_tipping', 'graffiti'],
  play_area: ['play_area', 'grounds', 'hard_landscape', 'external_cleaning', 'graffiti'],
  garden: ['grounds', 'external_cleaning', 'hard_landscape', 'fly_tipping'],
};
const ESTATE_WIDE = ['external_cleaning', 'grounds', 'hard_landscape', 'fly_tipping', 'graffiti', 'signage', 'pests'];

export function usualElements(location) {
  if (!location) return ESTATE_WIDE;
  return USUAL_HERE[location.kind] || ESTATE_WIDE;
}

export function elementLabel(element) {
  return tOr(`element.${element}`, categoryLabel(element));
}

/** The estate's grading scheme: chosen by staff (pulled, or chosen on this phone), else the default. */
export async function schemeFor(estateId) {
  const chosen = await get('grading_schemes', estateId);
  return chosen && RULES.grading.schemes[chosen.scheme] ? chosen.scheme : RULES.grading.default_scheme;
}

export function gradeLabel(scheme, grade) {
  return tOr(`grade.${scheme}.${grade}`, RULES.grading.schemes[scheme]?.labels[grade] || grade);
}

export function gradeMeaning(scheme, grade) {
  return tOr(`grade.${scheme}.${grade}.about`, '');
}

/** Grades of one inspection, keyed "<location id or ''>|<element>". */
export async function gradesOf(inspectionId) {
  const grades = await getAll('grades', 'inspection_id', inspectionId);
  return new Map(grades.map((g) => [`${g.location_id || ''}|${g.element}`, g]));
}

/** Staff choose how their estate grades; the server refuses anyone else, so only staff see the control. */
export function schemeChooser(estateId, current, estateName, after) {
  const choice = h(
    'select',
    { id: 'grading-scheme', name: 'scheme' },
    SCHEMES.map((s) => h('option', { value: s, selected: s === current, text: t(`scheme.${s}`) })),
  );
  return h(
    'form',
    {
      class: 'card',
      onsubmit: async (event) => {
        event.preventDefault();
        if (choice.value === current) return;
        await recordChanges([{ name: 'estate.grading_scheme', args: { estate_id: estateId, scheme: choice.value } }]);
        after(savedText());
      },
    },
    h('h3', { text: t('grade.scheme_title', { estate: estateName }) }),
    h('p', { class: 'hint', text: t('grade.scheme_hint') }),
    field(t('grade.scheme'), choice),
    h('button', { type: 'submit', class: 'secondary', id: 'grading-scheme-save', text: t('grade.scheme_save') }),
  );
}

/** Grade one element at one location of a walk. */
export async function gradeView(ctx, { id, location, element }) {
  const inspection = await get('inspections', id);
  if (!inspection || !ELEMENTS.includes(element)) {
    return h('section', { class: 'screen' }, h('h2', { text: t('issue.not_found') }));
  }
  const locationId = location === 'estate' ? null : location;
  const [locations, scheme, grades] = await Promise.all([
    locationsFor(inspection.estate_id),
    schemeFor(inspection.estate_id),
    gradesOf(id),
  ]);
  const place = locations.find((l) => l.id === locationId)?.label || t('report.location_none');
  const current = grades.get(`${locationId || ''}|${element}`);
  const back = `/inspect/${id}/at/${location}`;
  const options = RULES.grading.schemes[scheme].grades;
  // A grade made under another scheme (staff changed it since) is shown, but the choice starts afresh.
  const selected = current && current.scheme !== undefined && current.scheme !== scheme ? null : current?.grade;

  const choices = h(
    'fieldset',
    { class: 'choices grades' },
    h('legend', { text: t('grade.choose', { scheme: t(`scheme.${scheme}`) }) }),
    options.map((grade) =>
      h(
        'div',
        { class: 'check grade-choice' },
        h('input', { type: 'radio', name: 'grade', id: `grade-${grade}`, value: grade, checked: grade === selected, 'aria-describedby': `grade-${grade}-about` }),
        h(
          'label',
          { for: `grade-${grade}` },
          h('span', { class: `grade-name grade-${scheme}-${grade}`, text: gradeLabel(scheme, grade) }),
          h('span', { class: 'grade-about', id: `grade-${grade}-about`, text: gradeMeaning(scheme, grade) }),
        ),
      ),
    ),
  );
  const agreed = new Set(current?.agreed_by || inspection.attendees || []);
  const agreedBy = h(
    'fieldset',
    { class: 'choices' },
    h('legend', { text: t('grade.agreed_by') }),
    (inspection.attendees || []).map((name, i) =>
      h(
        'div',
        { class: 'check' },
        h('input', { type: 'checkbox', name: 'agreed', id: `agreed-${i}`, value: name, checked: agreed.has(name) }),
        h('label', { for: `agreed-${i}`, text: name }),
      ),
    ),
  );
  const note = h('textarea', { name: 'note', id: 'grade-note', rows: 2, value: current?.note || '' });
  const picker = photoPicker({ label: t('grade.photo') });
  const message = h('p', { class: 'error', role: 'alert' });
  const form = trackDirty(
    h(
      'form',
      {
        class: 'grade-form',
        onsubmit: async (event) => {
          event.preventDefault();
          const grade = form.elements.grade.value;
          if (!grade) {
            message.textContent = t('grade.missing');
            return;
          }
          await picker.busy();
          // One photo is the evidence kept with a grade; more belong on an issue.
          const photo = picker.photos[0];
          const args = {
            id: crypto.randomUUID(),
            inspection_id: id,
            location_id: locationId,
            element,
            grade,
            agreed_by: Array.from(form.querySelectorAll('input[name=agreed]:checked'), (input) => input.value),
            note: note.value.trim(),
            ...(photo ? { photo_sha256: photo.sha256 } : current?.photo_sha256 ? { photo_sha256: current.photo_sha256 } : {}),
          };
          const blobs = photo ? [{ sha256: photo.sha256, blob: photo.blob, content_type: photo.content_type, byte_size: photo.byte_size }] : [];
          await recordChanges([{ name: 'inspection.grade', args }], { blobs });
          if (photo && !(await verifyStored(photo.sha256))) {
            message.textContent = t('report.verify_failed');
            return;
          }
          form.removeAttribute('data-dirty');
          toast(t('grade.saved'));
          ctx.go(back);
        },
      },
      choices,
      agreedBy,
      field(t('grade.note'), note),
      picker.node,
      current?.photo_sha256 ? h('p', { class: 'hint', text: t('grade.photo_kept') }) : null,
      message,
      h('button', { type: 'submit', class: 'primary', id: 'grade-save', text: t('grade.save') }),
    ),
  );
  return h(
    'section',
    { class: 'screen' },
    h('p', {}, h('a', { href: `#${back}`, text: t('grade.back', { location: place }) })),
    h('h2', { text: t('grade.title', { element: elementLabel(element) }) }),
    h('p', { class: 'muted', text: t('grade.where', { location: place }) }),
    current ? h('p', { text: t('grade.current', { grade: gradeLabel(current.scheme || scheme, current.grade) }) }) : null,
    form,
  );
}
