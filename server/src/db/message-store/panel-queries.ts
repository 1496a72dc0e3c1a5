// The communication panel's side of the messages table, one method per query: lists, search,
// threads and counters for reading, and the panel's own changes (flags, move, delete) with the
// pending_changes rows that carry them to the IMAP server. Only the message store
// (message-store.ts) uses it; it runs the writes in one transaction each.
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { dialect, type Db } from '../database.js';
import type { Database, PendingChangesTable } from '../schema.js';
import type { Insertable } from 'kysely';
import { toFts5Match, toWebsearch, type SearchTerm } from '../../domain/search-query.js';
import type { MessageDirection } from '../../domain/message.js';
import { docidsPerMillisecond, maxIndexedDate } from '../migrations/006_search.js';

const notCountedAsUnread = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk'];

/** Newest first: a page continues strictly after (date, id) of the last item shown. */
export interface MessagePosition {
  date: number;
  id: string;
}

export interface MessageFilter {
  /** the accounts the caller may read (never empty: callers short-circuit that) */
  accountIds: string[];
  folder?: string;
  unread?: boolean;
  direction?: MessageDirection;
  search?: SearchTerm[];
  after?: MessagePosition;
  limit: number;
}

/** The search tables of migration 006 (SQLite's FTS5 pair, PostgreSQL's vector table). */
type SearchTables = {
  message_search: { rowid: number; message_search: string; message_id: string; document: unknown };
  message_search_docs: { docid: number; message_id: string };
};

type Eb = ExpressionBuilder<Database & { m: Database['messages']; f: Database['folders'] }, 'm' | 'f'>;

const listColumns = [
  'm.id',
  'm.account_id',
  'm.thread_id',
  'm.subject',
  'm.from_json',
  'm.to_json',
  'm.cc_json',
  'm.date',
  'm.snippet',
  'm.seen',
  'm.flagged',
  'm.answered',
  'm.has_attachments',
  'm.direction',
  'f.path as folder_path',
] as const;

export class PanelQueries {
  constructor(private readonly db: Db) {}

  private fromMessages() {
    return this.db.selectFrom('messages as m').innerJoin('folders as f', 'f.id', 'm.folder_id');
  }

  private filters(eb: Eb, filter: MessageFilter): Expression<SqlBool>[] {
    const conditions: Expression<SqlBool>[] = [eb('m.account_id', 'in', filter.accountIds)];
    if (filter.folder !== undefined) conditions.push(eb('f.path', '=', filter.folder));
    if (filter.unread !== undefined) conditions.push(eb('m.seen', '=', filter.unread ? 0 : 1));
    if (filter.direction !== undefined) conditions.push(eb('m.direction', '=', filter.direction));
    return conditions;
  }

  list(filter: MessageFilter) {
    if (filter.search?.length) {
      return dialect(this.db) === 'postgres' ? this.searchPostgres(filter, filter.search) : this.searchSqlite(filter, filter.search);
    }
    return this.fromMessages()
      .select(listColumns)
      .where((eb) => {
        const conditions = this.filters(eb, filter);
        if (filter.after) conditions.push(eb(eb.refTuple('m.date', 'm.id'), '<', eb.tuple(filter.after.date, filter.after.id)));
        return eb.and(conditions);
      })
      .orderBy('m.date', 'desc')
      .orderBy('m.id', 'desc')
      .limit(filter.limit)
      .execute();
  }

  /**
   * FTS5 yields matches in docid order, which is date order (see 006_search): newest first, and
   * the walk stops after a page however common the words are. Messages sharing a millisecond
   * come in the order they were stored; the cursor continues from the cursor message's docid.
   */
  private searchSqlite(filter: MessageFilter, terms: SearchTerm[]) {
    const db = this.db.withTables<SearchTables>();
    return db
      .selectFrom('message_search as s')
      .innerJoin('message_search_docs as d', 'd.docid', 's.rowid')
      .innerJoin('messages as m', 'm.id', 'd.message_id')
      .innerJoin('folders as f', 'f.id', 'm.folder_id')
      .select(listColumns)
      .where((eb) => {
        const conditions = [...this.filters(eb, filter), sql<SqlBool>`s.message_search match ${toFts5Match(terms)}`];
        if (filter.after) {
          const { date, id } = filter.after;
          const fallback = Math.max(0, Math.min(date, maxIndexedDate)) * docidsPerMillisecond;
          conditions.push(sql<SqlBool>`s.rowid < coalesce((select docid from message_search_docs where message_id = ${id}), ${fallback})`);
        }
        return eb.and(conditions);
      })
      .orderBy('s.rowid', 'desc')
      .limit(filter.limit)
      .execute();
  }

  private searchPostgres(filter: MessageFilter, terms: SearchTerm[]) {
    return this.fromMessages()
      .select(listColumns)
      .where((eb) => {
        const conditions = this.filters(eb, filter);
        conditions.push(
          sql<SqlBool>`exists (select 1 from message_search s where s.message_id = m.id
            and s.document @@ websearch_to_tsquery('simple', ${toWebsearch(terms)}))`,
        );
        if (filter.after) conditions.push(eb(eb.refTuple('m.date', 'm.id'), '<', eb.tuple(filter.after.date, filter.after.id)));
        return eb.and(conditions);
      })
      .orderBy('m.date', 'desc')
      .orderBy('m.id', 'desc')
      .limit(filter.limit)
      .execute();
  }

