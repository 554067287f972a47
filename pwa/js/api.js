/**
 * The server's HTTP face, as in docs/sync-protocol.md. Same-origin requests carry the HttpOnly session cookie;
 * the token itself is never stored by the app.
 */
import { RULES } from './rules.js';

/** A problem answer from the server (or a network failure, with status 0). */
export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || null;
    this.problem = problem;
  }

  get isNetwork() {
    return this.status === 0;
  }

  get isSignedOut() {
    return this.status === 401;
  }
}

async function call(path, { method = 'GET', body, signal } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { title: 'offline', detail: error.message });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(response.status, data || {});
  return data;
}

export const api = {
  login: (email, password) => call('/api/auth/login', { method: 'POST', body: { email, password } }),
  logout: () => call('/api/auth/logout', { method: 'POST', body: {} }),
  me: () => call('/api/auth/me'),
  push: (clientId, mutations) => call('/api/sync/push', { method: 'POST', body: { client_id: clientId, mutations } }),
  // Pages as large as the server allows: a first pull is tens of thousands of changes, and every page costs the
  // server the same overhead; the server also bounds a page by its bytes, so a page stays small on a cheap phone.
  pull: (clientId, cursor, limit = RULES.limits.changes_per_pull) =>
    call('/api/sync/pull', { method: 'POST', body: { client_id: clientId, cursor, limit } }),
};

export function photoUrl(sha256, variant = 'thumb') {
  return `/api/photos/${sha256}?variant=${variant}`;
}
