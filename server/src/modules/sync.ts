// The sync engine, with the scale-out it runs under: on PostgreSQL it writes through a fenced
// connection and syncs only the mailboxes whose leases this process holds; what the services ask
// of it (AccountSync) also reaches the worker holding an account when that is another process.
import type { Core } from './core.js';
import type { LoginsModule } from './logins.js';
import type { MessageStoreModule } from './message-store.js';
import { FoldersRepository } from '../db/repositories/folders.repository.js';
import { SyncAccountsRepository } from '../db/repositories/sync-accounts.repository.js';
import { MessageStore } from '../db/message-store/message-store.js';
import { ScaleOut } from '../scale/scale-out.js';
import type { AccountSync } from '../services/account-sync.js';
import { SyncEngine, defaultSyncEngineOptions, type SyncEngineOptions } from '../sync/engine.js';

export interface SyncModule {
  scale: ScaleOut;
  engine: SyncEngine;
  /** this process's engine and, on PostgreSQL, the worker holding the account */
  accountSync: AccountSync;
}

export function createSyncModule(
  core: Core,
  messages: MessageStoreModule,
  logins: LoginsModule,
  options: SyncEngineOptions | undefined,
): SyncModule {
  const scale = new ScaleOut({ config: core.config, db: core.db, events: core.events, messages: messages.store, logger: core.logger });
  const publish = (event: Parameters<Core['events']['publish']>[0]) => core.events.publish(event);
  const engine = new SyncEngine(
    {
      accounts: new SyncAccountsRepository(scale.syncDb),
      folders: new FoldersRepository(scale.syncDb),
      // Its own store on the fenced connection: a worker that lost a lease cannot write.
      messages: new MessageStore({ db: scale.syncDb, clock: core.clock, publish }),
      content: messages.content,
      blobs: core.blobs,
      publish,
      clock: core.clock,
      logger: core.logger,
      credentialsFor: logins.imapCredentialsFor,
      scale: scale.hooks,
    },
    options ?? fromConfig(defaultSyncEngineOptions, core.config),
  );
  scale.attach(engine);
  return { scale, engine, accountSync: scale.accountSync(engine) };
}

const fromConfig = (options: SyncEngineOptions, config: Core['config']): SyncEngineOptions => ({
  ...options,
  folderSync: { ...options.folderSync, parseWorkers: config.syncParseWorkers },
  verification: { ...options.verification, ...config.verification },
});
