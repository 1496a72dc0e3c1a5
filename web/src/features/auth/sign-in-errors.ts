import { ApiError, errorMessage } from '../../shared/api.js';

/** What to tell a person whose sign-in failed; the server's codes, in plain words. */
export function signInErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'invalid_credentials') return 'The email or password is not correct.';
    if (error.code === 'rate_limited') return 'Too many sign-in attempts. Wait a minute, then try again.';
  }
  return errorMessage(error);
}
