// The accounts as the sync engine sees them: what it needs to connect (joined with the
// provider's IMAP settings) and the status it reports back.
import type { Db } from '../database.js';
import type { AccountsTable } from '../schema.js';

export interface SyncStatusUpdate {
  state?: AccountsTable['state'];
  progress_done?: number;
  progress_total?: number;
  last_sync_at?: number | null;
  error_code?: string | null;
  error_message?: string | null;
  error_action?: string | null;
  error_at?: number | null;
  last_verified_at?: number | null;
  drift_found?: number;
  drift_repaired?: number;
}

export class SyncAccountsRepository {
  constructor(private readonly db: Db) {}

  private withProvider() {
    return this.db
      .selectFrom('accounts')
      .innerJoin('providers', 'providers.id', 'accounts.provider_id')
      .select([
        'accounts.id',
        'accounts.user_id',
        'accounts.email',
        'accounts.login',
        'accounts.secret',
        'accounts.sync_period',
        'accounts.folders',
        'accounts.auto_download',
        'accounts.enabled',
        'accounts.archived_at',
        'accounts.state',
        'accounts.progress_done',
        'accounts.progress_total',
        'accounts.last_sync_at',
        'accounts.error_code',
        'accounts.error_message',
        'accounts.error_action',
        'accounts.error_at',
        'accounts.last_verified_at',
        'accounts.drift_found',
        'accounts.drift_repaired',
        'accounts.updated_at',
        'providers.imap_host',
        'providers.imap_port',
        'providers.imap_security',
        'providers.tls_fingerprint',
        'providers.auth_method',
        'providers.allow_receive',
      ]);
  }

  /** Accounts that should have a sync session. */
  listSyncable() {
    return this.withProvider()
      .where('accounts.enabled', '=', 1)
      .where('accounts.archived_at', 'is', null)
      .where('accounts.secret', 'is not', null)
      .where('providers.allow_receive', '=', 1)
      .orderBy('accounts.created_at')
      .execute();
  }

  findById(id: string) {
    return this.withProvider().where('accounts.id', '=', id).executeTakeFirst();
  }

  async updateStatus(id: string, changes: SyncStatusUpdate, now: number): Promise<void> {
    await this.db
      .updateTable('accounts')
      .set({ ...changes, updated_at: now })
      .where('id', '=', id)
      .execute();
  }
}

export type SyncAccount = NonNullable<Awaited<ReturnType<SyncAccountsRepository['findById']>>>;
