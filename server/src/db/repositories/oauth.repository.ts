// OAuth 2.0 sign-in: authorisation requests in flight, the stored tokens of an account
// (read, locked and swapped), and the provider's last client failure.
import type { Insertable } from 'kysely';
import type { Db } from '../database.js';
import { dialectOf } from '../dialect.js';
import type { OAuthStatesTable } from '../schema.js';

export type NewOAuthState = Insertable<OAuthStatesTable>;

export interface AccountErrorUpdate {
  code: string;
  message: string;
  action: string;
  at: number;
}

export class OAuthRepository {
  constructor(private readonly db: Db) {}

  async insertState(row: NewOAuthState): Promise<void> {
    await this.db.insertInto('oauth_states').values(row).execute();
  }

  /** Removes and returns the request: whoever gets it first is the only one to finish it. */
  takeState(id: string) {
    return this.db.deleteFrom('oauth_states').where('id', '=', id).returningAll().executeTakeFirst();
  }

  async deleteExpiredStates(now: number): Promise<void> {
    await this.db.deleteFrom('oauth_states').where('expires_at', '<=', now).execute();
  }

  /** What refreshing an account's token needs: its secret and its provider's OAuth client. */
  findTokenContext(accountId: string) {
    return this.db
      .selectFrom('accounts')
      .innerJoin('providers', 'providers.id', 'accounts.provider_id')
      .select([
        'accounts.id',
        'accounts.email',
        'accounts.login',
        'accounts.secret',
        'accounts.provider_id',
        'providers.auth_method',
      ])
      .where('accounts.id', '=', accountId)
      .executeTakeFirst();
  }

  /**
   * Runs `work` with the account's stored secret, holding it against other processes: on
   * PostgreSQL a row lock (SELECT … FOR UPDATE) in a transaction, so a second worker waits and
   * then sees the refreshed token; `save` writes inside that transaction. SQLite serves a single
   * process (whose in-process lock already serialises refreshes), and a transaction there would
   * block every writer during the HTTP call, so it reads, works and compare-and-swaps instead.
   */
  async withLockedSecret<T>(
    accountId: string,
    work: (secret: string | null, save: (secret: string, now: number) => Promise<boolean>) => Promise<T>,
  ): Promise<T> {
    if (dialectOf(this.db) === 'postgres') {
      return this.db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('accounts')
          .select('secret')
          .where('id', '=', accountId)
          .forUpdate()
          .executeTakeFirst();
        return work(row?.secret ?? null, async (secret, now) => {
          const result = await trx
            .updateTable('accounts')
            .set({ secret, updated_at: now })
            .where('id', '=', accountId)
            .executeTakeFirst();
          return result.numUpdatedRows > 0n;
        });
      });
    }
    const row = await this.db
      .selectFrom('accounts')
      .select('secret')
      .where('id', '=', accountId)
      .executeTakeFirst();
    const before = row?.secret ?? null;
    return work(before, async (secret, now) => {
      const result = await this.db
        .updateTable('accounts')
        .set({ secret, updated_at: now })
        .where('id', '=', accountId)
        .where((eb) => (before === null ? eb('secret', 'is', null) : eb('secret', '=', before)))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
  }

  /** Puts the account in `error` and returns its status columns (for the account.status event). */
  async markAccountError(accountId: string, error: AccountErrorUpdate) {
    await this.db
      .updateTable('accounts')
      .set({
        state: 'error',
        error_code: error.code,
        error_message: error.message,
        error_action: error.action,
        error_at: error.at,
        updated_at: error.at,
      })
      .where('id', '=', accountId)
      .execute();
    return this.db
      .selectFrom('accounts')
      .select([
        'enabled',
        'state',
        'progress_done',
        'progress_total',
        'last_sync_at',
        'error_code',
        'error_message',
        'error_action',
        'error_at',
        'last_verified_at',
        'drift_found',
        'drift_repaired',
        'updated_at',
      ])
      .where('id', '=', accountId)
      .executeTakeFirst();
  }

  async setProviderError(
    providerId: string,
    error: { code: string; message: string; at: number } | null,
  ): Promise<void> {
    await this.db
      .updateTable('providers')
      .set({
        oauth_error_code: error?.code ?? null,
        oauth_error_message: error?.message ?? null,
        oauth_error_at: error?.at ?? null,
      })
      .where('id', '=', providerId)
      .execute();
  }

  findProviderError(providerId: string) {
    return this.db
      .selectFrom('providers')
      .select(['id', 'auth_method', 'oauth_error_code', 'oauth_error_message', 'oauth_error_at'])
      .where('id', '=', providerId)
      .executeTakeFirst();
  }
}
