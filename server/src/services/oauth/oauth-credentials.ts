// The login for an OAuth account's IMAP and SMTP sessions: a valid access token, refreshed shortly
// before it expires. One refresh at a time per account: an in-process lock, plus the database
// (a row lock on PostgreSQL, compare-and-swap on SQLite) against other processes, because a
// provider that rotates refresh tokens treats a second use of the old one as theft and revokes
// the whole grant. A refused refresh (invalid_grant) puts the account in `error` with
// "Sign in again".
import type { OAuthRepository } from '../../db/repositories/oauth.repository.js';
import type { ProvidersRepository } from '../../db/repositories/providers.repository.js';
import { openAccountSecret, sealAccountSecret } from '../../domain/account-secret.js';
import { toAccountStatus } from '../../domain/account.js';
import { AppError } from '../../domain/errors.js';
import type { ServerEvent } from '../../domain/events.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { KeyedMutex } from './keyed-mutex.js';
import { OAuthProtocolError, type OAuthClient } from './oauth-client.js';
import { clientSettings, recordClientFailure } from './provider-client.js';
import { needsRefresh, secretFromTokens, type OAuthSecret } from './tokens.js';

export interface OAuthLogin {
  user: string;
  accessToken: string;
}

export interface OAuthCredentialsDeps {
  repository: OAuthRepository;
  providers: ProvidersRepository;
  secrets: SecretBox;
  client: OAuthClient;
  clock: Clock;
  logger: Logger;
  publish(event: ServerEvent): void;
}

type RefreshOutcome = { kind: 'token'; login: OAuthLogin } | { kind: 'failed'; error: OAuthProtocolError };

export class OAuthCredentials {
  private readonly mutex = new KeyedMutex();

  constructor(private readonly deps: OAuthCredentialsDeps) {}

  /**
   * A token the servers accept now. Throws AppError('oauth_failed') when only the owner can help
   * (the account is then in `error`), and AppError('service_unavailable') for a provider that is
   * briefly unreachable (callers retry later).
   */
  async credentialsFor(accountId: string): Promise<OAuthLogin> {
    const account = await this.deps.repository.findTokenContext(accountId);
    if (!account) throw new AppError('not_found', 'Email account not found');
    const current = this.open(account.secret);
    if (!needsRefresh(current, this.deps.clock.now()))
      return { user: account.login, accessToken: current.accessToken };
    return this.mutex.run(accountId, () => this.refresh(accountId, account.login, account.provider_id));
  }

  private async refresh(accountId: string, login: string, providerId: string): Promise<OAuthLogin> {
    const outcome = await this.deps.repository.withLockedSecret(
      accountId,
      async (stored, save): Promise<RefreshOutcome> => {
        const secret = this.open(stored);
        const now = this.deps.clock.now();
        // Whoever held the lock before us may have refreshed already.
        if (!needsRefresh(secret, now))
          return { kind: 'token', login: { user: login, accessToken: secret.accessToken } };
        if (secret.refreshToken === undefined) {
          return {
            kind: 'failed',
            error: new OAuthProtocolError(
              'invalid_grant',
              'The provider gave no refresh token and the access token has expired',
            ),
          };
        }
        const settings = await clientSettings(this.deps.providers, this.deps.secrets, providerId);
        let next: OAuthSecret;
        try {
          next = secretFromTokens(
            await this.deps.client.refresh(settings, secret.refreshToken),
            this.deps.clock.now(),
            secret.refreshToken,
          );
        } catch (error) {
          const failure =
            error instanceof OAuthProtocolError
              ? error
              : new OAuthProtocolError('unreachable', 'The provider could not be reached');
          // A token still inside its lifetime carries on while the provider is away.
          if (failure.reason === 'unreachable' && secret.expiresAt !== undefined && now < secret.expiresAt) {
            this.deps.logger.warn(
              { accountId, reason: failure.reason },
              'token refresh failed; using the current token until it expires',
            );
            return { kind: 'token', login: { user: login, accessToken: secret.accessToken } };
          }
          return { kind: 'failed', error: failure };
        }
        if (await save(sealAccountSecret(this.deps.secrets, { kind: 'oauth', ...next }), this.deps.clock.now())) {
          this.deps.logger.info(
            { accountId, rotated: next.refreshToken !== secret.refreshToken },
            'access token refreshed',
          );
          return { kind: 'token', login: { user: login, accessToken: next.accessToken } };
        }
        // Someone signed in again meanwhile (compare-and-swap lost): their tokens are the newer ones.
        const fresh = await this.deps.repository.findTokenContext(accountId);
        return {
          kind: 'token',
          login: { user: login, accessToken: this.open(fresh?.secret ?? null).accessToken },
        };
      },
    );
    if (outcome.kind === 'token') return outcome.login;
    return this.fail(accountId, providerId, outcome.error);
  }

  /** Outside the row lock: recording the failure writes the same account row. */
  private async fail(accountId: string, providerId: string, error: OAuthProtocolError): Promise<never> {
    const now = this.deps.clock.now();
    this.deps.logger.warn(
      { accountId, reason: error.reason, providerError: error.providerError },
      'token refresh failed',
    );
    switch (error.reason) {
      case 'unreachable':
        throw new AppError('service_unavailable', `${error.message}; Mailyard will try again`);
      case 'invalid_client':
      case 'configuration':
        await recordClientFailure(this.deps.repository, providerId, error, now);
        return this.needsOwner(
          accountId,
          `${error.message}; ask your administrator to check the provider's OAuth settings, then sign in again`,
          now,
        );
      case 'invalid_grant':
      case 'access_denied':
      case 'protocol':
        return this.needsOwner(
          accountId,
          'The provider no longer accepts Mailyard’s access to this mailbox; sign in again',
          now,
        );
    }
  }

  private async needsOwner(accountId: string, message: string, now: number): Promise<never> {
    const status = await this.deps.repository.markAccountError(accountId, {
      code: 'oauth_failed',
      message,
      action: 'sign_in_again',
      at: now,
    });
    if (status)
      this.deps.publish({ type: 'account.status', accountId, data: { ...toAccountStatus(status) } });
    throw new AppError('oauth_failed', message, { action: 'sign_in_again' });
  }

  private open(stored: string | null): OAuthSecret {
    let secret: OAuthSecret | undefined;
    try {
      const opened = stored === null ? undefined : openAccountSecret(this.deps.secrets, stored);
      if (opened?.kind === 'oauth') secret = opened;
    } catch {
      // Encrypted with another key, or damaged: new tokens are the only way forward.
      secret = undefined;
    }
    if (!secret)
      throw new AppError('oauth_failed', 'No OAuth tokens are stored for this mailbox; sign in again', {
        action: 'sign_in_again',
      });
    return secret;
  }
}
