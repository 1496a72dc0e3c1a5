import { describe, expect, it } from 'vitest';
import { ApiError, networkError } from '../../shared/api.js';
import { signInErrorMessage } from './sign-in-errors.js';

describe('signInErrorMessage', () => {
  it('words the sign-in codes for people', () => {
    expect(signInErrorMessage(new ApiError(401, 'invalid_credentials', 'Invalid credentials'))).toBe(
      'The email or password is not correct.',
    );
    expect(signInErrorMessage(new ApiError(429, 'rate_limited', 'Slow down'))).toMatch(
      /Too many sign-in attempts/,
    );
  });

  it('passes other API messages through', () => {
    expect(signInErrorMessage(networkError())).toMatch(/Cannot reach the Mailyard server/);
  });
});
