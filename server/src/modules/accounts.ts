// Email accounts: connecting a mailbox (password or OAuth 2.0), its settings, shares and deletion.
// The protocol work (verification, folder listing) is plain functions of mail/, handed in here.
import type { AccessModule } from './access.js';
import type { Core } from './core.js';
import type { LoginsModule } from './logins.js';
import type { ProvidersModule } from './providers.js';
import type { Provider } from '../domain/provider.js';
import { verifyAccountCredentials } from '../mail/diagnosis/diagnose.js';
import type { Credentials } from '../mail/diagnosis/types.js';
import { listServerFolders } from '../mail/imap/client.js';
import type { AccountSync } from '../services/account-sync.js';
import { AccountsService } from '../services/accounts.service.js';
import { OAuthService } from '../services/oauth/oauth.service.js';
import { assertHostAllowed } from '../services/provider-trust.js';

export interface AccountsModule {
  service: AccountsService;
  oauth: OAuthService;
}

export function createAccountsModule(
  core: Core,
  { accounts, access }: AccessModule,
  providers: ProvidersModule,
  logins: LoginsModule,
  sync: AccountSync,
): AccountsModule {
  const { secrets, clock, logger } = core;
  const verify = async (provider: Provider, credentials: Credentials) => {
    await verifyAccountCredentials(provider, credentials, providers.diagnoseOptionsFor(provider));
  };
  const service = new AccountsService({
    accounts,
    providers: providers.repository,
    access,
    secrets,
    // Provider settings come from the registry (admins, or users the admin allowed, whose new
    // providers passed the private-network rule when they were probed).
    verifyCredentials: verify,
    listServerFolders: async ({ provider, account }) => {
      if (!provider.trusted) await assertHostAllowed(providers.userResolve, provider.imap.host);
      const credentials = await logins.credentials({
        accountId: account.id,
        authMethod: provider.auth.method,
        login: account.login,
        secret: account.secret,
      });
      const folders = await listServerFolders({ ...provider.imap, tlsFingerprint: provider.tlsFingerprint }, credentials, { logger });
      return folders.filter((folder) => folder.selectable);
    },
    sync,
    blobs: core.blobs,
    clock,
    logger,
    publish: (event) => core.events.publish(event),
  });
  const oauth = new OAuthService({
    repository: logins.oauthRepository,
    providers: providers.repository,
    accountsRepository: accounts,
    accounts: service,
    access,
    secrets,
    client: logins.oauthClient,
    verify,
    baseUrl: () => core.config.baseUrl,
    clock,
    logger: logger.child({ component: 'oauth' }),
  });
  return { service, oauth };
}
