// The login for a mailbox's IMAP and SMTP sessions, for everyone who opens one: the sync engine,
// the outbox and the folder chooser share the one CredentialSource built in the composition root.
// Password accounts use their stored password; OAuth accounts get a valid access token from
// OAuthCredentials (refreshed shortly before it expires).
import { openAccountSecret, type SecretSealer } from '../domain/account-secret.js';
import { AppError } from '../domain/errors.js';
import type { SmtpCredentials } from '../mail/smtp/smtp-transport.js';

/** What IMAP (ImapCredentials) and SMTP (SmtpCredentials) log in with; the two are the same shape. */
export type MailCredentials = SmtpCredentials;

export interface CredentialAccount {
  accountId: string;
  /** the provider's `auth_method` */
  authMethod: string;
  login: string;
  /** encrypted `accounts.secret` */
  secret: string | null;
}

/**
 * Throws AppError('auth_failed' | 'oauth_failed') when only the owner can help (see needsOwner);
 * anything else (an OAuth provider that is briefly away) is worth trying again later.
 */
export type CredentialSource = (account: CredentialAccount) => Promise<MailCredentials>;

/** services/oauth/oauth-credentials.ts OAuthCredentials */
export interface OAuthLogins {
  credentialsFor(accountId: string): Promise<{ user: string; accessToken: string }>;
}

export function createCredentialSource(deps: { secrets: SecretSealer; oauth: OAuthLogins }): CredentialSource {
  return async (account) => {
    if (account.authMethod === 'oauth2') return deps.oauth.credentialsFor(account.accountId);
    if (account.secret === null)
      throw new AppError('auth_failed', 'No password is stored for this mailbox; enter the password again');
    let secret;
    try {
      secret = openAccountSecret(deps.secrets, account.secret);
    } catch (error) {
      // auth_failed is what makes the sync engine stop and ask the owner for the password, instead
      // of retrying a login that can never work.
      if (error instanceof AppError) throw new AppError('auth_failed', error.message, { reason: error.code });
      throw error;
    }
    return secret.kind === 'password'
      ? { user: account.login, password: secret.password }
      : { user: account.login, accessToken: secret.accessToken };
  };
}

const ownerCodes: readonly string[] = ['auth_failed', 'oauth_failed', 'secret_unreadable'];

/** The credentials failed for a reason only the owner can fix (enter the password, sign in again). */
export function needsOwner(error: unknown): error is AppError {
  return error instanceof AppError && ownerCodes.includes(error.code);
}
