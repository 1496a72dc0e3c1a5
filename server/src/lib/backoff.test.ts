import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoff with full jitter', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };

  it('grows exponentially up to the cap', () => {
    const top = (attempt: number) => backoffDelay(attempt, policy, () => 0.999_999);
    expect(top(1)).toBe(999);
    expect(top(2)).toBe(1_999);
    expect(top(4)).toBe(7_999);
    expect(top(20)).toBe(59_999);
  });

  it('spreads retries over the whole interval', () => {
    expect(backoffDelay(5, policy, () => 0)).toBe(0);
    expect(backoffDelay(5, policy, () => 0.5)).toBe(8_000);
  });
});

describe('backoff spread ±25 % (queued mail)', () => {
  const policy = { baseMs: 1000, maxMs: 60_000, jitter: 'spread' } as const;

  it('doubles per failed attempt', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, middle))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never waits longer than the cap', () => {
    expect(backoffDelay(30, policy, () => 0.5)).toBe(60_000);
  });

  it('spreads retries over ±25 % so queued messages do not reconnect together', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(3000);
    expect(backoffDelay(3, policy, () => 1)).toBe(5000);
  });
});
