/** One issue: details, photos, the timeline (who said what, when) and what the user can do about it. */
import { h, field, select } from '../dom.js';
import { t, formatDateTime, formatDate, writtenIn, language } from '../i18n.js';
import { get, getAll } from '../db.js';
import { recordChange, recordChanges, pendingForIssue } from '../outbox.js';
import { photoUrl } from '../api.js';
import { verifyStored } from '../photos.js';
import { roleOn } from '../session.js';
import { toast, savedText } from '../toast.js';
import { isOverdue } from '../workflow.js';
import { rejectionsForIssue } from '../rejections.js';
import { photoPicker, photoChanges } from './photo-picker.js';
import { showPhoto } from './photo-viewer.js';
import { locationPicker } from './location-picker.js';
import { statusCard } from './issue-status.js';
import { planCard } from './issue-plan.js';
import { tidyCard } from './issue-tidy.js';
import { issueNotices } from './issue-notices.js';
import { followControl } from './follow.js';
import {
  CATEGORIES, PRIORITIES, categoryLabel, statusLabel, estatesFor, locationsFor, quickActions, isOpen, trackDirty,
} from './common.js';

let objectUrls = [];

/** A field's value as people read it: names, not ids; labels, not codes. */
function fieldValue(field, value, names, locationLabels) {
  if (value === null || value === undefined || value === '') return t('issue.none');
  if (field === 'owner_id' || field === 'assignee_id') return names(value);
  if (field === 'location_id') return locationLabels.get(value) || t('issue.none');
  if (field === 'category') return categoryLabel(value);
  if (field === 'priority') return t(`priority.${value}`);
  if (field === 'due_date') return formatDate(value);
  return String(value);
}

function describeEvent(event, names, locationLabels) {
  const actor = names(event.actor_id);
  const d = event.data || {};
  const value = (v) => fieldValue(d.field, v, names, locationLabels);
  switch (event.kind) {
    case 'comment':
      return [d.via === 'email' ? t('event.comment_by_email', { actor }) : t('event.comment', { actor }), h('blockquote', { ...writtenIn(d.written_in), text: d.body })];
    case 'status_changed':
      return [
        t('event.status_changed', { actor, from: statusLabel(d.from), to: statusLabel(d.to) }),
        d.note ? h('blockquote', { text: d.note }) : null,
      ];
    case 'field_changed':
      return [
        t('event.field_changed', { actor, field: t(`field.${d.field}`), old: value(d.old), new: value(d.new) }),
        d.concurrent ? h('p', { class: 'warning', text: t('event.field_changed_concurrent') }) : null,
      ];
    case 'superseded_edit':
      return [t('event.superseded_edit', { actor, field: t(`field.${d.field}`), value: value(d.value) })];
    case 'rechecked':
      return [t('event.rechecked', { actor, outcome: t(`outcome.${d.outcome}`) }), d.note ? h('blockquote', { text: d.note }) : null];
    default:
      return [t(`event.${event.kind}`, { actor })];
  }
}

function describePending(mutation) {
  const key = `event.pending.${mutation.name}`;
  if (mutation.name === 'issue.comment') return [t(key), h('blockquote', { ...writtenIn(mutation.args.written_in), text: mutation.args.body })];
  if (mutation.name === 'inspection.recheck') return [t(key, { outcome: t(`outcome.${mutation.args.outcome}`) })];
  if (mutation.name === 'issue.status') {
    return [t(key, { to: statusLabel(mutation.args.status) }), mutation.args.note ? h('blockquote', { text: mutation.args.note }) : null];
  }
  return [t(key)];
}

/** A photo in the issue, as a button that shows it full size: the phone's own copy first, then the server's. */
async function photoFigure(photo, n) {
  const refused = await get('set_aside', photo.sha256);
  if (refused) {
    return h('li', { 'data-sha256': photo.sha256, class: 'photo-missing photo-refused' }, h('p', { class: 'warning', text: t('issue.photo_refused', { reason: refused.reason || '' }) }));
  }
  const alt = t('issue.photo_alt', { n });
  const item = (src, full, extra) =>
    h(
      'li',
      { 'data-sha256': photo.sha256 },
      h(
        'button',
        { type: 'button', class: 'photo-open', 'aria-haspopup': 'dialog', onclick: () => showPhoto({ src: full, alt }) },
        // Only the server's copies are worth loading lazily: the phone's own are already here.
        h('img', { src, alt, loading: src.startsWith('blob:') ? null : 'lazy', width: photo.width || null, height: photo.height || null }),
      ),
      extra,
    );
  const keep = (blob) => {
    const url = URL.createObjectURL(blob);
    objectUrls.push(url);
    return url;
  };
  const stored = await get('blobs', photo.sha256);
  if (stored?.blob) {
    const url = keep(stored.blob);
    return item(url, url, stored.uploaded ? null : h('span', { class: 'badge pending', text: t('issue.photo_pending') }));
  }
  const copy = await get('photo_copies', photo.sha256);
  if (copy?.blob && !navigator.onLine) {
    const url = keep(copy.blob);
    return item(url, url);
  }
  if (navigator.onLine && photo.uploaded !== false) {
    return item(photoUrl(photo.sha256, 'display'), photoUrl(photo.sha256, 'display'));
  }
  return h('li', { 'data-sha256': photo.sha256, class: 'photo-missing', text: photo.uploaded === false ? t('issue.photo_pending') : t('issue.photo_remote') });
}