  /** The list columns of one message (for events after a change). */
  findListItem(id: string) {
    return this.fromMessages().select(listColumns).where('m.id', '=', id).executeTakeFirst();
  }

  findById(id: string) {
    return this.fromMessages()
      .selectAll('m')
      .select(['f.path as folder_path', 'f.special_use as folder_special_use'])
      .where('m.id', '=', id)
      .executeTakeFirst();
  }

  attachmentsOf(messageId: string) {
    return this.db.selectFrom('attachments').selectAll().where('message_id', '=', messageId).orderBy('position').execute();
  }

  findAttachment(messageId: string, attachmentId: string) {
    return this.db
      .selectFrom('attachments')
      .selectAll()
      .where('message_id', '=', messageId)
      .where('id', '=', attachmentId)
      .executeTakeFirst();
  }

  /** Oldest first, as a conversation reads. */
  thread(threadId: string, accountIds: string[]) {
    return this.fromMessages()
      .select(listColumns)
      .where('m.thread_id', '=', threadId)
      .where('m.account_id', 'in', accountIds)
      .orderBy('m.date', 'asc')
      .orderBy('m.id', 'asc')
      .execute();
  }

  /** Unread mail per account, outside Sent, Drafts, Trash and Junk (counted per folder first). */
  async unreadCounts(accountIds: string[]): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom((eb) =>
        eb
          .selectFrom('messages')
          .select(['folder_id', (e) => e.fn.countAll<number | string>().as('n')])
          .where('account_id', 'in', accountIds)
          .where('seen', '=', 0)
          .groupBy('folder_id')
          .as('c'),
      )
      .innerJoin('folders as f', 'f.id', 'c.folder_id')
      .select(['f.account_id', 'f.special_use', 'c.n'])
      .execute();
    const counts = new Map<string, number>();
    for (const row of rows) {
      if (row.special_use !== null && notCountedAsUnread.includes(row.special_use)) continue;
      counts.set(row.account_id, (counts.get(row.account_id) ?? 0) + Number(row.n));
    }
    return counts;
  }

  findFolderByPath(accountId: string, path: string) {
    return this.db.selectFrom('folders').selectAll().where('account_id', '=', accountId).where('path', '=', path).executeTakeFirst();
  }

  /** Changes the local row; the caller queues the same change for the server. */
  async setFlags(id: string, flags: { seen?: number; flagged?: number; answered?: number }, now: number): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({ ...flags, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Queues a change for the sync engine; returns its id. */
  async queueChange(change: Insertable<PendingChangesTable>): Promise<number> {
    const { id } = await this.db.insertInto('pending_changes').values(change).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  /**
   * Shows the message in its new folder at once. Until the engine learns the UID the server
   * gives it there, the row holds a placeholder location that cannot collide with a real one:
   * UIDVALIDITY 0 and the negated id of the pending change (see pendingMoveOf).
   */
  async parkAt(id: string, toFolderId: string, changeId: number, now: number): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({ folder_id: toFolderId, uid_validity: 0, uid: -changeId, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Rewrites the not-yet-applied move that put a message at a placeholder location (a second
   * move or a delete before the engine ran), so the server only ever sees one change from where
   * the message really is. False when the engine has already taken that change.
   */
  async rewritePendingMove(
    message: { id: string; uid_validity: number; uid: number },
    change: { kind: 'move' | 'delete'; payload: string },
  ): Promise<boolean> {
    if (Number(message.uid_validity) !== 0 || Number(message.uid) >= 0) return false;
    const result = await this.db
      .updateTable('pending_changes')
      .set(change)
      .where('id', '=', -Number(message.uid))
      .where('kind', '=', 'move')
      .where('message_id', '=', message.id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Drops the queued move that parked a row at its placeholder; false when the engine took it. */
  async cancelPendingMove(message: { id: string; uid: number }): Promise<boolean> {
    const result = await this.db
      .deleteFrom('pending_changes')
      .where('id', '=', -Number(message.uid))
      .where('kind', '=', 'move')
      .where('message_id', '=', message.id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async setLocation(id: string, location: { folderId: string; uidValidity?: number; uid?: number }, now: number): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({
        folder_id: location.folderId,
        ...(location.uidValidity !== undefined && { uid_validity: location.uidValidity }),
        ...(location.uid !== undefined && { uid: location.uid }),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** The `payload` of the pending move that gave a row its placeholder location, if still queued. */
  async pendingMoveOf(message: { id: string; uid_validity: number; uid: number }): Promise<string | undefined> {
    if (Number(message.uid_validity) !== 0 || Number(message.uid) >= 0) return undefined;
    const row = await this.db
      .selectFrom('pending_changes')
      .select('payload')
      .where('id', '=', -Number(message.uid))
      .where('kind', '=', 'move')
      .where('message_id', '=', message.id)
      .executeTakeFirst();
    return row?.payload;
  }

  /** Removes the local row (attachments go with it). */
  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('messages').where('id', '=', id).execute();
  }

  /** The message a reply or a forward takes its references from. */
  findOriginal(id: string) {
    return this.db.selectFrom('messages').select(['id', 'account_id', 'message_id', 'references']).where('id', '=', id).executeTakeFirst();
  }
}

export type PanelRow = NonNullable<Awaited<ReturnType<PanelQueries['findById']>>>;
