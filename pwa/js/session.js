/**
 * Who is signed in on this phone. The profile and memberships live in IndexedDB so the app opens offline for
 * days; the session itself is an HttpOnly cookie the app never sees.
 */
import { api, ApiError } from './api.js';
import { count, getAll, getMeta, putMetaIn, write, wipe, clientId } from './db.js';

export async function currentUser() {
  return getMeta('user');
}

export async function memberships() {
  return getMeta('memberships', []);
}

export class OtherUserWaiting extends Error {
  constructor(name) {
    super('another user has unsent changes');
    this.name_of_user = name;
  }
}

/**
 * Sign in online. If a different person's changes are still waiting on this phone we refuse to mix them up:
 * their changes must be sent (or deliberately dropped by signing out) first.
 */
export async function signIn(email, password) {
  const previous = await currentUser();
  const waiting = (await count('outbox')) + (await getAll('blobs')).filter((b) => !b.uploaded).length;
  if (previous && previous.email.toLowerCase() !== email.trim().toLowerCase() && waiting) {
    throw new OtherUserWaiting(previous.name);
  }
  const answer = await api.login(email.trim(), password);
  if (previous && previous.id !== answer.user.id) await wipe();
  await clientId();
  await write(['meta'], async (tx) => {
    await putMetaIn(tx, 'user', answer.user);
    await putMetaIn(tx, 'memberships', answer.memberships || []);
    await putMetaIn(tx, 'session_expired', false);
    await putMetaIn(tx, 'language', answer.user.language || null);
  });
  return answer;
}

/** Sign out: end the server session if we can, then forget this user's data on the phone. */
export async function signOut() {
  try {
    await api.logout();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
  await wipe();
  // The service worker's caches hold only the app shell, never data, so they can stay for the next user.
}

export function roleOn(membershipList, estateId) {
  return membershipList.find((m) => m.estate_id === estateId)?.role || null;
}
