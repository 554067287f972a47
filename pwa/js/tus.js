/**
 * A minimal tus 1.0 client (core + creation) for photo bytes. Bytes go in chunks so that a cut connection
 * loses at most one chunk: the next attempt asks the server for its offset (HEAD) and continues from there.
 */

const TUS_VERSION = '1.0.0';
// Big enough that per-request latency on a slow link costs little, small enough that a cut loses little.
export const CHUNK_SIZE = 512 * 1024;

export class UploadError extends Error {
  constructor(message, { status = 0, restart = false, code = null } = {}) {
    super(message);
    this.status = status;
    // The problem code (docs/sync-protocol.md), e.g. 422.3 for bytes that are not an accepted image.
    this.code = code;
    // The server no longer knows this upload (expired, or refused the bytes): start a new one next time.
    this.restart = restart;
  }
}

async function send(url, init) {
  try {
    return await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...init });
  } catch (error) {
    throw new UploadError(`network: ${error.message}`);
  }
}

function base64(text) {
  // Both values are plain ASCII (hex digest, MIME type), so btoa is enough.
  return btoa(text);
}

async function problemOf(response, fallback) {
  try {
    const problem = await response.json();
    return { detail: problem.detail || problem.title || fallback, code: problem.code || null };
  } catch {
    return { detail: fallback, code: null };
  }
}

async function createUpload(blob, sha256) {
  const response = await send('/api/uploads', {
    method: 'POST',
    headers: {
      'Tus-Resumable': TUS_VERSION,
      'Upload-Length': String(blob.size),
      'Upload-Metadata': `sha256 ${base64(sha256)},filetype ${base64(blob.type || 'image/jpeg')}`,
    },
  });
  if (response.status === 404 || response.status === 405 || response.status === 501) return null;
  if (response.status !== 201) throw new UploadError(`create: HTTP ${response.status}`, { status: response.status });
  const location = response.headers.get('Location');
  if (!location) throw new UploadError('create: no Location');
  return {
    url: new URL(location, new URL('/api/uploads', self.location.href)).pathname,
    offset: Number(response.headers.get('Upload-Offset') || 0),
  };
}

async function serverOffset(url) {
  const response = await send(url, { method: 'HEAD', headers: { 'Tus-Resumable': TUS_VERSION } });
  if ([403, 404, 410].includes(response.status)) return null;
  if (!response.ok) throw new UploadError(`HEAD: HTTP ${response.status}`, { status: response.status });
  return Number(response.headers.get('Upload-Offset') || 0);
}

/** Servers without tus still take a whole photo in one PUT (docs/sync-protocol.md, "Photo bytes"). */
async function putWhole(blob, sha256) {
  const response = await send(`/api/photos/${sha256}`, {
    method: 'PUT',
    headers: { 'Content-Type': blob.type || 'image/jpeg' },
    body: blob,
  });
  if (response.status === 200 || response.status === 201) return;
  const { detail, code } = await problemOf(response, `PUT: HTTP ${response.status}`);
  throw new UploadError(detail, { status: response.status, restart: response.status === 422, code });
}

/**
 * Upload `blob` (named by `sha256`), resuming `uploadUrl` when given. `onUrl(url)` is awaited as soon as the
 * server made an upload, so it can be stored and survive a reload; `onProgress(offset)` after each chunk.
 */
export async function uploadPhoto({ blob, sha256, uploadUrl, onUrl, onProgress, chunkSize = CHUNK_SIZE }) {
  let url = uploadUrl;
  let offset = url ? await serverOffset(url) : null;
  if (offset === null) {
    const created = await createUpload(blob, sha256);
    if (!created) {
      await putWhole(blob, sha256);
      onProgress?.(blob.size);
      return;
    }
    url = created.url;
    offset = created.offset;
    await onUrl?.(url);
  }
  onProgress?.(offset);
  while (offset < blob.size) {
    const chunk = blob.slice(offset, Math.min(offset + chunkSize, blob.size));
    const response = await send(url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': TUS_VERSION,
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
      },
      body: chunk,
    });
    if (response.status === 409) {
      // Our idea of the offset was stale (a chunk arrived whose answer we never got): ask again.
      const actual = await serverOffset(url);
      if (actual === null) throw new UploadError('upload vanished', { restart: true });
      offset = actual;
      continue;
    }
    if ([403, 404, 410].includes(response.status)) throw new UploadError('upload vanished', { restart: true });
    if (response.status === 422 || response.status === 460) {
      const { detail, code } = await problemOf(response, 'the server refused the photo bytes');
      throw new UploadError(detail, { status: response.status, restart: true, code });
    }
    if (!response.ok) throw new UploadError(`PATCH: HTTP ${response.status}`, { status: response.status });
    const next = Number(response.headers.get('Upload-Offset'));
    offset = Number.isFinite(next) && next > offset ? next : offset + chunk.size;
    onProgress?.(offset);
  }
}
