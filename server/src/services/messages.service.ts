// Reading and triaging mail in the communication panel. Every method first narrows to the
// accounts the caller may read; a message outside them is "not found", exactly like one that
// does not exist, so ids reveal nothing. Changes apply to the local row at once (the panel
// must feel instant) and are queued in pending_changes for the sync engine to carry to IMAP.
import type { Readable } from 'node:stream';
import type {
  AttachmentRow,
  MessageDetailRow,
  MessageListRowWithFolder,
  MessageQueriesRepository,
} from '../db/repositories/message-queries.repository.js';
import type { AccountPermission } from '../domain/account.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { notFound, validationFailed } from '../domain/errors.js';
import {
  parseAddressList,
  serverLocationOf,
  toMessageListItem,
  type MailAddress,
  type MessageDirection,
  type MessageListItem,
  type PendingDeletePayload,
  type PendingFlagsPayload,
  type PendingMovePayload,
  type ServerLocation,
} from '../domain/message.js';
import type { Clock } from '../lib/clock.js';
import type { AccountSync } from './account-sync.js';
import type { EventBus } from './event-bus.js';
import { parseSearchQuery } from '../domain/search-query.js';
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

export interface MessageAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
}

export interface MessageDetail extends MessageListItem {
  bcc: MailAddress[];
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  text: string | null;
  /** sanitised at sync time; remote sources are parked in data-remote-src */
  html: string | null;
  headers: unknown;
  attachments: MessageAttachment[];
  /** set when the message could not be parsed and only its raw source is available */
  parseError: string | null;
}

export interface MessageChange {
  seen?: boolean;
  flagged?: boolean;
  folder?: string;
}

export interface UnreadCount {
  total: number;
  items: { accountId: string; unread: number }[];
}

export interface BlobDownload {
  stream: Readable;
  filename: string;
  contentType: string;
  size: number;
}

type Caller = { id: string };

/** MessageQueriesRepository.moveTo parks a moved row at UIDVALIDITY 0 until the engine re-keys it. */
const atPlaceholder = (row: { uid_validity: number }) => Number(row.uid_validity) === 0;

const listItem = (row: MessageListRowWithFolder) => toMessageListItem(row, row.folder_path);

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}

function toAttachment(row: AttachmentRow): MessageAttachment {
  return {
    id: row.id,
    filename: row.filename,
    contentType: row.content_type,
    size: Number(row.size),
    contentId: row.content_id,
    inline: row.disposition === 'inline',
  };
}

function toDetail(row: MessageDetailRow, attachments: AttachmentRow[]): MessageDetail {
  const references = parseJson(row.references);
  return {
    ...toMessageListItem(row, row.folder_path),
    bcc: parseAddressList(row.bcc_json),
    messageId: row.message_id,
    inReplyTo: row.in_reply_to,
    references: Array.isArray(references) ? references.filter((r): r is string => typeof r === 'string') : [],
    text: row.text,
    html: row.html,
    headers: parseJson(row.headers_json),
    attachments: attachments.map(toAttachment),
    parseError: row.parse_error,
  };
}

export class MessagesService {
  constructor(
    private readonly messages: MessageQueriesRepository,
    private readonly access: MessageAccess,
    private readonly blobs: BlobReader,
    private readonly events: EventBus,
    private readonly clock: Clock,
    /** parses a body still waiting after a headers-first sync (services/message-content.ts) */
    private readonly content?: Pick<MessageContentParser, 'ensure'>,
    /** fetches a source the sync has not downloaded yet (services/message-source.ts) */
    private readonly sources?: Pick<MessageSourceFetcher, 'ensure'>,
    /** carries what the panel queued in pending_changes to the server */
    private readonly sync: Pick<AccountSync, 'notifyPendingChanges'> = { notifyPendingChanges: () => undefined },
  ) {}

