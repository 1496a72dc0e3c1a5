import { describe, expect, it } from 'vitest';
import { formatDateTime, initials } from './format.js';

describe('initials', () => {
  it('takes the first and last word', () => {
    expect(initials('Ada King Lovelace')).toBe('AL');
    expect(initials('  grace  ')).toBe('G');
  });

  it('falls back to the email, then to a question mark', () => {
    expect(initials('', 'bob@example.com')).toBe('B');
    expect(initials('')).toBe('?');
  });
});

describe('formatDateTime', () => {
  it('says Never for a missing time and a dash for garbage', () => {
    expect(formatDateTime(null)).toBe('Never');
    expect(formatDateTime(undefined)).toBe('Never');
    expect(formatDateTime('not a date')).toBe('—');
  });

  it('formats a real time', () => {
    expect(formatDateTime('2024-03-05T10:20:00Z', 'en-GB')).toMatch(/2024/);
  });
});
