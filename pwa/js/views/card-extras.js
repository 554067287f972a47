/**
 * What issue cards show beyond the issue itself: the estate's name, for people on more than one estate, and a
 * thumbnail of the first photo, from the phone's own copy when there is one so that lists work without signal.
 */
import { get, getAll } from '../db.js';
import { photoUrl } from '../api.js';
import { estatesFor } from './common.js';

// Object URLs of the last two lists drawn: a list being replaced keeps its pictures until the new one is up.
let generations = [[], []];

async function thumbnail(photo, urls) {
  const keep = (blob) => {
    const url = URL.createObjectURL(blob);
    urls.push(url);
    return url;
  };
  const copy = await get('photo_copies', photo.sha256);
  if (copy?.blob) return keep(copy.blob);
  if (navigator.onLine && photo.uploaded) return photoUrl(photo.sha256, 'thumb');
  const own = await get('blobs', photo.sha256);
  if (own?.blob) return keep(own.blob);
  return null;
}

/** `extrasFor(issue)` for `issueCard`, prepared for the issues about to be listed. */
export async function cardExtras(ctx, issues) {
  const urls = [];
  generations[0].forEach((url) => URL.revokeObjectURL(url));
  generations = [generations[1], urls];
  const [estates, photos] = await Promise.all([estatesFor(ctx), getAll('photos')]);
  const estateNames = estates.length > 1 ? new Map(estates.map((e) => [e.id, e.name])) : null;
  const listed = new Set(issues.map((issue) => issue.id));
  const first = new Map();
  photos
    .filter((photo) => listed.has(photo.issue_id))
    .sort((a, b) => String(a.captured_at).localeCompare(String(b.captured_at)))
    .forEach((photo) => {
      if (!first.has(photo.issue_id)) first.set(photo.issue_id, photo);
    });
  const thumbs = new Map();
  await Promise.all([...first].map(async ([issueId, photo]) => thumbs.set(issueId, await thumbnail(photo, urls))));
  return (issue) => ({ estateName: estateNames?.get(issue.estate_id) || null, thumb: thumbs.get(issue.id) || null });
}
