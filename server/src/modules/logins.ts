// The one way to a mailbox login, for the sync engine, the outbox, the folder chooser and the
// on-demand source fetch alike: the stored password, or an OAuth 2.0 access token refreshed
// before it expires. An untrusted provider's hosts must still resolve to public addresses.
import type { Core } from './core.js';
import type { ProvidersModule } from './providers.js';
import { OAuthRepository } from '../db/repositories/oauth.repository.js';
import type { SyncAccount } from '../db/repositories/sync-accounts.repository.js';
import type { ImapCredentials } from '../mail/imap/client.js';
import { createCredentialSource, type CredentialAccount, type CredentialSource, type MailCredentials } from '../services/credential-source.js';
import { OAuthClient } from '../services/oauth/oauth-client.js';
import { OAuthCredentials } from '../services/oauth/oauth-credentials.js';

export interface LoginsModule {
  oauthRepository: OAuthRepository;
  oauthClient: OAuthClient;
  credentials: CredentialSource;
  /** for IMAP sessions of an account (sync, on-demand fetch) */
  imapCredentialsFor: (account: SyncAccount) => Promise<ImapCredentials>;
  /** for sending: SMTP, and IMAP for the Sent copy */
  sendCredentials: (account: CredentialAccount) => Promise<MailCredentials>;
}

export function createLoginsModule(core: Core, providers: ProvidersModule): LoginsModule {
  const oauthRepository = new OAuthRepository(core.db);
  const oauthClient = new OAuthClient();
  const oauth = new OAuthCredentials({
    repository: oauthRepository,
    providers: providers.repository,
    secrets: core.secrets,
    client: oauthClient,
    clock: core.clock,
    logger: core.logger.child({ component: 'oauth' }),
    publish: (event) => core.events.publish(event),
  });
  const credentials = createCredentialSource({ secrets: core.secrets, oauth });
  return {
    oauthRepository,
    oauthClient,
    credentials,
    imapCredentialsFor: async (account) => {
      await providers.untrusted.assertAccountReachable(account.id, ['imap']);
      return credentials({ accountId: account.id, authMethod: account.auth_method, login: account.login, secret: account.secret });
    },
    sendCredentials: async (account) => {
      // A refusal is retried like any passing failure (the name may be pointed back).
      await providers.untrusted.assertAccountReachable(account.accountId, ['smtp', 'imap']);
      return credentials(account);
    },
  };
}
