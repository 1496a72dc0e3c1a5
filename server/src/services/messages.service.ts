// Reading and triaging mail in the communication panel. Every method first narrows to the
// accounts the caller may read; a message outside them is "not found", exactly like one that
// does not exist, so ids reveal nothing. Changes apply to the stored message at once (the panel
// must feel instant) and are queued for the sync engine to carry to IMAP (the message store does
// both in one transaction and announces the change); the engine is then told to look.
import type { Readable } from 'node:stream';
import type { MessageStore } from '../db/message-store/message-store.js';
import type { AccountPermission } from '../domain/account.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { notFound, validationFailed } from '../domain/errors.js';
import type { MessageDetail, MessageDirection, MessageListItem, StoredMessage, UnreadCount } from '../domain/message.js';
import { parseSearchQuery } from '../domain/search-query.js';
import type { AccountSync } from './account-sync.js';
import type { MessageContentParser } from './message-content.js';
import type { MessageSourceFetcher } from './message-source.js';

export const defaultPageSize = 50;
export const maxPageSize = 200;

/** The part of AccountAccess this service relies on. */
export interface MessageAccess {
  accountIdsFor(caller: { id: string }, permission: AccountPermission): Promise<string[]>;
  assertCan(caller: { id: string }, accountId: string, permission: AccountPermission): Promise<unknown>;
}

/** The part of the BlobStore this service reads. */
export interface BlobReader {
  open(sha256: string): Readable;
  exists(sha256: string): Promise<boolean>;
}

export interface ListMessagesQuery {
  accountId?: string;
  folder?: string;
  q?: string;
  unread?: boolean;
  direction?: MessageDirection;
  limit?: number;
  cursor?: string;
}

export interface MessageChangeRequest {
  seen?: boolean;
  flagged?: boolean;
  folder?: string;
}


export interface BlobDownload {
  stream: Readable;
  filename: string;
  contentType: string;
  size: number;
}

type Caller = { id: string };

export interface MessagesServiceDeps {
  /** the panel's message store */
  store: MessageStore;
  access: MessageAccess;
  blobs: BlobReader;
  /** parses a body still waiting after a headers-first sync */
  content: Pick<MessageContentParser, 'ensure'>;
  /** fetches a source the sync has not downloaded yet */
  sources: Pick<MessageSourceFetcher, 'ensure'>;
  /** carries what the panel queued to the server */
  sync: Pick<AccountSync, 'notifyPendingChanges'>;
}

export class MessagesService {
  constructor(private readonly deps: MessagesServiceDeps) {}

  private get store(): MessageStore {
    return this.deps.store;
  }

