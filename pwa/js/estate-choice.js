/**
 * Which estate a new defect is for when nobody said: the estate of the walk in progress on this phone, else the
 * last estate used here. Never just the alphabetically first: staff on two estates were offered the wrong one
 * in the middle of a walk.
 */
import { get, getMeta, putMetaIn } from './db.js';

/** Called inside the outbox's transaction for every change recorded on this phone. */
export async function rememberUse(tx, { name, args }) {
  if (args.estate_id && (name === 'issue.create' || name.startsWith('inspection.'))) {
    await putMetaIn(tx, 'last_estate', args.estate_id);
  }
  // Starting, joining, grading on or reporting during a walk all mean "this phone is on that walk now".
  const walk = name.startsWith('inspection.') && !args.inspection_id ? args.id : args.inspection_id;
  if (walk && name !== 'inspection.update') await putMetaIn(tx, 'current_walk', walk);
}

/** The estate to offer first, from `estates` (each `{id}`). */
export async function defaultEstate(estates) {
  const allowed = new Set(estates.map((e) => e.id));
  const walkId = await getMeta('current_walk');
  const walk = walkId ? await get('inspections', walkId) : null;
  if (walk && !walk.finished_at && allowed.has(walk.estate_id)) return walk.estate_id;
  const last = await getMeta('last_estate');
  if (allowed.has(last)) return last;
  return estates[0]?.id || null;
}
