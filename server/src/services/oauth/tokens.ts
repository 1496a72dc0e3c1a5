// OAuth tokens of an account: what a token response becomes, and when to refresh. Stored
// (encrypted) in `accounts.secret` through domain/account-secret.ts, the one reader and writer.
import type { OAuthAccountSecret } from '../../domain/account-secret.js';

/** Epoch ms; expiresAt absent when the provider did not say, refreshAt a little before it. */
export type OAuthSecret = Omit<OAuthAccountSecret, 'kind'>;

/** A token response from the provider, as the OAuth client library returns it. */
export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
}

/** Refresh at most this long before expiry (a short-lived token refreshes at 3/4 of its life). */
export const refreshMarginMs = 60_000;

/**
 * The secret after a token response. A provider that does not rotate refresh tokens sends none
 * back on refresh: the previous one stays valid and is kept.
 */
export function secretFromTokens(
  tokens: TokenResponse,
  now: number,
  previousRefreshToken?: string,
): OAuthSecret {
  const lifetimeMs =
    typeof tokens.expires_in === 'number' && tokens.expires_in > 0 ? tokens.expires_in * 1000 : undefined;
  const refreshToken = tokens.refresh_token ?? previousRefreshToken;
  return {
    accessToken: tokens.access_token,
    ...(refreshToken !== undefined && { refreshToken }),
    ...(lifetimeMs !== undefined && {
      expiresAt: now + lifetimeMs,
      refreshAt: now + lifetimeMs - Math.min(refreshMarginMs, lifetimeMs / 4),
    }),
  };
}

/** Whether the access token should be replaced before use. Without an expiry it is used as it is. */
export function needsRefresh(secret: OAuthSecret, now: number): boolean {
  if (secret.expiresAt === undefined) return false;
  const refreshAt = secret.refreshAt ?? secret.expiresAt - refreshMarginMs;
  return now >= refreshAt;
}
