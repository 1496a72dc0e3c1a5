import { sql, type Kysely } from 'kysely';

// A first sync lists a message from its header block alone (BODY.PEEK[HEADER], RFC 3501 6.4.5)
// and downloads the raw source afterwards, newest first (sync/folder-sync.ts). `source_pending`
// is 1 until the source is stored; until then `raw_sha256` is '' (there is no blob yet) and
// `content_pending` is 1 too. A restart finds what is left through the partial index.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('source_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('messages_source_pending_idx')
    .on('messages')
    .columns(['folder_id', 'uid_validity', 'uid'])
    .where(sql.ref('source_pending'), '=', 1)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_source_pending_idx').execute();
  await db.schema.alterTable('messages').dropColumn('source_pending').execute();
}