  async list(caller: Caller, query: ListMessagesQuery): Promise<{ items: MessageListItem[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? defaultPageSize, 1), maxPageSize);
    const position = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    let accountIds: string[];
    if (query.accountId !== undefined) {
      await this.deps.access.assertCan(caller, query.accountId, 'read');
      accountIds = [query.accountId];
    } else {
      accountIds = await this.deps.access.accountIdsFor(caller, 'read');
    }
    if (accountIds.length === 0) return { items: [], nextCursor: null };
    const search = query.q === undefined ? [] : parseSearchQuery(query.q);
    const items = await this.store.list({
      accountIds,
      ...(query.folder !== undefined && { folder: query.folder }),
      ...(query.unread !== undefined && { unread: query.unread }),
      ...(query.direction !== undefined && { direction: query.direction }),
      ...(search.length > 0 && { search }),
      ...(position && { after: { date: position.at, id: position.id } }),
      // one extra row tells whether another page exists
      limit: limit + 1,
    });
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor: items.length > limit && last ? encodeCursor({ at: Date.parse(last.date), id: last.id }) : null,
    };
  }

  async get(caller: Caller, id: string): Promise<MessageDetail> {
    await this.complete(await this.readable(caller, id));
    const detail = await this.store.detail(id);
    if (!detail) throw notFound('Message');
    return detail;
  }

  async raw(caller: Caller, id: string): Promise<BlobDownload> {
    // The source only: its body may wait for the sync.
    const message = await this.complete(await this.readable(caller, id), { body: false });
    return {
      stream: await this.openBlob(message.rawSha256, 'Message source'),
      filename: `${message.subject.trim() || 'message'}.eml`,
      contentType: 'message/rfc822',
      size: message.size,
    };
  }

  async attachment(caller: Caller, id: string, attachmentId: string): Promise<BlobDownload> {
    await this.readable(caller, id);
    const attachment = await this.store.attachment(id, attachmentId);
    if (!attachment) throw notFound('Attachment');
    return {
      stream: await this.openBlob(attachment.blobSha256, 'Attachment'),
      filename: attachment.filename,
      contentType: attachment.contentType,
      size: attachment.size,
    };
  }

  async thread(caller: Caller, threadId: string): Promise<{ items: MessageListItem[] }> {
    const accountIds = await this.deps.access.accountIdsFor(caller, 'read');
    const items = accountIds.length === 0 ? [] : await this.store.thread(threadId, accountIds);
    if (items.length === 0) throw notFound('Thread');
    return { items };
  }

  async unreadCount(caller: Caller): Promise<UnreadCount> {
    const accountIds = await this.deps.access.accountIdsFor(caller, 'read');
    const counts = accountIds.length === 0 ? new Map<string, number>() : await this.store.unreadCounts(accountIds);
    const items = accountIds.map((accountId) => ({ accountId, unread: counts.get(accountId) ?? 0 }));
    return { total: items.reduce((sum, item) => sum + item.unread, 0), items };
  }

  /**
   * Seen and flagged are part of reading (a grantee with read access triages); moving a
   * message changes the mailbox, so it needs the manage right.
   */
  async update(caller: Caller, id: string, request: MessageChangeRequest): Promise<MessageListItem> {
    const message = await this.readable(caller, id);
    const seen = request.seen !== undefined && request.seen !== message.seen ? request.seen : undefined;
    const flagged = request.flagged !== undefined && request.flagged !== message.flagged ? request.flagged : undefined;
    let toFolderId: string | undefined;
    if (request.folder !== undefined && request.folder !== message.folder) {
      await this.deps.access.assertCan(caller, message.accountId, 'manage');
      toFolderId = await this.store.folderId(message.accountId, request.folder);
      if (toFolderId === undefined) throw validationFailed({ folder: 'is not a folder of this account' });
    }
    if (seen === undefined && flagged === undefined && toFolderId === undefined) {
      const unchanged = await this.store.listItem(id);
      if (!unchanged) throw notFound('Message');
      return unchanged;
    }
    const updated = await this.store.change(id, {
      ...(seen !== undefined && { seen }),
      ...(flagged !== undefined && { flagged }),
      ...(toFolderId !== undefined && { toFolderId }),
    });
    if (!updated) throw notFound('Message');
    this.deps.sync.notifyPendingChanges(updated.accountId);
    return updated;
  }

  /**
   * A reply to the message went out (the outbox calls this): it shows as answered here and the
   * engine sets \Answered on its server. Nothing happens for a message deleted meanwhile.
   */
  async markAnswered(id: string): Promise<void> {
    const message = await this.store.find(id);
    if (!message || message.answered) return;
    await this.store.change(id, { answered: true });
    this.deps.sync.notifyPendingChanges(message.accountId);
  }

  /** Records the intent; the engine moves it to Trash, or flags \Deleted and expunges. */
  async delete(caller: Caller, id: string): Promise<void> {
    const message = await this.readable(caller, id);
    await this.deps.access.assertCan(caller, message.accountId, 'manage');
    await this.store.delete(id);
    this.deps.sync.notifyPendingChanges(message.accountId);
  }

  /** A missing blob is a 404 before any byte is sent, not a stream that breaks halfway. */
  private async openBlob(sha256: string, what: string): Promise<Readable> {
    if (!/^[0-9a-f]{64}$/.test(sha256) || !(await this.deps.blobs.exists(sha256))) throw notFound(what);
    return this.deps.blobs.open(sha256);
  }

  /**
   * Opened before the sync got to it: its source is fetched now, or (with `body`) its body parsed
   * now, rather than shown empty. Returns the message as it is then.
   */
  private async complete(message: StoredMessage, { body } = { body: true }): Promise<StoredMessage> {
    if (message.sourcePending) await this.deps.sources.ensure(message);
    else if (body && message.contentPending) await this.deps.content.ensure(this.store, message);
    else return message;
    return (await this.store.find(message.id)) ?? message;
  }

  /** complete() for a message the caller was already allowed to read (a forward's original). */
  async completeById(id: string): Promise<void> {
    const message = await this.store.find(id);
    if (message) await this.complete(message);
  }

  private async readable(caller: Caller, id: string): Promise<StoredMessage> {
    const message = await this.store.find(id);
    if (!message || !(await this.deps.access.accountIdsFor(caller, 'read')).includes(message.accountId)) throw notFound('Message');
    return message;
  }
}
