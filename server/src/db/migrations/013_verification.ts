import type { Kysely } from 'kysely';

// The last full verification of an account's copy against the server (sync/verification.ts):
// when it ran, and how many differences it found and repaired.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('last_verified_at', 'bigint').execute();
  await db.schema
    .alterTable('accounts')
    .addColumn('drift_found', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('accounts')
    .addColumn('drift_repaired', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('drift_repaired').execute();
  await db.schema.alterTable('accounts').dropColumn('drift_found').execute();
  await db.schema.alterTable('accounts').dropColumn('last_verified_at').execute();
}
