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
