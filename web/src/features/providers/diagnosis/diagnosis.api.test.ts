import { describe, expect, it } from 'vitest';
import { stepSummary } from './diagnosis.api.js';

describe('stepSummary', () => {
  it('marks each outcome and shows the timing', () => {
    expect(stepSummary({ step: 'dns', status: 'ok', ms: 3 })).toBe('✓ DNS lookup (3 ms)');
    expect(
      stepSummary({
        step: 'auth',
        status: 'failed',
        ms: 120,
        error: { code: 'auth_failed', explanation: 'x' },
      }),
    ).toBe('✗ Sign-in (120 ms)');
    expect(stepSummary({ step: 'starttls', status: 'skipped', ms: 0 })).toBe('– STARTTLS upgrade (skipped)');
  });
});
