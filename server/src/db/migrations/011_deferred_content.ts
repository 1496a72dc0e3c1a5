import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';
import { pgDocument, sqliteDelete, sqliteInsert } from './006_search.js';

// A first sync stores a message's raw source and headers at once, so the mailbox is listed as
// fast as it downloads, and parses the body (text, HTML, attachments) just after; see
// services/message-content.ts. `content_pending` is 1 until the body is parsed; a restart
// finds the unfinished ones through the partial index.
//
// The full-text index (006) takes a message once its body is parsed, not twice (headers, then
// everything): the triggers skip rows whose content is pending.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('content_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('messages_content_pending_idx')
    .on('messages')
    .columns(['account_id', 'date'])
    .where(sql.ref('content_pending'), '=', 1)
    .execute();
  if (dialectOf(db) === 'postgres') {
    await pgSearchTrigger(db, 'new.content_pending = 1', ', content_pending');
  } else {
    await sqliteSearchTriggers(db, 'when new.content_pending = 0', ', content_pending');
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') await pgSearchTrigger(db, 'false', '');
  else await sqliteSearchTriggers(db, '', '');
  await db.schema.dropIndex('messages_content_pending_idx').execute();
  await db.schema.alterTable('messages').dropColumn('content_pending').execute();
}

async function pgSearchTrigger(db: Kysely<unknown>, skip: string, extraColumns: string): Promise<void> {
  await sql
    .raw(
      `create or replace function message_search_refresh() returns trigger language plpgsql as $$
       begin
         if ${skip} then return null; end if;
         insert into message_search (message_id, document) values (new.id, ${pgDocument('new')})
           on conflict (message_id) do update set document = excluded.document;
         return null;
       end $$`,
    )
    .execute(db);
  await sql.raw('drop trigger messages_search_refresh on messages').execute(db);
  await sql
    .raw(
      `create trigger messages_search_refresh after insert or update of subject, from_json, to_json, cc_json, text${extraColumns}
       on messages for each row execute function message_search_refresh()`,
    )
    .execute(db);
}

async function sqliteSearchTriggers(db: Kysely<unknown>, when: string, extraColumns: string): Promise<void> {
  await sql.raw('drop trigger messages_search_insert').execute(db);
  await sql.raw('drop trigger messages_search_update').execute(db);
  await sql.raw(`create trigger messages_search_insert after insert on messages ${when} begin ${sqliteInsert('new')} end`).execute(db);
  await sql
    .raw(
      `create trigger messages_search_update after update of subject, from_json, to_json, cc_json, text, date${extraColumns} on messages ${when} ` +
        `begin ${sqliteDelete('old')} ${sqliteInsert('new')} end`,
    )
    .execute(db);
}
