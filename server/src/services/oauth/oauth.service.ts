// Connecting a mailbox with OAuth 2.0 ("Sign in"): the authorisation code flow with PKCE (S256),
// state and nonce. start() remembers the request server-side (single use, short-lived, bound to
// the user) and returns the provider's consent URL; complete() takes the provider's redirect back,
// redeems the code, checks that the tokens belong to the address being connected, verifies IMAP
// and SMTP with them, and only then saves the account (or, for "Sign in again", its new tokens).
import { createHash, randomBytes } from 'node:crypto';
import type { AccountsRepository } from '../../db/repositories/accounts.repository.js';
import type { OAuthRepository } from '../../db/repositories/oauth.repository.js';
import type { ProvidersRepository } from '../../db/repositories/providers.repository.js';
import { canonicalAddress, splitAddress, type Account } from '../../domain/account.js';
import { AppError, validationFailed } from '../../domain/errors.js';
import { providerVisibleTo, toProvider, type Provider } from '../../domain/provider.js';
import type { Actor } from '../../domain/user.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { AccountAccess } from '../account-access.js';
import type { AccountsService } from '../accounts.service.js';
import { OAuthProtocolError, type OAuthClient } from './oauth-client.js';
import { clientSettings, recordClientFailure } from './provider-client.js';
import { secretFromTokens } from './tokens.js';
import { sealAccountSecret } from '../../domain/account-secret.js';

export const oauthCallbackPath = '/api/v1/accounts/oauth/callback';

/** How long a person may spend on the provider's consent page. */
export const stateTtlMs = 10 * 60_000;

/** Checks IMAP login and SMTP authentication with a token; throws AppError(code, …, {step, protocol}). */
export type VerifyOAuthLogin = (
  provider: Provider,
  credentials: { login: string; accessToken: string },
) => Promise<void>;

export interface OAuthServiceDeps {
  repository: OAuthRepository;
  providers: ProvidersRepository;
  accountsRepository: AccountsRepository;
  accounts: Pick<AccountsService, 'connectWithOAuth'>;
  access: AccountAccess;
  secrets: SecretBox;
  client: OAuthClient;
  verify: VerifyOAuthLogin;
  /** read on each use: the public address may be set after start-up */
  baseUrl: () => string;
  clock: Clock;
  logger: Logger;
}

/** The provider's redirect back: `code` and `state`, or `error`. */
export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
  iss?: string;
}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

export class OAuthService {
  constructor(private readonly deps: OAuthServiceDeps) {}

  /** The redirect URI an admin registers with the provider. */
  redirectUri(): string {
    return `${this.deps.baseUrl()}${oauthCallbackPath}`;
  }

  async start(
    actor: Actor,
    input: { email: string; providerId: string },
  ): Promise<{ authorizationUrl: string }> {
    const email = canonicalAddress(input.email);
    const providerRow = await this.deps.providers.findById(input.providerId);
    if (!providerRow || !providerVisibleTo(actor, providerRow)) throw validationFailed({ providerId: 'is not a known provider' });
    const settings = await clientSettings(this.deps.providers, this.deps.secrets, providerRow.id);
    const accountId = await this.reconnectTarget(actor, email);

    const state = randomBytes(32).toString('base64url');
    const codeVerifier = randomBytes(32).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    let authorizationUrl: string;
    try {
      authorizationUrl = await this.deps.client.authorizationUrl(settings, {
        redirectUri: this.redirectUri(),
        state,
        codeVerifier,
        nonce,
        loginHint: email,
      });
    } catch (error) {
      throw this.protocolFailure(error);
    }
    const now = this.deps.clock.now();
    await this.deps.repository.deleteExpiredStates(now);
    await this.deps.repository.insertState({
      id: hashState(state),
      user_id: actor.id,
      provider_id: providerRow.id,
      email,
      account_id: accountId ?? null,
      code_verifier: this.deps.secrets.encrypt(codeVerifier),
      nonce,
      created_at: now,
      expires_at: now + stateTtlMs,
    });
    this.deps.logger.info(
      { userId: actor.id, providerId: providerRow.id, reconnect: accountId !== undefined },
      'OAuth sign-in started',
    );
    return { authorizationUrl };
  }

