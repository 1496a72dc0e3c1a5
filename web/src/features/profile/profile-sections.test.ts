import { describe, expect, it } from 'vitest';
import { profileSectionFrom } from './profile-sections.js';

describe('profileSectionFrom', () => {
  it('accepts known sections and defaults to personal info', () => {
    expect(profileSectionFrom('email-accounts')).toBe('email-accounts');
    expect(profileSectionFrom('api-tokens')).toBe('api-tokens');
    expect(profileSectionFrom('nope')).toBe('info');
    expect(profileSectionFrom(undefined)).toBe('info');
  });
});
