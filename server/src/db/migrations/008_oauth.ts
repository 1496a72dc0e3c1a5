import type { Kysely } from 'kysely';

// OAuth 2.0 sign-in. `oauth_states` holds each authorisation request between "Sign in"
// and the provider's redirect back: single use, short-lived, bound to the user who started it.
// The state itself is never stored, only its SHA-256 (a database leak cannot finish a flow), and
// the PKCE verifier is encrypted. A rejected client secret is remembered on the provider so the
// admin sees it there.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_states')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_states_expires_idx').on('oauth_states').column('expires_at').execute();
  await db.schema.alterTable('providers').addColumn('oauth_error_code', 'text').execute();
  await db.schema.alterTable('providers').addColumn('oauth_error_message', 'text').execute();
  await db.schema.alterTable('providers').addColumn('oauth_error_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('providers').dropColumn('oauth_error_at').execute();
  await db.schema.alterTable('providers').dropColumn('oauth_error_message').execute();
  await db.schema.alterTable('providers').dropColumn('oauth_error_code').execute();
  await db.schema.dropTable('oauth_states').execute();
}
