/**
 * Meetings and their action plans, offline: record a TRA meeting, put issues on its plan (one by one, or
 * everything raised on a walk at once) and see how far the plan has got ("14 of 25 resolved", overdue).
 * The figures come from js/plan.js, which counts as the server's printable plan does.
 */
import { h, field, select, choices } from '../dom.js';
import { t, formatDate, writtenIn } from '../i18n.js';
import { get, getAll } from '../db.js';
import { recordChange, recordChanges } from '../outbox.js';
import { roleOn } from '../session.js';
import { toast } from '../toast.js';
import { may } from '../workflow.js';
import { actionPlan } from '../plan.js';
import { estatesFor, locationsFor, statusLabel, trackDirty, isOpen } from './common.js';

function today() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** Estates where this person may keep action plans (staff and TRA reps: the plan is theirs to share). */
export function planEstates(ctx, estates) {
  return estates.filter((estate) => may(roleOn(ctx.memberships, estate.id), 'meeting.create'));
}

/** Everything one meeting's screen needs, read from the local copy. */
export async function loadPlan(meeting) {
  const [links, issues] = await Promise.all([
    getAll('meeting_issues', 'meeting_id', meeting.id),
    getAll('issues', 'estate_id', meeting.estate_id),
  ]);
  const issuesById = new Map(issues.map((issue) => [issue.id, issue]));
  // Only an issue gone from the phone (withdrawn) needs its timeline, for its title.
  const gone = links.map((link) => link.issue_id).filter((issueId) => !issuesById.has(issueId));
  const timelines = new Map(await Promise.all(gone.map(async (issueId) => [issueId, await getAll('events', 'issue_id', issueId)])));
  return { links, issues, issuesById, ...actionPlan(links, issuesById, (issueId) => timelines.get(issueId) || []) };
}

/** "14 of 25 resolved", then confirmed, open and overdue: the same words and numbers as the printed plan. */
export function progressSummary(counts, { id } = {}) {
  return h(
    'div',
    { class: 'progress-summary', id },
    h('p', { class: 'resolved' }, h('strong', { text: t('plans.resolved', { resolved: counts.resolved, total: counts.total }) })),
    counts.total ? h('progress', { max: counts.total, value: counts.resolved, 'aria-hidden': 'true' }) : null,
    h(
      'p',
      { class: 'figures-line' },
      h('span', { text: t('plans.confirmed', { count: counts.confirmed }) }),
      ' · ',
      h('span', { text: t('plans.open', { count: counts.open }) }),
      ' · ',
      h('span', { class: counts.overdue ? 'overdue-count' : '', 'data-overdue': counts.overdue, text: t('plans.overdue', { count: counts.overdue }) }),
    ),
  );
}

/** Links to the server's printable plan and PDF: they need a connection, and say so when there is none. */
export function printableLinks(meeting) {
  if (meeting.pending) return h('p', { class: 'muted', text: t('plans.print_after_sync') });
  if (!navigator.onLine) return h('p', { class: 'muted', text: t('plans.print_online') });
  return h(
    'p',
    { class: 'links' },
    h('a', { href: `/api/meetings/${meeting.id}/action-plan.html`, target: '_blank', rel: 'noopener', text: t('plans.printable') }),
    ' · ',
    h('a', { href: `/api/meetings/${meeting.id}/action-plan.pdf`, download: '', text: t('plans.pdf') }),
  );
}

export async function plansView(ctx) {
  const estates = await estatesFor(ctx);
  const names = new Map(estates.map((e) => [e.id, e.name]));
  const mine = planEstates(ctx, estates);
  const meetings = (await getAll('meetings'))
    .filter((meeting) => mine.some((estate) => estate.id === meeting.estate_id))
    .sort((a, b) => String(b.date).localeCompare(String(a.date)));
  const cards = await Promise.all(
    meetings.map(async (meeting) => {
      const { counts } = await loadPlan(meeting);
      return h(
        'li',
        { class: 'issue-card plan-card', 'data-meeting-id': meeting.id },
        h(
          'a',
          { href: `#/plan/${meeting.id}` },
          h('span', { class: 'issue-title', text: meeting.title }),
          h('span', { class: 'issue-meta', text: [formatDate(meeting.date), mine.length > 1 ? names.get(meeting.estate_id) : null].filter(Boolean).join(' · ') }),
          h('span', { class: 'plan-figures', text: `${t('plans.resolved', { resolved: counts.resolved, total: counts.total })} · ${t('plans.overdue', { count: counts.overdue })}` }),
          meeting.pending ? h('span', { class: 'badge pending', text: t('issues.pending') }) : null,
        ),
      );
    }),
  );
  return h(
    'section',
    { class: 'screen' },
    h('h2', { text: t('plans.title') }),
    h('p', { class: 'muted', text: t('plans.intro') }),
    mine.length ? h('p', {}, h('a', { class: 'button primary', href: '#/plans/new', id: 'new-meeting', text: t('plans.new') })) : h('p', { class: 'muted', text: t('plans.not_allowed') }),
    cards.length ? h('ul', { class: 'issue-list', id: 'plan-list' }, cards) : h('p', { class: 'muted', text: t('plans.none') }),
  );
}

