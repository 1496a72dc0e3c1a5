// The sync engine's side of the messages table, one method per query: rows keyed by (folder,
// UIDVALIDITY, UID), flag updates, deletions, re-keying after a move or a UIDVALIDITY change, the
// downloads still to do, and the pending_changes queue the engine drains to the server. Only the
// message store (message-store.ts) uses it, inside its transactions.
import type { Insertable } from 'kysely';
import type { Db } from '../database.js';
import type { AttachmentsTable, MessageRow } from '../schema.js';
import type { ContentColumns } from './columns.js';

export class SyncQueries {
  constructor(private readonly db: Db) {}

  findById(id: string) {
    return this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async existingUids(folderId: string, uidValidity: number, uids: readonly number[]): Promise<Set<number>> {
    if (uids.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('messages')
      .select('uid')
      .where('folder_id', '=', folderId)
      .where('uid_validity', '=', uidValidity)
      .where('uid', 'in', [...uids])
      .execute();
    return new Set(rows.map((r) => Number(r.uid)));
  }

  /** Every stored UID of a folder under one UIDVALIDITY (for expunge detection). */
  async uidsOf(folderId: string, uidValidity: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('messages')
      .select('uid')
      .where('folder_id', '=', folderId)
      .where('uid_validity', '=', uidValidity)
      .execute();
    return rows.map((r) => Number(r.uid));
  }

  /** Messages of a folder with afterUid < UID <= upToUid and their flags, by UID (a verification). */
  flagsInRange(folderId: string, uidValidity: number, afterUid: number, upToUid: number) {
    return this.db
      .selectFrom('messages')
      .select(['id', 'uid', 'seen', 'flagged', 'answered', 'draft'])
      .where('folder_id', '=', folderId)
      .where('uid_validity', '=', uidValidity)
      .where('uid', '>', afterUid)
      .where('uid', '<=', upToUid)
      .orderBy('uid')
      .execute();
  }

  async countUpTo(folderId: string, uidValidity: number, upToUid: number): Promise<number> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('folder_id', '=', folderId)
      .where('uid_validity', '=', uidValidity)
      .where('uid', '<=', upToUid)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The ids of the messages stored under these UIDs, by UID. */
  async idsByUid(folderId: string, uidValidity: number, uids: readonly number[]): Promise<Map<number, string>> {
    if (uids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('messages')
      .select(['id', 'uid'])
      .where('folder_id', '=', folderId)
      .where('uid_validity', '=', uidValidity)
      .where('uid', 'in', [...uids])
      .execute();
    return new Map(rows.map((r) => [Number(r.uid), r.id]));
  }

  async insert(rows: readonly MessageRow[], attachments: readonly Insertable<AttachmentsTable>[]): Promise<void> {
    for (const chunk of chunks(rows, 50)) await this.db.insertInto('messages').values(chunk).execute();
    await this.insertAttachments(attachments);
  }

  async insertAttachments(attachments: readonly Insertable<AttachmentsTable>[]): Promise<void> {
    for (const chunk of chunks(attachments, 200)) await this.db.insertInto('attachments').values(chunk).execute();
  }

  /** Messages of an account whose source is stored (the ones a first sync has finished). */
  async countDownloaded(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('account_id', '=', accountId)
      .where('source_pending', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Messages of an account whose body still waits to be parsed from their stored source,
   * newest first (not those whose source is not downloaded yet: see pendingSources).
   */
  pendingContent(accountId: string, limit: number) {
    return this.db
      .selectFrom('messages')
      .select(['id', 'raw_sha256'])
      .where('account_id', '=', accountId)
      .where('content_pending', '=', 1)
      .where('source_pending', '=', 0)
      .orderBy('date', 'desc')
      .limit(limit)
      .execute();
  }

  /** Stores a parsed body, unless another writer completed it first or the message is gone. */
  completeContent(id: string, content: ContentColumns, now: number) {
    return this.db
      .updateTable('messages')
      .set({ ...content, content_pending: 0, updated_at: now })
      .where('id', '=', id)
      .where('content_pending', '=', 1)
      .where('source_pending', '=', 0)
      .returningAll()
      .executeTakeFirst();
  }

  async folderPaths(folderIds: readonly string[]): Promise<Map<string, string>> {
    if (folderIds.length === 0) return new Map();
    const folders = await this.db.selectFrom('folders').select(['id', 'path']).where('id', 'in', [...folderIds]).execute();
    return new Map(folders.map((f) => [f.id, f.path]));
  }

  /**
   * UIDs of a folder listed from their headers whose source is still to download, below
   * `belowUid`, highest (newest) first.
   */
  async pendingSources(folderId: string, uidValidity: number, belowUid: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('messages')
      .select('uid')
      .where('folder_id', '=', folderId)
      .where('uid_validity', '=', uidValidity)
      .where('source_pending', '=', 1)
      .where('uid', '<', belowUid)
      .orderBy('uid', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => Number(r.uid));
  }

  /** Whether a message of these folders waits for its source. */
  async hasPendingSources(folderIds: readonly string[]): Promise<boolean> {
    if (folderIds.length === 0) return false;
    const row = await this.db
      .selectFrom('messages')
      .select('id')
      .where('folder_id', 'in', [...folderIds])
      .where('source_pending', '=', 1)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** How many messages of a folder wait for their source (for progress). */
  async countPendingSources(folderId: string, uidValidity: number): Promise<number> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('folder_id', '=', folderId)
      .where('uid_validity', '=', uidValidity)
      .where('source_pending', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Stores the downloaded source of a message listed headers-first (raw blob, and its body when
   * `content` is given). A row already complete, or gone meanwhile (expunged, moved), is left.
   */
  completeSource(
    folderId: string,
    uidValidity: number,
    uid: number,
    raw: { sha256: string; size: number },
    content: ContentColumns | null,
    now: number,
  ) {
    return this.db
      .updateTable('messages')
      .set({
        ...content,
        raw_sha256: raw.sha256,
        size: raw.size,
        content_pending: content ? 0 : 1,
        source_pending: 0,
        updated_at: now,
      })
      .where('folder_id', '=', folderId)
      .where('uid_validity', '=', uidValidity)
      .where('uid', '=', uid)
      .where('source_pending', '=', 1)
      .returningAll()
      .executeTakeFirst();
  }

  byUids(folderId: string, uidValidity: number, uids: readonly number[]) {
    return this.db
      .selectFrom('messages')
      .selectAll()
      .where('folder_id', '=', folderId)
      .where('uid_validity', '=', uidValidity)
      .where('uid', 'in', [...uids])
      .execute();
  }

  async update(id: string, changes: Partial<Pick<MessageRow, 'seen' | 'flagged' | 'answered' | 'draft' | 'modseq' | 'updated_at'>>) {
    await this.db.updateTable('messages').set(changes).where('id', '=', id).execute();
  }

  /** The rows removed, with the path of the folder each was in. */
  async deleteByIds(ids: readonly string[]) {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('messages')
      .innerJoin('folders', 'folders.id', 'messages.folder_id')
      .selectAll('messages')
      .select('folders.path as folder_path')
      .where('messages.id', 'in', [...ids])
      .execute();
    if (rows.length > 0)
      await this.db
        .deleteFrom('messages')
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
    return rows;
  }

  /** Rows of a folder stored under another UIDVALIDITY (after a change), to match or remove. */
  staleRows(folderId: string, currentUidValidity: number) {
    return this.db
      .selectFrom('messages')
      .select(['id', 'message_id', 'size'])
      .where('folder_id', '=', folderId)
      .where('uid_validity', '!=', currentUidValidity)
      .where('uid', '>', 0)
      .execute();
  }

  idAt(location: { folderId: string; uidValidity: number; uid: number }) {
    return this.db
      .selectFrom('messages')
      .select('id')
      .where('folder_id', '=', location.folderId)
      .where('uid_validity', '=', location.uidValidity)
      .where('uid', '=', location.uid)
      .executeTakeFirst();
  }

  async moveTo(id: string, location: { folderId: string; uidValidity: number; uid: number }, now: number): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({ folder_id: location.folderId, uid_validity: location.uidValidity, uid: location.uid, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  listPendingChanges(accountId: string, afterId: number, limit: number) {
    return this.db
      .selectFrom('pending_changes')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Every change queued for the account (the message store's rules read them all at once). */
  allPendingChanges(accountId: string) {
    return this.db.selectFrom('pending_changes').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
  }

  pendingChange(id: number) {
    return this.db.selectFrom('pending_changes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async setPendingPayload(id: number, payload: string): Promise<void> {
    await this.db.updateTable('pending_changes').set({ payload }).where('id', '=', id).execute();
  }

  async deletePendingChange(id: number): Promise<void> {
    await this.db.deleteFrom('pending_changes').where('id', '=', id).execute();
  }

  async countPendingChangeAttempt(id: number): Promise<void> {
    await this.db
      .updateTable('pending_changes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /** Parsed messages with HTML and no text (stored before HTML-only mail was rendered), by id. */
  htmlWithoutText(afterId: string, limit: number) {
    return this.db
      .selectFrom('messages')
      .select(['id', 'html'])
      .where('content_pending', '=', 0)
      .where('html', 'is not', null)
      .where((eb) => eb.or([eb('text', 'is', null), eb(eb.fn('trim', ['text']), '=', '')]))
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Sets the text and snippet of a message that still has none. */
  fillText(id: string, text: string, snippet: string, now: number) {
    return this.db
      .updateTable('messages')
      .set({ text, snippet, updated_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('text', 'is', null), eb(eb.fn('trim', ['text']), '=', '')]))
      .returningAll()
      .executeTakeFirst();
  }
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
