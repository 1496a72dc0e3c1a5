import { describe, expect, it } from 'vitest';
import { safeNext, signInTarget } from './sign-in-redirect.js';

describe('signInTarget', () => {
  it('remembers the page to come back to', () => {
    expect(signInTarget('/settings/users')).toBe('/sign-in?next=%2Fsettings%2Fusers');
  });

  it('does not remember the start page or the sign-in page itself', () => {
    expect(signInTarget('/')).toBe('/sign-in');
    expect(signInTarget('/sign-in')).toBe('/sign-in');
  });
});

describe('safeNext', () => {
  it('accepts in-app paths', () => {
    expect(safeNext('/profile/api-tokens')).toBe('/profile/api-tokens');
  });

  it('sends anything else to the start page', () => {
    for (const next of [undefined, '', 'https://evil.example', '//evil.example', '/sign-in'])
      expect(safeNext(next)).toBe('/');
  });
});
