/**
 * What the person must know about an issue before anything else: a change of theirs the server refused (with
 * its reason and a way to put it right), and an edit of theirs that lost to someone else's later edit (with the
 * choice of putting theirs back). Both used to be visible only on the Sync page or deep in the timeline.
 */
import { h } from '../dom.js';
import { t, formatDateTime, refusal } from '../i18n.js';
import { getMeta, setMeta } from '../db.js';
import { recordChange } from '../outbox.js';
import { describeChange, dismissRejection } from '../rejections.js';
import { may, maySetField, refusalOf } from '../workflow.js';
import { savedText } from '../toast.js';
import { isOpen, statusLabel } from './common.js';

const KEPT_THEIRS = 'conflicts_kept_theirs';

/** How the refused change could be made again now, as `{name, args}`, or null when it cannot. */
function retryOf(rejection, issue, role, userId) {
  const { name, args = {} } = rejection;
  const options = { issue, userId };
  if (issue.withdrawn || (issue.merged_into && name !== 'issue.comment' && name !== 'photo.attach')) return null;
  switch (name) {
    case 'issue.status':
      return refusalOf(issue, args.status, role, userId, args.note) ? null : { name, args };
    case 'issue.update': {
      const fields = Object.fromEntries(
        Object.entries(args.fields || {}).filter(([field, value]) => String(issue[field] ?? '') !== String(value ?? '')),
      );
      const allowed = may(role, name, options) && Object.keys(fields).every((field) => maySetField(role, field));
      if (!allowed || !Object.keys(fields).length) return null;
      const base = Object.fromEntries(Object.keys(fields).filter((f) => issue.field_stamps?.[f]).map((f) => [f, issue.field_stamps[f]]));
      return { name, args: { id: issue.id, fields, base } };
    }
    case 'issue.comment':
    case 'photo.attach':
      // A new id: the refused one is recorded on the server and may not be used again.
      return may(role, name, options) ? { name, args: { ...args, id: crypto.randomUUID() } } : null;
    case 'issue.withdraw':
    case 'issue.merge':
      return may(role, name, options) ? { name, args } : null;
    default:
      return null;
  }
}

function rejectionNotice(ctx, issue, rejection, { role, say, openPlan, chooseStatus }) {
  const userId = ctx.user.id;
  const refusalNow = rejection.name === 'issue.status' ? refusalOf(issue, rejection.args?.status, role, userId, rejection.args?.note) : null;
  const retry = retryOf(rejection, issue, role, userId);
  const button = (text, action, extra = {}) => h('button', { type: 'button', class: 'secondary', text, onclick: action, ...extra });
  const actions = [];
  if (refusalNow?.key === 'workflow.needs_owner_and_due_date' && openPlan) {
    actions.push(button(t('notice.set_owner'), openPlan, { 'data-action': 'set-owner' }));
  } else if (refusalNow?.key === 'workflow.needs_note' && chooseStatus) {
    actions.push(button(t('notice.add_note'), () => chooseStatus(rejection.args.status), { 'data-action': 'add-note' }));
  }
  if (retry) {
    actions.push(
      button(t('notice.try_again'), async () => {
        await recordChange(retry.name, retry.args);
        await dismissRejection(rejection);
        say(savedText());
      }, { class: 'primary', 'data-action': 'try-again' }),
    );
  }
  actions.push(button(t('notice.dismiss'), () => dismissRejection(rejection), { 'data-action': 'dismiss' }));
  return h(
    'li',
    { class: 'notice refused', 'data-rejection-id': rejection.id },
    h('p', { class: 'notice-what', text: t('notice.refused', { what: describeChange(rejection) }) }),
    h('p', { class: 'notice-reason', text: t('notice.reason', { reason: refusal(rejection.code, rejection.params || {}, rejection.reason || '') }) }),
    rejection.name === 'issue.status' ? h('p', { text: t('notice.status_now', { status: statusLabel(issue.status) }) }) : null,
    role && !retry && !actions.some((a) => a.dataset.action !== 'dismiss') ? h('p', { class: 'muted', text: t('notice.cannot_retry', { role: t(`role.${role}`) }) }) : null,
    h('p', { class: 'muted', text: formatDateTime(Number(String(rejection.at).slice(0, 15)) || rejection.at) }),
    h('div', { class: 'actions' }, actions),
  );
}