export async function newMeetingView(ctx, { query }) {
  const estates = planEstates(ctx, await estatesFor(ctx));
  if (!estates.length) return h('section', { class: 'screen' }, h('h2', { text: t('plans.new') }), h('p', { text: t('plans.not_allowed') }));
  const estateId = estates.some((e) => e.id === query.estate) ? query.estate : estates[0].id;
  const members = (await getAll('members', 'estate_id', estateId)).filter((m) => m.role !== 'contractor');
  const estateSelect = select(estates.map((e) => [e.id, e.name]), estateId, {
    id: 'meeting-estate',
    onchange: (e) => ctx.go(`/plans/new?estate=${e.target.value}`, { replace: true }),
  });
  const date = h('input', { type: 'date', id: 'meeting-date', value: today(), required: true });
  const title = h('input', { id: 'meeting-title', value: t('plans.default_title'), required: true, maxlength: 500 });
  const present = choices(
    t('plans.present'),
    'checkbox',
    'present',
    members.map((m) => ({ value: m.name, id: `attendee-${m.id}`, checked: m.user_id === ctx.user.id, label: `${m.name} (${t(`role.${m.role}`)})` })),
  );
  const others = h('textarea', { id: 'meeting-others', rows: 3 });
  const notes = h('textarea', { id: 'meeting-notes', rows: 3 });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = trackDirty(
    h(
      'form',
      {
        class: 'card',
        onsubmit: async (event) => {
          event.preventDefault();
          if (!title.value.trim() || !date.value) {
            error.textContent = t('plans.missing');
            return;
          }
          const attendees = [
            ...Array.from(form.querySelectorAll('input[name=present]:checked'), (input) => input.value),
            ...others.value.split('\n').map((n) => n.trim()).filter(Boolean),
          ];
          const id = crypto.randomUUID();
          await recordChange('meeting.create', { id, estate_id: estateId, date: date.value, title: title.value.trim(), attendees, notes: notes.value.trim() });
          form.removeAttribute('data-dirty');
          toast(t('plans.saved'));
          ctx.go(`/plan/${id}/add`);
        },
      },
      estates.length > 1 ? field(t('plans.estate'), estateSelect) : null,
      field(t('plans.date'), date),
      field(t('plans.meeting_title'), title),
      members.length ? present : null,
      field(t('plans.others'), others),
      field(t('plans.notes'), notes),
      error,
      h('button', { type: 'submit', class: 'primary', id: 'meeting-save', text: t('plans.create') }),
    ),
  );
  return h(
    'section',
    { class: 'screen' },
    h('p', {}, h('a', { href: '#/plans', text: t('plans.back') })),
    h('h2', { text: t('plans.new') }),
    form,
  );
}

