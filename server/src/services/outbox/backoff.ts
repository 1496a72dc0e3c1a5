// When to try a temporarily failed message again: exponential, capped, with jitter so many
// queued messages behind one SMTP outage do not all reconnect at the same moment.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before attempt `attempt + 1`, after `attempt` failed attempts (1, 2, …): base·2^(n-1),
 * at most maxMs, then spread over ±25 %. `random` is injectable for tests.
 */
export function retryDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = policy.baseMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxMs, exponential);
  const jitter = 0.75 + random() * 0.5;
  return Math.max(0, Math.round(capped * jitter));
}
