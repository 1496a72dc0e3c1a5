// Sending: the durable outbox (the request side queues, the worker sends exactly once and files
// the Sent copy).
import type { AccessModule } from './access.js';
import type { Core } from './core.js';
import type { LoginsModule } from './logins.js';
import type { MessageStoreModule } from './message-store.js';
import { OutboxRepository } from '../db/repositories/outbox.repository.js';
import type { AccountSync } from '../services/account-sync.js';
import type { MessagesService } from '../services/messages.service.js';
import { OutboxService } from '../services/outbox/outbox.service.js';
import { OutboxWorker, type OutboxCheckpoint } from '../services/outbox/outbox-worker.js';
import { ImapSentFolder } from '../services/outbox/sent-folder.js';

export interface OutboxModule {
  service: OutboxService;
  worker: OutboxWorker;
}

export function createOutboxModule(
  core: Core,
  { store }: MessageStoreModule,
  messages: MessagesService,
  { access }: AccessModule,
  logins: LoginsModule,
  sync: AccountSync,
  checkpoint: ((point: OutboxCheckpoint) => void) | undefined,
): OutboxModule {
  const { config, blobs, events, clock, logger } = core;
  const outbox = new OutboxRepository(core.db);
  const worker = new OutboxWorker({
    outbox,
    blobs,
    events,
    clock,
    logger: logger.child({ component: 'outbox' }),
    credentials: logins.sendCredentials,
    sentFolder: new ImapSentFolder(logger),
    config: config.outbox,
    singleProcess: config.database.kind === 'sqlite',
    // The Sent copy reaches the panel through the sync engine: it is asked to look now.
    sync,
    messages,
    ...(checkpoint && { checkpoint }),
  });
  const service = new OutboxService({ outbox, access, store, messages, worker, blobs, events, clock });
  return { service, worker };
}