export async function issueView(ctx, { id }) {
  objectUrls.forEach((url) => URL.revokeObjectURL(url));
  objectUrls = [];
  const issue = await get('issues', id);
  const back = h('p', {}, h('a', { href: '#/issues', text: t('issue.back') }));
  if (!issue) return h('section', { class: 'screen' }, h('h2', { text: t('issue.not_found') }), back);

  const role = roleOn(ctx.memberships, issue.estate_id);
  const [members, locations, events, photos, pending, rejections, estates] = await Promise.all([
    getAll('members', 'estate_id', issue.estate_id),
    locationsFor(issue.estate_id),
    getAll('events', 'issue_id', id),
    getAll('photos', 'issue_id', id),
    pendingForIssue(id),
    rejectionsForIssue(id),
    estatesFor(ctx),
  ]);
  const memberNames = new Map(members.map((m) => [m.user_id, m.name]));
  const names = (userId) => (userId === ctx.user.id ? t('event.you') : memberNames.get(userId) || t('event.someone'));
  const locationLabels = new Map(locations.map((l) => [l.id, l.label]));
  const locationLabel = locationLabels.get(issue.location_id) || t('issue.none');
  const valueOf = (name, value) => fieldValue(name, value, names, locationLabels);
  const say = (message) => {
    toast(message);
    ctx.refresh();
  };
  const overdue = isOverdue(issue);
  const estateName = estates.length > 1 ? estates.find((e) => e.id === issue.estate_id)?.name : null;

  const details = h(
    'dl',
    { class: 'details' },
    [
      [t('issue.status'), statusLabel(issue.status)],
      estateName ? [t('issues.estate'), estateName] : null,
      [t('issue.location'), locationLabel],
      [t('issue.category'), categoryLabel(issue.category)],
      [t('issue.priority'), t(`priority.${issue.priority}`)],
      [t('issue.raised_by'), names(issue.raised_by)],
      [t('issue.captured_at'), formatDateTime(issue.captured_at)],
      [t('issue.owner'), issue.owner_id ? names(issue.owner_id) : t('issue.none')],
      [t('issue.assignee'), issue.assignee_id ? names(issue.assignee_id) : t('issue.none')],
      [t('issue.due_date'), issue.due_date ? formatDate(issue.due_date) : t('issue.none'), overdue],
    ]
      .filter(Boolean)
      .map(([term, value, late]) =>
        h('div', {}, h('dt', { text: term }), h('dd', {}, value, late ? h('span', { class: 'badge overdue', text: t('issues.overdue') }) : null)),
      ),
  );

  const figures = await Promise.all(
    photos.sort((a, b) => String(a.captured_at).localeCompare(String(b.captured_at))).map((p, i) => photoFigure(p, i + 1)),
  );

  const timeline = [
    ...events.map((event) => ({ at: event.at || event.recorded_at, node: describeEvent(event, names, locationLabels), kind: event.kind })),
    ...pending
      .filter((m) => m.name !== 'issue.create' || !events.length)
      .map((m) => ({ at: m.at, node: describePending(m), kind: 'pending', pending: true })),
  ].sort((a, b) => String(a.at).localeCompare(String(b.at)));

  const open = isOpen(issue) && !issue.withdrawn;
  const picker = photoPicker({ label: t('issue.add_photos') });
  const addPhotos = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event) => {
        event.preventDefault();
        await picker.busy();
        if (!picker.photos.length) return;
        const { mutations, blobs } = photoChanges(issue.id, picker.photos);
        await recordChanges(mutations, { blobs });
        for (const blob of blobs) if (!(await verifyStored(blob.sha256))) return toast(t('report.verify_failed'));
        picker.clear();
        say(savedText());
      },
    },
    picker.node,
    h('button', { type: 'submit', class: 'secondary', text: t('issue.photos_save') }),
  );

  const commentBox = h('textarea', { id: 'comment-body', name: 'body', rows: 3 });
  const commentError = h('p', { class: 'error', role: 'alert' });
  const commentForm = trackDirty(
    h(
      'form',
      {
        class: 'card',
        onsubmit: async (event) => {
          event.preventDefault();
          const body = commentBox.value.trim();
          if (!body) {
            commentError.textContent = t('issue.comment_empty');
            return;
          }
          await recordChange('issue.comment', { id: crypto.randomUUID(), issue_id: issue.id, body, written_in: language() });
          commentForm.removeAttribute('data-dirty');
          say(savedText());
        },
      },
      field(t('issue.comment'), commentBox),
      commentError,
      h('button', { type: 'submit', class: 'primary', text: t('issue.comment_send') }),
    ),
  );

  const status = statusCard(ctx, issue, { role, members, say });
  const plan = planCard(ctx, issue, { role, members, say });
  const tidy = await tidyCard(ctx, issue, { role, locationLabels });
  const follow = await followControl(ctx, issue, say);
  const editable = open && (role === 'staff' || role === 'tra_rep');
  const editForm = editable ? editIssueForm(issue, locations, say) : null;
  const notices = await issueNotices(ctx, issue, {
    rejections,
    events,
    role,
    names,
    valueOf,
    say,
    openPlan: plan?.open,
    chooseStatus: status?.choose,
  });

  return h(
    'article',
    { class: 'screen issue', 'data-issue-id': issue.id },
    back,
    h('h2', { ...writtenIn(issue.written_in), text: issue.title }),
    issue.withdrawn ? h('p', { class: 'warning', text: t('issue.withdrawn') }) : null,
    issue.merged_into ? h('p', { class: 'warning' }, h('a', { href: `#/issue/${issue.merged_into}`, text: t('issue.merged') })) : null,
    issue.pending ? h('p', { class: 'badge pending', text: t('issues.pending') }) : null,
    notices,
    issue.description ? h('p', { class: 'description', ...writtenIn(issue.written_in), text: issue.description }) : null,
    h('section', { 'aria-labelledby': 'details-h' }, h('h3', { id: 'details-h', class: 'visually-hidden', text: t('issue.details') }), details),
    open ? quickActions(ctx, issue, say) : null,
    status?.node,
    plan?.node,
    follow,
    h(
      'section',
      { 'aria-labelledby': 'photos-h' },
      h('h3', { id: 'photos-h', text: t('issue.photos') }),
      figures.length ? h('ul', { class: 'photos' }, figures) : h('p', { class: 'muted', text: t('issue.no_photos') }),
      open ? addPhotos : null,
    ),
    open ? commentForm : null,
    editForm,
    tidy,
    h(
      'section',
      { 'aria-labelledby': 'timeline-h' },
      h('h3', { id: 'timeline-h', text: t('issue.timeline') }),
      h(
        'ol',
        { class: 'timeline' },
        timeline.map((entry) =>
          h(
            'li',
            { class: entry.pending ? 'pending' : '', 'data-kind': entry.kind },
            h('p', { class: 'when', text: stampTime(entry.at) }),
            entry.node,
          ),
        ),
      ),
    ),
  );
}