  /**
   * The provider's redirect back. Nothing is saved unless every check passes; the state is used
   * up either way, so a replayed or tampered callback cannot try again.
   */
  async complete(actor: Actor | undefined, query: CallbackQuery, callbackUrl: URL): Promise<Account> {
    if (!query.state)
      throw failed('state_invalid', 'The sign-in response is incomplete (no state); start again');
    const request = await this.deps.repository.takeState(hashState(query.state));
    if (!request)
      throw failed('state_invalid', 'This sign-in link is unknown or was already used; start again');
    if (request.expires_at <= this.deps.clock.now())
      throw failed('state_expired', 'The sign-in took too long; start again');
    if (!actor || actor.id !== request.user_id) {
      throw failed(
        'wrong_user',
        'This sign-in was started by another Mailyard user; sign in to Mailyard as them, or start again',
      );
    }

    const settings = await clientSettings(this.deps.providers, this.deps.secrets, request.provider_id);
    let exchanged;
    try {
      exchanged = await this.deps.client.exchangeCode(settings, {
        callbackUrl,
        redirectUri: this.redirectUri(),
        state: query.state,
        codeVerifier: this.deps.secrets.decrypt(request.code_verifier),
        nonce: request.nonce,
      });
    } catch (error) {
      const failure = this.protocolFailure(error);
      if (error instanceof OAuthProtocolError && (error.reason === 'invalid_client' || error.reason === 'configuration')) {
        await recordClientFailure(this.deps.repository, request.provider_id, error, this.deps.clock.now());
      }
      throw failure;
    }
    // The client works again: a failure the admin saw earlier is no longer current.
    await this.deps.repository.setProviderError(request.provider_id, null);

    const { tokens, email: signedInAs, emailVerified } = exchanged;
    if (signedInAs !== undefined && signedInAs.trim().toLowerCase() !== request.email) {
      throw failed(
        'wrong_address',
        `You signed in as ${signedInAs}, not ${request.email}; sign in with ${request.email}`,
        {
          signedInAs,
          email: request.email,
        },
      );
    }
    if (emailVerified === false)
      throw failed(
        'unverified_address',
        `The provider has not verified ${request.email}; it cannot be connected`,
      );

    const provider = await this.loadProvider(request.provider_id);
    // The provider's login format decides the user name (whole address unless it wants the local part).
    const login =
      provider.loginFormat === 'localPart' ? splitAddress(request.email).localPart : request.email;
    await this.deps.verify(provider, { login, accessToken: tokens.access_token });

    const secret = secretFromTokens(tokens, this.deps.clock.now());
    const account = await this.deps.accounts.connectWithOAuth(actor, {
      email: request.email,
      providerId: provider.id,
      login,
      secret: sealAccountSecret(this.deps.secrets, { kind: 'oauth', ...secret }),
    });
    if (request.account_id !== null && request.account_id !== account.id) {
      this.deps.logger.warn(
        { accountId: account.id, expected: request.account_id },
        'OAuth sign-in again landed on another account',
      );
    }
    return account;
  }

  /** The admin's view of a provider's OAuth client: the redirect URI to register and the last failure. */
  async clientStatus(
    actor: Actor,
    providerId: string,
  ): Promise<{ redirectUri: string; lastError: { code: string; message: string; at: string } | null }> {
    if (actor.role !== 'admin')
      throw new AppError('forbidden', 'Only administrators can see the OAuth settings of a provider');
    const row = await this.deps.repository.findProviderError(providerId);
    if (!row) throw new AppError('not_found', 'Provider not found');
    return {
      redirectUri: this.redirectUri(),
      lastError:
        row.oauth_error_code !== null && row.oauth_error_at !== null
          ? {
              code: row.oauth_error_code,
              message: row.oauth_error_message ?? '',
              at: new Date(Number(row.oauth_error_at)).toISOString(),
            }
          : null,
    };
  }

  /**
   * An address already connected: the caller may sign in again if they may manage it (or it is
   * their own archived one); anyone else's is refused before the person sees a consent page.
   */
  private async reconnectTarget(actor: Actor, email: string): Promise<string | undefined> {
    const existing = await this.deps.accountsRepository.findByEmail(email);
    if (!existing) return undefined;
    if (
      existing.archived_at !== null
        ? existing.user_id === actor.id
        : (await this.deps.access.rightsOn(actor, existing)).manage
    )
      return existing.id;
    const who = existing.owner_name || existing.owner_email;
    throw new AppError('account_exists', `${existing.email} is already connected by ${who}`, {
      email: existing.email,
      ownerName: who,
    });
  }

  private async loadProvider(id: string): Promise<Provider> {
    const row = await this.deps.providers.findById(id);
    if (!row) throw new AppError('not_found', 'Provider not found');
    return toProvider(row, await this.deps.providers.listDomains(id));
  }

  /**
   * What the person is told. A failure only an administrator can fix says so and never suggests
   * trying again; what the provider said (`error`, `error_description`) is part of the message.
   */
  private protocolFailure(error: unknown): AppError {
    if (error instanceof AppError) return error;
    if (!(error instanceof OAuthProtocolError)) {
      this.deps.logger.error({ err: error }, 'OAuth sign-in failed unexpectedly');
      return failed('internal', `The sign-in failed because of an error in Mailyard (logged for your administrator); ${askAdmin}`);
    }
    switch (error.reason) {
      case 'invalid_client':
        return failed('invalid_client', `${error.message}; ${askAdmin} to check the provider’s client ID and secret`, {
          providerError: error.providerError,
        });
      case 'configuration':
        return failed('configuration', `${error.message}; ${askAdmin} to correct the provider’s OAuth settings`);
      case 'invalid_grant':
        return failed(
          'invalid_grant',
          'The provider refused the sign-in code (expired, already used, or not issued for this request); start again',
        );
      case 'access_denied':
        return failed('access_denied', 'Access was not allowed on the provider’s consent page');
      case 'unreachable':
        return failed('provider_unreachable', 'The provider could not be reached; try again in a moment');
      case 'protocol':
        return failed(
          'provider_error',
          `The sign-in could not be completed: ${error.message}; ${askAdmin} to check the provider’s OAuth settings`,
          { providerError: error.providerError },
        );
    }
  }
}

const askAdmin = 'ask your Mailyard administrator';

/** oauth_failed with a machine-readable reason (`details.reason`) the UI can act on. */
function failed(reason: string, message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('oauth_failed', message, { reason, ...details });
}

