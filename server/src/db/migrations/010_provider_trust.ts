import type { Kysely } from 'kysely';

// Providers added by ordinary users (setting allowUsersToAddProviders) are untrusted: they never
// learn domains for the lookup, and Mailyard reaches their servers only through the
// private-network guard. `trusted` is 1 when an admin created or last edited the provider;
// every provider that exists already was made by an admin, hence the default 1.
// `created_by` is informational (no foreign key: deleting a user keeps the providers they added).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('providers').addColumn('created_by', 'text').execute();
  await db.schema
    .alterTable('providers')
    .addColumn('trusted', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('providers').dropColumn('trusted').execute();
  await db.schema.alterTable('providers').dropColumn('created_by').execute();
}