/** Stamps start with unix milliseconds; server events may also carry ISO times. */
function stampTime(at) {
  if (!at) return '';
  const match = /^(\d{15}):/.exec(at);
  return formatDateTime(match ? Number(match[1]) : at);
}

function editIssueForm(issue, locations, say) {
  const title = h('input', { name: 'title', id: 'edit-title', value: issue.title, required: true });
  const description = h('textarea', { name: 'description', id: 'edit-description', rows: 3, value: issue.description || '' });
  const category = select(CATEGORIES.map((c) => [c, categoryLabel(c)]), issue.category, { name: 'category', id: 'edit-category' });
  const priority = select(PRIORITIES.map((p) => [p, t(`priority.${p}`)]), issue.priority, { name: 'priority', id: 'edit-priority' });
  const location = locationPicker({ locations, selected: issue.location_id || '', name: 'location_id' });
  const form = trackDirty(
    h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          const values = {
            title: title.value.trim(),
            description: description.value,
            category: category.value,
            priority: priority.value,
            location_id: location.value || null,
          };
          const fields = Object.fromEntries(Object.entries(values).filter(([key, value]) => (issue[key] ?? '') !== (value ?? '')));
          if (!Object.keys(fields).length) return;
          // `base` tells the server which version of each field we were looking at, so a concurrent edit is flagged.
          const base = Object.fromEntries(Object.keys(fields).filter((f) => issue.field_stamps?.[f]).map((f) => [f, issue.field_stamps[f]]));
          await recordChange('issue.update', { id: issue.id, fields, ...(Object.keys(base).length ? { base } : {}) });
          form.removeAttribute('data-dirty');
          say(savedText());
        },
      },
      field(t('report.what'), title),
      field(t('report.description'), description),
      field(t('report.category'), category),
      field(t('report.priority'), priority),
      location.node,
      h('button', { type: 'submit', class: 'secondary', text: t('issue.edit_save') }),
    ),
  );
  return h('details', { class: 'card edit', id: 'edit' }, h('summary', { text: t('issue.edit') }), form);
}
