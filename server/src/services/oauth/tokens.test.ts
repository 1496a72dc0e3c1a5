import { describe, expect, it } from 'vitest';
import { needsRefresh, secretFromTokens } from './tokens.js';

describe('stored OAuth tokens', () => {
  it('refreshes a minute before expiry, or at three quarters of a short lifetime', () => {
    const hour = secretFromTokens({ access_token: 'a', refresh_token: 'r', expires_in: 3600 }, 0);
    expect(hour).toMatchObject({ accessToken: 'a', refreshToken: 'r', expiresAt: 3_600_000 });
    expect(needsRefresh(hour, 3_540_000 - 1)).toBe(false);
    expect(needsRefresh(hour, 3_540_000)).toBe(true);

    const short = secretFromTokens({ access_token: 'a', expires_in: 4 }, 0);
    expect(needsRefresh(short, 2_999)).toBe(false);
    expect(needsRefresh(short, 3_000)).toBe(true);
  });

  it('keeps the previous refresh token when the provider does not rotate it', () => {
    expect(secretFromTokens({ access_token: 'b', expires_in: 60 }, 0, 'old').refreshToken).toBe('old');
    expect(
      secretFromTokens({ access_token: 'b', refresh_token: 'new', expires_in: 60 }, 0, 'old').refreshToken,
    ).toBe('new');
  });

  it('uses a token without a stated expiry as it is', () => {
    const secret = secretFromTokens({ access_token: 'a' }, 0);
    expect(secret.expiresAt).toBeUndefined();
    expect(needsRefresh(secret, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('refreshes a token stored before refreshAt existed a minute before expiry', () => {
    expect(needsRefresh({ accessToken: 'a', refreshToken: 'r', expiresAt: 120_000 }, 60_000 - 1)).toBe(false);
    expect(needsRefresh({ accessToken: 'a', refreshToken: 'r', expiresAt: 120_000 }, 60_000)).toBe(true);
  });
});