function planTable(items, memberNames, locationNames, pendingMeeting) {
  const head = ['plans.col_number', 'plans.col_kind', 'plans.col_issue', 'plans.col_status', 'plans.col_owner', 'plans.col_due'];
  return h(
    'table',
    { class: 'data-table plan-table', id: 'plan-issues' },
    h('caption', { class: 'visually-hidden', text: t('plans.issues_caption') }),
    h('thead', {}, h('tr', {}, head.map((key) => h('th', { scope: 'col', text: t(key) })))),
    h(
      'tbody',
      {},
      items.map((item, index) =>
        h(
          'tr',
          { class: item.overdue ? 'overdue' : '', 'data-issue-id': item.issue.id, 'data-resolved': String(item.resolved) },
          h('td', { 'data-label': t('plans.col_number'), text: String(index + 1) }),
          h('td', { 'data-label': t('plans.col_kind'), text: t(`plans.kind_${item.kind}`) }),
          h(
            'td',
            { 'data-label': t('plans.col_issue') },
            item.issue.missing
              ? h('span', { text: item.issue.title || t('plans.withdrawn_issue') })
              : h('a', { href: `#/issue/${item.issue.id}`, ...writtenIn(item.issue.written_in), text: item.issue.title }),
            item.merged ? h('span', { class: 'muted', text: ` ${t('plans.duplicate')}` }) : null,
            item.issue.location_id && locationNames.get(item.issue.location_id)
              ? h('span', { class: 'where', text: locationNames.get(item.issue.location_id) })
              : null,
            item.pending && !pendingMeeting ? h('span', { class: 'badge pending', text: t('issues.pending') }) : null,
          ),
          h(
            'td',
            { 'data-label': t('plans.col_status') },
            h('span', { class: `badge status-${item.status}`, text: item.status === 'withdrawn' ? t('plans.withdrawn') : statusLabel(item.status) }),
            item.overdue ? h('span', { class: 'flag', text: ` ${t('plans.overdue_flag')}` }) : null,
          ),
          h('td', { 'data-label': t('plans.col_owner'), text: item.owner_id ? memberNames.get(item.owner_id) || t('event.someone') : t('issue.none') }),
          h('td', { 'data-label': t('plans.col_due'), text: item.due_date ? formatDate(item.due_date) : t('issue.none') }),
        ),
      ),
    ),
  );
}

export async function planView(ctx, { id }) {
  const meeting = await get('meetings', id);
  const back = h('p', {}, h('a', { href: '#/plans', text: t('plans.back') }));
  if (!meeting) return h('section', { class: 'screen' }, h('h2', { text: t('plans.not_found') }), back);
  const [estates, members, locations, plan] = await Promise.all([
    estatesFor(ctx),
    getAll('members', 'estate_id', meeting.estate_id),
    locationsFor(meeting.estate_id),
    loadPlan(meeting),
  ]);
  const estateName = estates.find((e) => e.id === meeting.estate_id)?.name || '';
  const memberNames = new Map(members.map((m) => [m.user_id, m.name]));
  const locationNames = new Map(locations.map((l) => [l.id, l.label]));
  const canAdd = may(roleOn(ctx.memberships, meeting.estate_id), 'meeting.issue');
  return h(
    'article',
    { class: 'screen plan', 'data-meeting-id': meeting.id },
    back,
    h('p', { class: 'estate-name', text: estateName }),
    h('h2', { text: t('plans.plan_title', { title: meeting.title, date: formatDate(meeting.date) }) }),
    meeting.pending ? h('p', {}, h('span', { class: 'badge pending', text: t('issues.pending') })) : null,
    progressSummary(plan.counts, { id: 'plan-progress' }),
    meeting.attendees?.length ? h('p', { text: t('plans.attendees', { names: meeting.attendees.join(', ') }) }) : null,
    meeting.notes ? h('p', { class: 'description', text: meeting.notes }) : null,
    canAdd ? h('p', {}, h('a', { class: 'button secondary', href: `#/plan/${meeting.id}/add`, id: 'plan-add', text: t('plans.add') })) : null,
    printableLinks(meeting),
    plan.items.length ? planTable(plan.items, memberNames, locationNames, Boolean(meeting.pending)) : h('p', { class: 'muted', text: t('plans.empty') }),
  );
}

