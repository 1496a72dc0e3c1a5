// A provider's OAuth client settings (secret decrypted) and its last client failure.
import type { OAuthRepository } from '../../db/repositories/oauth.repository.js';
import type { ProvidersRepository } from '../../db/repositories/providers.repository.js';
import { AppError } from '../../domain/errors.js';
import { parseScopes } from '../../domain/provider.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { OAuthClientSettings, OAuthProtocolError } from './oauth-client.js';

export async function clientSettings(
  providers: ProvidersRepository,
  secrets: SecretBox,
  providerId: string,
): Promise<OAuthClientSettings> {
  const row = await providers.findById(providerId);
  if (!row) throw new AppError('not_found', 'Provider not found');
  if (row.auth_method !== 'oauth2') {
    throw new AppError('oauth_failed', `${row.name} signs in with a password, not with OAuth 2.0`, {
      reason: 'not_oauth',
    });
  }
  const missing = [
    row.oauth_client_id ? undefined : 'client ID',
    row.oauth_client_secret ? undefined : 'client secret',
    row.oauth_authorization_url ? undefined : 'authorization URL',
    row.oauth_token_url ? undefined : 'token URL',
  ].filter((m): m is string => m !== undefined);
  if (
    missing.length > 0 ||
    !row.oauth_client_id ||
    !row.oauth_client_secret ||
    !row.oauth_authorization_url ||
    !row.oauth_token_url
  ) {
    throw new AppError(
      'oauth_failed',
      `${row.name} is not ready for OAuth 2.0 sign-in: its ${missing.join(', ')} must be set by an administrator`,
      {
        reason: 'not_configured',
      },
    );
  }
  return {
    providerId: row.id,
    clientId: row.oauth_client_id,
    clientSecret: secrets.decrypt(row.oauth_client_secret),
    authorizationUrl: row.oauth_authorization_url,
    tokenUrl: row.oauth_token_url,
    scopes: parseScopes(row.oauth_scopes),
  };
}

/** Remembered on the provider, so the admin sees why sign-ins fail (invalid_client). */
export async function recordClientFailure(
  repository: OAuthRepository,
  providerId: string,
  error: OAuthProtocolError,
  now: number,
): Promise<void> {
  await repository.setProviderError(providerId, {
    code: error.providerError ?? error.reason,
    message: error.message,
    at: now,
  });
}
