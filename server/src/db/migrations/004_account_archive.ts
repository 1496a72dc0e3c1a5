import type { Kysely } from 'kysely';

// An account deleted with "keep the downloaded mail" stays as an archive: its messages remain
// readable, its secret is erased and it never syncs again. `archived_at` tells it apart from an
// account its owner merely switched off.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('archived_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('archived_at').execute();
}
