// Full-text search over subject, participants and body text, kept current by the database
// itself (triggers), so every writer — sync engine, outbox, panel — is covered.
//
// A search shows the newest matches first and stops after a page, so the index must be walkable
// in date order: a common word matches most of the mailbox and sorting all of it would be slow.
// - SQLite: a contentless FTS5 table whose rowid (docid) is the message date in milliseconds
//   times 2^20 plus a sequence number. FTS5 walks a term's matches in rowid order, i.e. newest
//   first. message_search_docs maps docids to messages (an INTEGER PRIMARY KEY, stable across
//   VACUUM, unlike the implicit rowid of `messages`).
// - PostgreSQL: a side table (message_id, tsvector) with a GIN index. A rare word is found through
//   the index; for a common one the planner walks messages by date and checks the stored vector.
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

/**
 * Bodies beyond this many characters are not indexed: PostgreSQL refuses a tsvector over 1 MB,
 * and the first 100,000 characters of a message are what people search for.
 */
export const indexedBodyChars = 100_000;

/** docid = clamped date × 2^20 + sequence; the clamp keeps a bogus Date header within int64. */
export const docidsPerMillisecond = 1_048_576;
export const maxIndexedDate = 8_000_000_000_000;

const clampedDate = (row: string) => `max(0, min(${row}.date, ${maxIndexedDate}))`;

// JSON keys of the address lists are noise, and `@` is replaced so that `alice@example.com`
// yields the words `alice` and `example.com` (the query gets the same treatment).
export const pgDocument = (row: string) =>
  `to_tsvector('simple'::regconfig, regexp_replace(coalesce(${row}.subject, '') || ' ' || ${row}.from_json || ' ' || ` +
  `${row}.to_json || ' ' || ${row}.cc_json || ' ' || left(coalesce(${row}.text, ''), ${indexedBodyChars}), '"(name|address)":|@', ' ', 'g'))`;

const sqliteParticipants = (row: string) =>
  `replace(replace(${row}.from_json || ' ' || ${row}.to_json || ' ' || ${row}.cc_json, '"name":', ' '), '"address":', ' ')`;

export const sqliteInsert = (row: string) => `
  insert into message_search_docs (docid, message_id) values (
    coalesce(
      (select max(docid) + 1 from message_search_docs
        where docid >= ${clampedDate(row)} * ${docidsPerMillisecond} and docid < (${clampedDate(row)} + 1) * ${docidsPerMillisecond}),
      ${clampedDate(row)} * ${docidsPerMillisecond}),
    ${row}.id);
  insert into message_search (rowid, subject, participants, body)
    values ((select docid from message_search_docs where message_id = ${row}.id),
            ${row}.subject, ${sqliteParticipants(row)}, substr(coalesce(${row}.text, ''), 1, ${indexedBodyChars}));`;

export const sqliteDelete = (row: string) => `
  delete from message_search where rowid = (select docid from message_search_docs where message_id = ${row}.id);
  delete from message_search_docs where message_id = ${row}.id;`;

async function upPostgres(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table message_search (
         message_id text primary key references messages (id) on delete cascade,
         document tsvector not null)`,
    )
    .execute(db);
  await sql.raw('create index message_search_document_idx on message_search using gin (document)').execute(db);
  await sql
    .raw(
      `create function message_search_refresh() returns trigger language plpgsql as $$
       begin
         insert into message_search (message_id, document) values (new.id, ${pgDocument('new')})
           on conflict (message_id) do update set document = excluded.document;
         return null;
       end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger messages_search_refresh after insert or update of subject, from_json, to_json, cc_json, text
       on messages for each row execute function message_search_refresh()`,
    )
    .execute(db);
  await sql.raw(`insert into message_search (message_id, document) select m.id, ${pgDocument('m')} from messages m`).execute(db);
}

async function upSqlite(db: Kysely<unknown>): Promise<void> {
  await sql.raw('create table message_search_docs (docid integer primary key, message_id text not null unique)').execute(db);
  await sql
    .raw(
      `create virtual table message_search using fts5(subject, participants, body, content='', contentless_delete=1, ` +
        `tokenize='unicode61 remove_diacritics 2')`,
    )
    .execute(db);
  await sql.raw(`create trigger messages_search_insert after insert on messages begin ${sqliteInsert('new')} end`).execute(db);
  await sql.raw(`create trigger messages_search_delete after delete on messages begin ${sqliteDelete('old')} end`).execute(db);
  // Flag changes (the common update) do not touch the index.
  await sql
    .raw(
      `create trigger messages_search_update after update of subject, from_json, to_json, cc_json, text, date on messages ` +
        `begin ${sqliteDelete('old')} ${sqliteInsert('new')} end`,
    )
    .execute(db);
  // Messages stored before this migration.
  await sql
    .raw(
      `insert into message_search_docs (docid, message_id)
       select ${clampedDate('m')} * ${docidsPerMillisecond} + row_number() over (partition by ${clampedDate('m')} order by m.id) - 1, m.id
       from messages m`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into message_search (rowid, subject, participants, body)
       select d.docid, m.subject, ${sqliteParticipants('m')}, substr(coalesce(m.text, ''), 1, ${indexedBodyChars})
       from messages m join message_search_docs d on d.message_id = m.id`,
    )
    .execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // Newest-first keyset pages over every readable account walk this index and stop after a page.
  await db.schema.createIndex('messages_date_idx').on('messages').columns(['date', 'id']).execute();
  // The unread counter reads only unread rows.
  await db.schema
    .createIndex('messages_unread_idx')
    .on('messages')
    .columns(['account_id', 'folder_id'])
    .where(sql.ref('seen'), '=', 0)
    .execute();
  if (dialectOf(db) === 'postgres') await upPostgres(db);
  else await upSqlite(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql.raw('drop trigger messages_search_refresh on messages').execute(db);
    await sql.raw('drop function message_search_refresh()').execute(db);
    await sql.raw('drop table message_search').execute(db);
  } else {
    for (const trigger of ['messages_search_insert', 'messages_search_delete', 'messages_search_update']) {
      await sql.raw(`drop trigger ${trigger}`).execute(db);
    }
    await sql.raw('drop table message_search').execute(db);
    await sql.raw('drop table message_search_docs').execute(db);
  }
  await db.schema.dropIndex('messages_unread_idx').execute();
  await db.schema.dropIndex('messages_date_idx').execute();
}
