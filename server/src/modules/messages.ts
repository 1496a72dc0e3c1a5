// Reading and triaging mail in the panel, and fetching on demand a source the sync has not
// downloaded yet.
import type { AccessModule } from './access.js';
import type { Core } from './core.js';
import type { LoginsModule } from './logins.js';
import type { MessageStoreModule } from './message-store.js';
import { SyncAccountsRepository } from '../db/repositories/sync-accounts.repository.js';
import type { AccountSync } from '../services/account-sync.js';
import { MessageSourceFetcher } from '../services/message-source.js';
import { MessagesService } from '../services/messages.service.js';

export function createMessagesService(
  core: Core,
  { store, content }: MessageStoreModule,
  { access }: AccessModule,
  logins: LoginsModule,
  sync: AccountSync,
): MessagesService {
  const sources = new MessageSourceFetcher({
    accounts: new SyncAccountsRepository(core.db),
    messages: store,
    blobs: core.blobs,
    credentialsFor: logins.imapCredentialsFor,
    logger: core.logger.child({ component: 'message-source' }),
  });
  return new MessagesService({ store, access, blobs: core.blobs, content, sources, sync });
}
