// How long to wait before trying again after `attempt` failures in a row: exponential from
// `baseMs`, capped at `maxMs`, with jitter so that what failed together does not retry together.
// - 'full' (reconnects): anywhere between 0 and the cap, so a fleet of sessions that lost one
//   server spreads out over the whole interval.
// - 'spread' (queued mail): the cap ±25 %, so a message is not retried much sooner than planned
//   while many queued behind one outage still do not reconnect at the same moment.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** default 'full' */
  jitter?: 'full' | 'spread';
}

export const defaultBackoff: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

/** `attempt` counts failures in a row, from 1. `random` returns [0, 1) and is injectable for tests. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = defaultBackoff,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  if (policy.jitter === 'spread') return Math.max(0, Math.round(cap * (0.75 + random() * 0.5)));
  return Math.floor(random() * cap);
}
