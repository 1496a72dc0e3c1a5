// Folders of an account as the sync engine keeps them: the server's list, which of them are
// synced, and each folder's sync cursor.
import type { Db } from '../database.js';
import type { FoldersTable } from '../schema.js';
import { newId } from '../../lib/ids.js';

export interface FolderListing {
  path: string;
  name: string;
  delimiter: string | null;
  specialUse: string | null;
  synced: boolean;
}

export interface FolderCursorRow {
  uid_validity: number | null;
  highest_uid: number;
  highest_modseq: string | null;
  backfill_uid: number | null;
  sync_complete: number;
}

export class FoldersRepository {
  constructor(private readonly db: Db) {}

  listByAccount(accountId: string) {
    return this.db
      .selectFrom('folders')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('path')
      .execute();
  }

  findById(id: string) {
    return this.db.selectFrom('folders').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Makes the stored list match the server's: new folders are added, existing ones updated,
   * and folders gone from the server removed (their messages with them, by cascade).
   * Returns the ids of removed folders.
   */
  async reconcile(accountId: string, listing: readonly FolderListing[], now: number): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const stored = await trx
        .selectFrom('folders')
        .selectAll()
        .where('account_id', '=', accountId)
        .execute();
      const byPath = new Map(stored.map((f) => [f.path, f]));
      for (const entry of listing) {
        const existing = byPath.get(entry.path);
        const values = {
          name: entry.name,
          delimiter: entry.delimiter,
          special_use: entry.specialUse,
          synced: entry.synced ? 1 : 0,
        };
        if (!existing) {
          await trx
            .insertInto('folders')
            .values({
              id: newId(),
              account_id: accountId,
              path: entry.path,
              ...values,
              uid_validity: null,
              highest_uid: 0,
              highest_modseq: null,
              backfill_uid: null,
              sync_complete: 0,
              created_at: now,
              updated_at: now,
            })
            .onConflict((oc) => oc.columns(['account_id', 'path']).doNothing())
            .execute();
        } else if (
          existing.name !== values.name ||
          existing.delimiter !== values.delimiter ||
          existing.special_use !== values.special_use ||
          existing.synced !== values.synced
        ) {
          await trx
            .updateTable('folders')
            .set({ ...values, updated_at: now })
            .where('id', '=', existing.id)
            .execute();
        }
      }
      const listed = new Set(listing.map((f) => f.path));
      const gone = stored.filter((f) => !listed.has(f.path)).map((f) => f.id);
      if (gone.length > 0) await trx.deleteFrom('folders').where('id', 'in', gone).execute();
      return gone;
    });
  }

  /** Persists a folder's cursor; callers advance it only after the messages it covers are committed. */
  async saveCursor(id: string, cursor: FolderCursorRow, now: number): Promise<void> {
    await this.db
      .updateTable('folders')
      .set({ ...cursor, updated_at: now } satisfies Partial<FoldersTable>)
      .where('id', '=', id)
      .execute();
  }
}