  async list(caller: Caller, query: ListMessagesQuery): Promise<{ items: MessageListItem[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? defaultPageSize, 1), maxPageSize);
    const position = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const after = position && { date: position.at, id: position.id };
    let accountIds: string[];
    if (query.accountId !== undefined) {
      await this.access.assertCan(caller, query.accountId, 'read');
      accountIds = [query.accountId];
    } else {
      accountIds = await this.access.accountIdsFor(caller, 'read');
    }
    if (accountIds.length === 0) return { items: [], nextCursor: null };
    const search = query.q === undefined ? [] : parseSearchQuery(query.q);
    const rows = await this.messages.list({
      accountIds,
      ...(query.folder !== undefined && { folder: query.folder }),
      ...(query.unread !== undefined && { unread: query.unread }),
      ...(query.direction !== undefined && { direction: query.direction }),
      ...(search.length > 0 && { search }),
      ...(after && { after }),
      // one extra row tells whether another page exists
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(listItem),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: Number(last.date), id: last.id }) : null,
    };
  }

  async get(caller: Caller, id: string): Promise<MessageDetail> {
    const row = await this.complete(await this.readable(caller, id));
    return toDetail(row, await this.messages.attachmentsOf(id));
  }

  async raw(caller: Caller, id: string): Promise<BlobDownload> {
    // The source only: its body may wait for the sync.
    const row = await this.complete(await this.readable(caller, id), { body: false });
    return {
      stream: await this.openBlob(row.raw_sha256, 'Message source'),
      filename: `${row.subject.trim() || 'message'}.eml`,
      contentType: 'message/rfc822',
      size: Number(row.size),
    };
  }

  async attachment(caller: Caller, id: string, attachmentId: string): Promise<BlobDownload> {
    await this.readable(caller, id);
    const attachment = await this.messages.findAttachment(id, attachmentId);
    if (!attachment) throw notFound('Attachment');
    return {
      stream: await this.openBlob(attachment.blob_sha256, 'Attachment'),
      filename: attachment.filename,
      contentType: attachment.content_type,
      size: Number(attachment.size),
    };
  }

  async thread(caller: Caller, threadId: string): Promise<{ items: MessageListItem[] }> {
    const accountIds = await this.access.accountIdsFor(caller, 'read');
    const rows = accountIds.length === 0 ? [] : await this.messages.thread(threadId, accountIds);
    if (rows.length === 0) throw notFound('Thread');
    return { items: rows.map(listItem) };
  }

  async unreadCount(caller: Caller): Promise<UnreadCount> {
    const accountIds = await this.access.accountIdsFor(caller, 'read');
    const counts = accountIds.length === 0 ? new Map<string, number>() : await this.messages.unreadCounts(accountIds);
    const items = accountIds.map((accountId) => ({ accountId, unread: counts.get(accountId) ?? 0 }));
    return { total: items.reduce((sum, item) => sum + item.unread, 0), items };
  }

  /**
   * Seen and flagged are part of reading (a grantee with read access triages); moving a
   * message changes the mailbox, so it needs the manage right.
   */
  async update(caller: Caller, id: string, change: MessageChange): Promise<MessageListItem> {
    const row = await this.readable(caller, id);
    const now = this.clock.now();
    const flags: PendingFlagsPayload = {};
    if (change.seen !== undefined && change.seen !== (row.seen === 1)) flags.seen = change.seen;
    if (change.flagged !== undefined && change.flagged !== (row.flagged === 1)) flags.flagged = change.flagged;
    let target: { id: string } | undefined;
    if (change.folder !== undefined && change.folder !== row.folder_path) {
      await this.access.assertCan(caller, row.account_id, 'manage');
      target = await this.messages.findFolderByPath(row.account_id, change.folder);
      if (!target) throw validationFailed({ folder: 'is not a folder of this account' });
    }

    if (flags.seen !== undefined || flags.flagged !== undefined) await this.setFlags(row, flags, now);
    if (target) {
      const from = await this.serverLocation(row);
      const payload: PendingMovePayload = { toFolderId: target.id, from };
      const settled =
        (from.folderId === target.id && atPlaceholder(row) && (await this.messages.cancelPendingMove(row, from, now))) ||
        (await this.messages.rewritePendingMove(row, { kind: 'move', payload: JSON.stringify(payload) }, { toFolderId: target.id, now }));
      if (!settled) await this.messages.moveTo(
        id,
        target.id,
        { account_id: row.account_id, message_id: id, kind: 'move', payload: JSON.stringify(payload), created_at: now },
        now,
      );
    }

    const updated = await this.messages.findListItem(id);
    if (!updated) throw notFound('Message');
    const item = listItem(updated);
    if (target || flags.seen !== undefined || flags.flagged !== undefined) {
      this.events.publish({ type: 'message.updated', accountId: item.accountId, data: { ...item } });
      this.sync.notifyPendingChanges(item.accountId);
    }
    return item;
  }

  /**
   * A reply to the message went out (the outbox calls this): it shows as answered here and the
   * engine sets \Answered on its server. Nothing happens for a message deleted meanwhile.
   */
  async markAnswered(id: string): Promise<void> {
    const row = await this.messages.findById(id);
    if (!row || row.answered === 1) return;
    await this.setFlags(row, { answered: true }, this.clock.now());
    const updated = await this.messages.findListItem(id);
    if (updated) this.events.publish({ type: 'message.updated', accountId: row.account_id, data: { ...listItem(updated) } });
    this.sync.notifyPendingChanges(row.account_id);
  }

  /** Changes flags here and queues the same change for the server, in one transaction. */
  private async setFlags(row: MessageDetailRow, flags: Omit<PendingFlagsPayload, 'from'>, now: number): Promise<void> {
    // At a placeholder location (a move still queued) the engine applies the flags wherever
    // the move has put the message by then: changes are carried in order.
    const payload: PendingFlagsPayload = { ...flags, ...(!atPlaceholder(row) && { from: serverLocationOf(row) }) };
    await this.messages.setFlags(
      row.id,
      {
        ...(flags.seen !== undefined && { seen: flags.seen ? 1 : 0 }),
        ...(flags.flagged !== undefined && { flagged: flags.flagged ? 1 : 0 }),
        ...(flags.answered !== undefined && { answered: flags.answered ? 1 : 0 }),
      },
      { account_id: row.account_id, message_id: row.id, kind: 'flags', payload: JSON.stringify(payload), created_at: now },
      now,
    );
  }

  /** Records the intent; the engine moves it to Trash, or flags \Deleted and expunges. */
  async delete(caller: Caller, id: string): Promise<void> {
    const row = await this.readable(caller, id);
    await this.access.assertCan(caller, row.account_id, 'manage');
    const payload: PendingDeletePayload = { from: await this.serverLocation(row) };
    const rewritten = await this.messages.rewritePendingMove(row, { kind: 'delete', payload: JSON.stringify(payload) }, 'remove');
    if (!rewritten) await this.messages.remove(id, {
      account_id: row.account_id,
      message_id: id,
      kind: 'delete',
      payload: JSON.stringify(payload),
      created_at: this.clock.now(),
    });
    this.events.publish({
      type: 'message.deleted',
      accountId: row.account_id,
      data: { id, accountId: row.account_id, folder: row.folder_path, threadId: row.thread_id },
    });
    this.sync.notifyPendingChanges(row.account_id);
  }

  /** Where the server has the message: a queued move's origin while the row shows a placeholder. */
  private async serverLocation(row: MessageDetailRow): Promise<ServerLocation> {
    const queued = await this.messages.pendingMoveOf(row);
    if (queued) {
      const from = (parseJson(queued) as PendingMovePayload | null)?.from;
      if (from) return from;
    }
    return serverLocationOf(row);
  }

  /** A missing blob is a 404 before any byte is sent, not a stream that breaks halfway. */
  private async openBlob(sha256: string, what: string): Promise<Readable> {
    if (!/^[0-9a-f]{64}$/.test(sha256) || !(await this.blobs.exists(sha256))) throw notFound(what);
    return this.blobs.open(sha256);
  }

  /**
   * Opened before the sync got to it: its source is fetched now, or (with `body`) its body parsed
   * now, rather than shown empty. Returns the row as it is then.
   */
  private async complete(row: MessageDetailRow, { body } = { body: true }): Promise<MessageDetailRow> {
    if (row.source_pending === 1) {
      if (!this.sources) return row;
      await this.sources.ensure(row);
    } else if (body && row.content_pending === 1 && this.content) {
      await this.content.ensure(row);
    } else {
      return row;
    }
    return (await this.messages.findById(row.id)) ?? row;
  }

  /** complete() for a message the caller was already allowed to read (a forward's original). */
  async completeById(id: string): Promise<void> {
    const row = await this.messages.findById(id);
    if (row) await this.complete(row);
  }

  private async readable(caller: Caller, id: string): Promise<MessageDetailRow> {
    const row = await this.messages.findById(id);
    if (!row || !(await this.access.accountIdsFor(caller, 'read')).includes(row.account_id)) throw notFound('Message');
    return row;
  }
}
