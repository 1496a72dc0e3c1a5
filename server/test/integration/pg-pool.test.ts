// The PostgreSQL pool (db/database.ts createPgPool) against a real server: a session the server
// ends while a transaction waits on other work must fail that transaction, not the process.
// Workers meet this when paused (SIGSTOP) past idle_in_transaction_session_timeout, and anyone
// when PostgreSQL restarts in the middle of a transaction.
import { Kysely, PostgresDialect, sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { createPgPool } from '../../src/db/database.js';
import type { Database } from '../../src/db/schema.js';
import { createPostgresDatabase } from '../rig/index.js';

describe('PostgreSQL pool', () => {
  test('a transaction whose session the server ends fails alone, and the pool goes on', async () => {
    const url = await createPostgresDatabase();
    const pool = createPgPool(url, { sessionOptions: '-c idle_in_transaction_session_timeout=1000' });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      const waited = db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        // The server ends the session meanwhile and tells the client, which is checked out.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        await sql`select 2`.execute(trx);
      });
      await expect(waited).rejects.toThrow();
      const { rows } = await sql<{ n: number }>`select 41 + 1 as n`.execute(db);
      expect(rows).toEqual([{ n: 42 }]);
    } finally {
      await db.destroy();
    }
  });
});