/** Put issues on the plan: everything raised on a walk in one tap, or chosen issues one by one. */
export async function planAddView(ctx, { id }) {
  const meeting = await get('meetings', id);
  if (!meeting) return h('section', { class: 'screen' }, h('h2', { text: t('plans.not_found') }));
  const [inspections, locations, plan] = await Promise.all([
    getAll('inspections', 'estate_id', meeting.estate_id),
    locationsFor(meeting.estate_id),
    loadPlan(meeting),
  ]);
  const locationNames = new Map(locations.map((l) => [l.id, l.label]));
  const onPlan = new Map(plan.links.map((link) => [link.issue_id, link.kind]));
  // Withdrawn issues are gone from the phone, and the server refuses them; a duplicate lands on its issue.
  const candidates = plan.issues.filter((issue) => !issue.withdrawn);
  // A duplicate raised on the walk goes on the plan as the issue it was merged into: count and send each once.
  const raisedOn = (inspectionId) => [
    ...new Set(candidates.filter((issue) => issue.inspection_id === inspectionId).map((issue) => issue.merged_into || issue.id)),
  ];
  const walks = inspections
    .map((inspection) => ({ inspection, issues: raisedOn(inspection.id) }))
    .filter((walk) => walk.issues.length)
    .sort((a, b) => String(b.inspection.date).localeCompare(String(a.inspection.date)));

  const put = async (issueIds, kind) => {
    // What the plan already says stays ("raised" is never turned into "reviewed"); nothing is sent twice.
    const fresh = issueIds.filter((issueId) => {
      const already = onPlan.get(issueId);
      return !already || (kind === 'raised' && already !== 'raised');
    });
    if (!fresh.length) {
      toast(t('plans.already_on'));
      return;
    }
    await recordChanges(fresh.map((issueId) => ({ name: 'meeting.issue', args: { meeting_id: meeting.id, issue_id: issueId, kind } })));
    toast(t('plans.added', { count: fresh.length }));
    ctx.go(`/plan/${meeting.id}`);
  };

  const walkSelect = select(
    walks.map(({ inspection, issues }) => [inspection.id, t('plans.walk_option', { date: formatDate(inspection.date), count: issues.length })]),
    walks[0]?.inspection.id,
    { id: 'plan-walk' },
  );
  const fromWalk = walks.length
    ? h(
        'form',
        {
          class: 'card',
          id: 'plan-from-walk',
          onsubmit: async (event) => {
            event.preventDefault();
            await put(raisedOn(walkSelect.value), 'reviewed');
          },
        },
        h('h3', { text: t('plans.from_walk') }),
        field(t('plans.walk'), walkSelect, t('plans.from_walk_hint')),
        h('button', { type: 'submit', class: 'primary', id: 'plan-add-walk', text: t('plans.add_walk') }),
      )
    : h('p', { class: 'muted', text: t('plans.no_walks') });

  const choosable = candidates
    .filter((issue) => !onPlan.has(issue.id) && !issue.merged_into)
    .sort((a, b) => Number(isOpen(b)) - Number(isOpen(a)) || String(b.updated_at || '').localeCompare(String(a.updated_at || '')));
  const kind = choices(
    t('plans.kind_question'),
    'radio',
    'kind',
    ['reviewed', 'raised'].map((value) => ({ value, id: `plan-kind-${value}`, checked: value === 'reviewed', label: t(`plans.kind_${value}_long`) })),
  );
  const chooser = trackDirty(
    h(
      'form',
      {
        class: 'card',
        id: 'plan-choose',
        onsubmit: async (event) => {
          event.preventDefault();
          const form = event.target;
          const chosen = Array.from(form.querySelectorAll('input[name=issue]:checked'), (input) => input.value);
          if (!chosen.length) {
            toast(t('plans.choose_some'));
            return;
          }
          form.removeAttribute('data-dirty');
          await put(chosen, form.elements.kind.value);
        },
      },
      h('h3', { text: t('plans.choose') }),
      kind,
      choosable.length
        ? choices(
            t('plans.choose_legend', { count: choosable.length }),
            'checkbox',
            'issue',
            choosable.map((issue) => ({
              value: issue.id,
              id: `plan-issue-${issue.id}`,
              label: [
                issue.title,
                h('span', { class: 'muted', text: ` · ${[statusLabel(issue.status), locationNames.get(issue.location_id)].filter(Boolean).join(' · ')}` }),
              ],
            })),
            { class: 'choices issue-choices' },
          )
        : h('p', { class: 'muted', text: t('plans.nothing_to_add') }),
      choosable.length ? h('button', { type: 'submit', class: 'secondary', id: 'plan-add-chosen', text: t('plans.add_chosen') }) : null,
    ),
  );
  return h(
    'section',
    { class: 'screen' },
    h('p', {}, h('a', { href: `#/plan/${meeting.id}`, text: t('plans.back_to_plan') })),
    h('h2', { text: t('plans.add_title', { title: meeting.title }) }),
    progressSummary(plan.counts),
    fromWalk,
    chooser,
  );
}
