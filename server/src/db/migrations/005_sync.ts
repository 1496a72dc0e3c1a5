import type { Kysely } from 'kysely';

// Lookups of the sync engine. By server location within a folder (the unique key leads with
// account_id, which those queries do not need), and for threading (sync/threading.ts): replies
// stored before their parent are found by In-Reply-To, header-less replies by normalised subject.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('messages_location_idx')
    .on('messages')
    .columns(['folder_id', 'uid_validity', 'uid'])
    .execute();
  await db.schema
    .alterTable('messages')
    .addColumn('subject_key', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .createIndex('messages_subject_key_idx')
    .on('messages')
    .columns(['account_id', 'subject_key', 'date'])
    .execute();
  await db.schema
    .createIndex('messages_in_reply_to_idx')
    .on('messages')
    .columns(['account_id', 'in_reply_to'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_in_reply_to_idx').execute();
  await db.schema.dropIndex('messages_location_idx').execute();
  await db.schema.dropIndex('messages_subject_key_idx').execute();
  await db.schema.alterTable('messages').dropColumn('subject_key').execute();
}
