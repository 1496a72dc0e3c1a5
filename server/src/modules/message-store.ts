// Stored mail: the panel's message store and the body parser shared by the panel and the sync
// engine (whose own store, on its fenced connection, the sync module builds).
import type { Core } from './core.js';
import { MessageStore } from '../db/message-store/message-store.js';
import { SettingsRepository } from '../db/repositories/settings.repository.js';
import { HtmlTextBackfill } from '../services/html-text-backfill.js';
import { MessageContentParser } from '../services/message-content.js';

export interface MessageStoreModule {
  /** on the main connection: what requests read and change */
  store: MessageStore;
  content: MessageContentParser;
  /** gives messages stored before HTML-only mail was rendered their plain text */
  htmlTextBackfill: HtmlTextBackfill;
}

export function createMessageStoreModule(core: Core): MessageStoreModule {
  const store = new MessageStore({ db: core.db, clock: core.clock, publish: (event) => core.events.publish(event) });
  return {
    store,
    content: new MessageContentParser({ blobs: core.blobs, logger: core.logger }),
    htmlTextBackfill: new HtmlTextBackfill({ store, settings: new SettingsRepository(core.db), logger: core.logger }),
  };
}