/** Edits of this person's that lost a merge and still show someone else's value: `{event, field, mine, winner}`. */
export function lostEdits(issue, events, userId, keptTheirs = []) {
  const kept = new Set(keptTheirs);
  const ordered = [...events].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  const found = new Map();
  ordered.forEach((event, index) => {
    const d = event.data || {};
    if (event.kind === 'superseded_edit' && event.actor_id === userId) {
      // Our edit arrived after a later one: the later one is the edit stamped `superseded_by`.
      const winning = ordered.find((e) => e.kind === 'field_changed' && e.data?.field === d.field && e.at === d.superseded_by);
      if (winning && winning.actor_id !== userId) found.set(d.field, { event, field: d.field, mine: d.value, winner: winning.actor_id });
    } else if (event.kind === 'field_changed' && d.concurrent && event.actor_id !== userId) {
      // Our edit arrived first and a later one, made without seeing it, replaced it.
      const before = ordered.slice(0, index).reverse().find((e) => e.kind === 'field_changed' && e.data?.field === d.field);
      if (before?.actor_id === userId) found.set(d.field, { event, field: d.field, mine: d.old, winner: event.actor_id });
    }
  });
  return [...found.values()].filter(
    (lost) => !kept.has(lost.event.id) && String(issue[lost.field] ?? '') !== String(lost.mine ?? ''),
  );
}

function lostEditNotice(ctx, issue, lost, { role, names, valueOf, say }) {
  const keepTheirs = async () => {
    await setMeta(KEPT_THEIRS, [...(await getMeta(KEPT_THEIRS, [])), lost.event.id]);
    ctx.refresh();
  };
  const canUseMine = isOpen(issue) && may(role, 'issue.update', { issue, userId: ctx.user.id }) && maySetField(role, lost.field);
  return h(
    'li',
    { class: 'notice lost-edit', 'data-field': lost.field },
    h('p', {
      text: t('notice.lost_edit', {
        field: t(`field.${lost.field}`),
        mine: valueOf(lost.field, lost.mine),
        winner: names(lost.winner),
        theirs: valueOf(lost.field, issue[lost.field]),
      }),
    }),
    h(
      'div',
      { class: 'actions' },
      canUseMine
        ? h('button', {
            type: 'button',
            class: 'primary',
            text: t('notice.use_mine'),
            'data-action': 'use-mine',
            onclick: async () => {
              const base = issue.field_stamps?.[lost.field];
              await recordChange('issue.update', { id: issue.id, fields: { [lost.field]: lost.mine }, ...(base ? { base: { [lost.field]: base } } : {}) });
              await setMeta(KEPT_THEIRS, [...(await getMeta(KEPT_THEIRS, [])), lost.event.id]);
              say(savedText());
            },
          })
        : null,
      h('button', { type: 'button', class: 'secondary', text: t('notice.keep_theirs'), 'data-action': 'keep-theirs', onclick: keepTheirs }),
    ),
  );
}

/** The notices section for the top of the issue screen, or null when there is nothing to say. */
export async function issueNotices(ctx, issue, { rejections, events, role, names, valueOf, say, openPlan, chooseStatus }) {
  const lost = lostEdits(issue, events, ctx.user.id, await getMeta(KEPT_THEIRS, []));
  if (!rejections.length && !lost.length) return null;
  return h(
    'section',
    { class: 'notices', 'aria-labelledby': 'notices-h' },
    h('h3', { id: 'notices-h', text: t('notice.title') }),
    h(
      'ul',
      { class: 'plain-list' },
      rejections.map((rejection) => rejectionNotice(ctx, issue, rejection, { role, say, openPlan, chooseStatus })),
      lost.map((edit) => lostEditNotice(ctx, issue, edit, { role, names, valueOf, say })),
    ),
  );
}
