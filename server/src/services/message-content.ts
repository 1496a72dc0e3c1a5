// The body of a message stored headers-first. A first sync (or any large catch-up) stores each
// message's raw source and headers as it downloads, so the mailbox is listed as fast as the
// server sends it; the text, the sanitised HTML and the attachments are parsed from the stored
// raw source just after, by the account's sync session (drain), or at once when someone opens
// a message still waiting (ensure). Either way the same parser as for a message parsed on
// arrival, so the stored result is the same; `contentPending` marks what is left, so a restart
// carries on where the last process stopped.
//
// One parser serves both; each call names the message store it writes to: the sync engine's
// (fenced by its lease on PostgreSQL) or the panel's.
import type { MessageStore } from '../db/message-store/message-store.js';
import type { ParsedContent, ParsedMessage } from '../domain/message.js';
import type { BlobStore } from '../lib/blob-store.js';
import type { Logger } from '../lib/logger.js';
import { emptyParsedMessage, parseMime } from '../mail/mime/parse.js';

export interface MessageContentDeps {
  blobs: BlobStore;
  logger: Logger;
}

/** The store methods parsing needs. */
export type ContentStore = Pick<MessageStore, 'pendingContent' | 'completeContent'>;

/** Messages parsed per transaction of a drain. */
const DRAIN_BATCH = 25;

export class MessageContentParser {
  constructor(private readonly deps: MessageContentDeps) {}

  /**
   * Parses every message of the account still waiting for its body, newest first, until none
   * is left or `stopped()` says so. Returns how many it parsed.
   */
  async drain(store: ContentStore, accountId: string, stopped: () => boolean): Promise<number> {
    let done = 0;
    for (;;) {
      const waiting = await store.pendingContent(accountId, DRAIN_BATCH);
      if (waiting.length === 0 || stopped()) return done;
      const parsed: ParsedContent[] = [];
      // One at a time: parsing is CPU work on this thread, more at once would only hold more memory.
      for (const message of waiting) parsed.push(await this.parse(message));
      await store.completeContent(parsed);
      done += parsed.length;
    }
  }

  /** Parses the body of one message now if it still waits (someone opened it). */
  async ensure(store: ContentStore, message: { id: string; rawSha256: string; contentPending: boolean }): Promise<void> {
    if (!message.contentPending) return;
    await store.completeContent([await this.parse(message)]);
  }

  private async parse(message: { id: string; rawSha256: string }): Promise<ParsedContent> {
    let parsed: ParsedMessage;
    let parseError: string | null = null;
    try {
      // Streamed from disk: a large message is never whole in memory.
      parsed = await parseMime(this.deps.blobs.open(message.rawSha256), this.deps.blobs);
    } catch (error) {
      // Kept raw, like a message that fails to parse on arrival; never retried in a loop.
      parsed = emptyParsedMessage();
      parseError = error instanceof Error ? error.message.slice(0, 500) : 'unparseable message';
      this.deps.logger.warn({ messageId: message.id }, 'message body could not be parsed; kept raw');
    }
    return { id: message.id, parsed, parseError };
  }
}
