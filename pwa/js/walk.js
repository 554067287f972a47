/**
 * A shared walk on the phone: the join code, the inspection id both phones derive from it offline, and which
 * walk this phone is on now (so "Still there" records a re-check against it).
 *
 * The derivation is the server's (sync/walks.py), from the constants in rules.js: a name-based UUID (version 5,
 * SHA-1 through WebCrypto) of "estatewalk:walk:<estate id>:<date>:<code>" in a fixed namespace. The code is not
 * a key: the server still checks that whoever joins is a member of the estate.
 */
import { RULES } from './rules.js';
import { get, getMeta, putMetaIn, metaIn, write } from './db.js';

const {
  namespace: NAMESPACE, name_format: NAME_FORMAT, code_alphabet: ALPHABET, code_length: LENGTH, code_check_weights: WEIGHTS,
} = RULES.shared_walk;
const LOOK_ALIKES = { O: '0', I: '1', L: '1', U: 'V' };

/** The last character of a code: a weighted sum of the others, so one mistyped character is caught offline. */
function checkCharacter(body) {
  const sum = [...body].reduce((total, c, i) => total + WEIGHTS[i] * ALPHABET.indexOf(c), 0);
  return ALPHABET[sum % ALPHABET.length];
}

/** A fresh random join code (Crockford base 32, no look-alike letters), ending in its check character. */
export function newJoinCode() {
  const bytes = crypto.getRandomValues(new Uint8Array(LENGTH - 1));
  // 256 is a multiple of 32, so taking each byte modulo 32 favours no character.
  const body = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
  return body + checkCharacter(body);
}

/** The code as typed, made canonical (upper case, no spaces or dashes, O→0, I/L→1), or null if it is not one. */
export function normaliseCode(typed) {
  const code = Array.from(String(typed || '').toUpperCase())
    .filter((c) => c !== ' ' && c !== '-')
    .map((c) => LOOK_ALIKES[c] || c)
    .join('');
  if (code.length !== LENGTH || [...code].some((c) => !ALPHABET.includes(c))) return null;
  return code.slice(-1) === checkCharacter(code.slice(0, -1)) ? code : null;
}

/** "K7Q-4MX": two halves are easier to read out and to type. */
export function formatCode(code) {
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

function uuidBytes(uuid) {
  const hex = uuid.replace(/-/g, '');
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function uuidText(bytes) {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The inspection id every phone derives for this estate, date (YYYY-MM-DD) and code. */
export async function sharedWalkId(estateId, date, code) {
  const canonical = normaliseCode(code);
  if (!canonical) throw new Error('not a join code');
  const name = NAME_FORMAT.replace('{estate_id}', estateId.toLowerCase()).replace('{date}', date).replace('{code}', canonical);
  const input = new Uint8Array([...uuidBytes(NAMESPACE), ...new TextEncoder().encode(name)]);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', input)).slice(0, 16);
  digest[6] = (digest[6] & 0x0f) | 0x50; // version 5
  digest[8] = (digest[8] & 0x3f) | 0x80; // RFC variant
  return uuidText(digest);
}

/**
 * Remember that this phone is on a walk (started here, or joined with `joined: true`), with its code, so the
 * code can be shown again (to a third person) and quick actions elsewhere in the app know which inspection a
 * re-check belongs to.
 */
export async function beginWalk(inspectionId, code, { joined = false } = {}) {
  await write(['meta'], async (tx) => {
    const walks = await metaIn(tx, 'walks', {});
    walks[inspectionId] = { code, joined };
    await putMetaIn(tx, 'walks', walks);
    await putMetaIn(tx, 'walk_in_progress', inspectionId);
  });
}

/** Back on a walk this phone started or joined (after a call, a reload): it is the walk in progress again. */
export async function resumeWalk(inspectionId) {
  await write(['meta'], async (tx) => {
    if ((await metaIn(tx, 'walks', {}))[inspectionId]) await putMetaIn(tx, 'walk_in_progress', inspectionId);
  });
}

/** This phone is done with the walk (finished it, or left a walk someone else started). */
export async function endWalk(inspectionId) {
  await write(['meta'], async (tx) => {
    if ((await metaIn(tx, 'walk_in_progress')) === inspectionId) await putMetaIn(tx, 'walk_in_progress', null);
  });
}

/** `{code, joined}` for a walk started or joined on this phone, else null. */
export async function walkOnThisPhone(inspectionId) {
  return (await getMeta('walks', {}))[inspectionId] || null;
}

function localDate(offsetDays = 0) {
  const day = new Date(Date.now() + offsetDays * 86400000);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
}

/** Today as YYYY-MM-DD on this phone's calendar: the date people mean when they start or join a walk. */
export function today() {
  return localDate(0);
}

/**
 * The unfinished walk this phone is on, if it is on `estateId` (any estate when not given); else null. A walk
 * left unfinished is over by the day after: a "Still there" next week is not a re-check of last week's walk.
 */
export async function walkInProgress(estateId = null) {
  const id = await getMeta('walk_in_progress');
  if (!id) return null;
  const inspection = await get('inspections', id);
  if (!inspection || inspection.finished_at) return null;
  if (estateId && inspection.estate_id !== estateId) return null;
  if (String(inspection.date) < localDate(-1)) return null;
  return inspection;
}
