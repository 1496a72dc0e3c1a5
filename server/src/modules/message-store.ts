// Stored mail: the panel's message store and the body parser shared by the panel and the sync
// engine (whose own store, on its fenced connection, the sync module builds).
import type { Core } from './core.js';
import { MessageStore } from '../db/message-store/message-store.js';
import { MessageContentParser } from '../services/message-content.js';

export interface MessageStoreModule {
  /** on the main connection: what requests read and change */
  store: MessageStore;
  content: MessageContentParser;
}

export function createMessageStoreModule(core: Core): MessageStoreModule {
  return {
    store: new MessageStore({ db: core.db, clock: core.clock, publish: (event) => core.events.publish(event) }),
    content: new MessageContentParser({ blobs: core.blobs, logger: core.logger }),
  };
}
