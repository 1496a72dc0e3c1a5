import type { Kysely } from 'kysely';

// Scale-out (docs/product.md "Scale"). On PostgreSQL each enabled mailbox is synced by the one worker holding its
// lease; `fencing_token` grows with every claim so a worker that lost a lease can be refused at
// the database even if it does not know yet. `workers` lists live workers (by heartbeat) so
// mailboxes spread evenly. Times are the database's clock in epoch ms, never a worker's.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('account_leases')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('owner_id', 'text')
    .addColumn('fencing_token', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_leases_owner_idx').on('account_leases').column('owner_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_leases').execute();
  await db.schema.dropTable('workers').execute();
}
