/**
 * Report a defect in a few taps. Before saving, the open issues already recorded at the chosen location are
 * shown, so people add to an existing issue instead of raising a duplicate.
 */
import { h, field, select } from '../dom.js';
import { t, language } from '../i18n.js';
import { getAll } from '../db.js';
import { recordChanges } from '../outbox.js';
import { verifyStored } from '../photos.js';
import { toast } from '../toast.js';
import { photoPicker, photoChanges } from './photo-picker.js';
import { CATEGORIES, PRIORITIES, estatesFor, locationsFor, categoryLabel, isOpen, issueCard, quickActions, trackDirty } from './common.js';
import { roleOn } from '../session.js';
import { defaultEstate } from '../estate-choice.js';
import { locationPicker } from './location-picker.js';
import { cardExtras } from './card-extras.js';

async function existingAt(ctx, estateId, locationId, locationNames) {
  const issues = (await getAll('issues', 'estate_id', estateId)).filter(
    (issue) => isOpen(issue) && (issue.location_id || '') === (locationId || ''),
  );
  const extrasFor = await cardExtras(ctx, issues);
  return h(
    'section',
    { class: 'existing card', 'aria-labelledby': 'existing-h', 'data-count': issues.length },
    h('h3', { id: 'existing-h', text: t('report.existing_title') }),
    issues.length
      ? [
          h('p', { text: t('report.existing_intro') }),
          h(
            'ul',
            { class: 'issue-list' },
            issues.map((issue) => {
              const card = issueCard(issue, locationNames, extrasFor(issue));
              card.append(quickActions(ctx, issue, (message) => toast(message)));
              return card;
            }),
          ),
        ]
      : h('p', { class: 'muted', text: t('report.existing_none') }),
  );
}

export async function reportView(ctx, { query }) {
  const estates = (await estatesFor(ctx)).filter((e) => ['staff', 'tra_rep'].includes(roleOn(ctx.memberships, e.id)));
  if (!estates.length) {
    // Contractors see issues but do not raise them; say so rather than show a form the server would refuse.
    return h('section', { class: 'screen' }, h('h2', { text: t('report.title') }), h('p', { text: t('report.not_allowed') }));
  }
  const estateId = estates.some((e) => e.id === query.estate) ? query.estate : await defaultEstate(estates);
  const locations = await locationsFor(estateId);
  const locationNames = new Map(locations.map((l) => [l.id, l.label]));
  const existingSlot = h('div', {});
  const refreshExisting = async () => existingSlot.replaceChildren(await existingAt(ctx, estateId, locationChoice.value, locationNames));

  const estateSelect = select(estates.map((e) => [e.id, e.name]), estateId, {
    name: 'estate',
    id: 'report-estate',
    onchange: (e) => ctx.go(`/report?${new URLSearchParams({ ...query, estate: e.target.value, location: '' })}`, { replace: true }),
  });
  const locationChoice = locationPicker({ locations, selected: query.location || '', onchange: refreshExisting });
  const category = select([['', t('report.choose')], ...CATEGORIES.map((c) => [c, categoryLabel(c)])], '', {
    name: 'category',
    id: 'report-category',
    required: true,
  });
  const title = h('input', { name: 'title', id: 'report-title', required: true, maxlength: 200, autocomplete: 'off' });
  const description = h('textarea', { name: 'description', id: 'report-description', rows: 3 });
  const priorities = h(
    'fieldset',
    { class: 'choices' },
    h('legend', { text: t('report.priority') }),
    PRIORITIES.map((p) =>
      h(
        'div',
        { class: 'check' },
        h('input', { type: 'radio', name: 'priority', id: `priority-${p}`, value: p, checked: p === 'normal' }),
        h('label', { for: `priority-${p}`, text: t(`priority.${p}`) }),
      ),
    ),
  );
  const picker = photoPicker();
  const message = h('p', { class: 'error', role: 'alert' });
  const save = h('button', { type: 'submit', class: 'primary', id: 'report-save', text: t('report.save') });

  const form = trackDirty(
    h(
      'form',
      {
        class: 'report',
        onsubmit: async (event) => {
          event.preventDefault();
          message.textContent = '';
          if (!category.value || !title.value.trim()) {
            message.textContent = t('report.missing');
            return;
          }
          save.disabled = true;
          save.textContent = t('report.saving');
          try {
            await picker.busy();
            const issueId = crypto.randomUUID();
            const photos = photoChanges(issueId, picker.photos);
            const create = {
              name: 'issue.create',
              args: {
                id: issueId,
                estate_id: estateId,
                location_id: locationChoice.value || null,
                category: category.value,
                title: title.value.trim(),
                description: description.value.trim(),
                written_in: language(),
                priority: form.elements.priority.value || 'normal',
                captured_at: new Date().toISOString(),
                inspection_id: query.inspection || null,
              },
            };
            // The defect and its photos are one transaction: never a defect whose photos silently went missing.
            await recordChanges([create, ...photos.mutations], { blobs: photos.blobs });
            for (const blob of photos.blobs) {
              if (!(await verifyStored(blob.sha256))) {
                message.textContent = t('report.verify_failed');
                return;
              }
            }
            form.removeAttribute('data-dirty');
            toast(t('report.saved'));
            if (query.inspection) ctx.go(`/inspect/${query.inspection}/at/${locationChoice.value || 'estate'}`);
            else ctx.go(`/issue/${issueId}`);
          } finally {
            save.disabled = false;
            save.textContent = t('report.save');
          }
        },
      },
      estates.length > 1 ? field(t('report.estate'), estateSelect) : null,
      locationChoice.node,
      existingSlot,
      field(t('report.category'), category),
      field(t('report.what'), title),
      field(t('report.description'), description),
      priorities,
      picker.node,
      message,
      save,
    ),
  );
  await refreshExisting();
  return h('section', { class: 'screen' }, h('h2', { text: t('report.title') }), form);
}
