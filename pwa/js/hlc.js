/**
 * Hybrid-logical-clock stamps, in exactly the shape of docs/sync-protocol.md:
 * "<unix ms, 15 digits>:<counter, 5 digits>:<client_id>". Zero padding makes string order equal time order.
 */

const MS_DIGITS = 15;
const COUNTER_DIGITS = 5;

export function formatStamp(ms, counter, clientId) {
  return `${String(ms).padStart(MS_DIGITS, '0')}:${String(counter).padStart(COUNTER_DIGITS, '0')}:${clientId}`;
}

export function parseStamp(stamp) {
  const match = /^(\d{15}):(\d{5}):(.+)$/.exec(stamp || '');
  if (!match) return null;
  return { ms: Number(match[1]), counter: Number(match[2]), node: match[3] };
}

/**
 * The next stamp after `last` (the largest issued or seen). `wallMs` is the phone's clock already corrected by
 * the server offset; if that clock went backwards we keep the last milliseconds and count up instead.
 */
export function nextStamp(last, wallMs, clientId) {
  const previous = parseStamp(last) || { ms: 0, counter: 0 };
  if (wallMs > previous.ms) return formatStamp(wallMs, 0, clientId);
  return formatStamp(previous.ms, previous.counter + 1, clientId);
}

/** The larger of two stamps by time part, so a stamp seen from another phone moves our clock forward. */
export function laterStamp(a, b) {
  const pa = parseStamp(a);
  const pb = parseStamp(b);
  if (!pa) return b;
  if (!pb) return a;
  if (pb.ms > pa.ms || (pb.ms === pa.ms && pb.counter > pa.counter)) return b;
  return a;
}
