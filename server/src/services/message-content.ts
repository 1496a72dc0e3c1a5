// The body of a message stored headers-first. A first sync (or any large catch-up) stores each
// message's raw source and headers as it downloads, so the mailbox is listed as fast as the
// server sends it; the text, the sanitised HTML and the attachments are parsed from the stored
// raw source just after, by the account's sync session (drain), or at once when someone opens
// a message still waiting (ensure). Either way the same parser as for a message parsed on
// arrival, so the stored result is the same; `content_pending` marks what is left, so a
// restart carries on where the last process stopped.
import type { MessageRow } from '../db/schema.js';
import type {
  MessageContent,
  MessagesRepository,
  NewAttachment,
  ParsedContent,
} from '../db/repositories/messages.repository.js';
import type { ServerEvent } from '../domain/events.js';
import { toMessageListItem } from '../domain/message.js';
import type { BlobStore } from '../lib/blob-store.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { emptyParsedMessage, parseMime, type ParsedMessage } from '../mail/mime/parse.js';

/** The stored columns of a parsed body. */
export function contentOf(parsed: ParsedMessage, parseError: string | null): MessageContent {
  return {
    text: parsed.text,
    html: parsed.html,
    snippet: parsed.snippet,
    has_attachments: parsed.attachments.some((a) => a.disposition === 'attachment') ? 1 : 0,
    parse_error: parseError,
  };
}

export function attachmentsOf(parsed: ParsedMessage): NewAttachment[] {
  return parsed.attachments.map((a) => ({
    filename: a.filename,
    content_type: a.contentType,
    size: a.size,
    content_id: a.contentId,
    disposition: a.disposition,
    blob_sha256: a.blobSha256,
    position: a.position,
  }));
}

export interface MessageContentDeps {
  messages: Pick<MessagesRepository, 'pendingContent' | 'completeContent'>;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
  publish(event: ServerEvent): void;
}

/** Messages parsed per transaction of a drain. */
const DRAIN_BATCH = 25;

export class MessageContentParser {
  constructor(private readonly deps: MessageContentDeps) {}

  /**
   * Parses every message of the account still waiting for its body, newest first, until none
   * is left or `stopped()` says so. Returns how many it parsed.
   */
  async drain(accountId: string, stopped: () => boolean): Promise<number> {
    let done = 0;
    for (;;) {
      const waiting = await this.deps.messages.pendingContent(accountId, DRAIN_BATCH);
      if (waiting.length === 0 || stopped()) return done;
      const parsed: ParsedContent[] = [];
      // One at a time: parsing is CPU work on this thread, more at once would only hold more memory.
      for (const message of waiting) parsed.push(await this.parse(message));
      await this.store(parsed);
      done += parsed.length;
    }
  }

  /** Parses the body of one message now if it still waits (someone opened it). */
  async ensure(row: Pick<MessageRow, 'id' | 'raw_sha256' | 'content_pending'>): Promise<void> {
    if (row.content_pending !== 1) return;
    await this.store([await this.parse(row)]);
  }

  private async parse(message: Pick<MessageRow, 'id' | 'raw_sha256'>): Promise<ParsedContent> {
    let parsed: ParsedMessage;
    let parseError: string | null = null;
    try {
      // Streamed from disk: a large message is never whole in memory.
      parsed = await parseMime(this.deps.blobs.open(message.raw_sha256), this.deps.blobs);
    } catch (error) {
      // Kept raw, like a message that fails to parse on arrival; never retried in a loop.
      parsed = emptyParsedMessage();
      parseError = error instanceof Error ? error.message.slice(0, 500) : 'unparseable message';
      this.deps.logger.warn({ messageId: message.id }, 'message body could not be parsed; kept raw');
    }
    return { id: message.id, content: contentOf(parsed, parseError), attachments: attachmentsOf(parsed) };
  }

  private async store(parsed: readonly ParsedContent[]): Promise<void> {
    const stored = await this.deps.messages.completeContent(parsed, this.deps.clock.now());
    for (const { row, folderPath } of stored)
      this.deps.publish({
        type: 'message.updated',
        accountId: row.account_id,
        data: { ...toMessageListItem(row, folderPath) },
      });
  }
}
