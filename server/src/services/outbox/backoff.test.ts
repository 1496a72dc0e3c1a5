import { describe, expect, it } from 'vitest';
import { retryDelay } from './backoff.js';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('retryDelay', () => {
  it('doubles per failed attempt', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4].map((n) => retryDelay(n, policy, middle))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never waits longer than the cap', () => {
    expect(retryDelay(30, policy, () => 0.5)).toBe(60_000);
  });

  it('spreads retries over ±25 % so queued messages do not reconnect together', () => {
    expect(retryDelay(3, policy, () => 0)).toBe(3000);
    expect(retryDelay(3, policy, () => 1)).toBe(5000);
  });
});
