import type { ExpressionBuilder, Insertable, Updateable } from 'kysely';
import type { Db } from '../database.js';
import type { AccountRow, AccountSharesTable, AccountsTable, Database } from '../schema.js';

export type NewAccountRow = Insertable<AccountsTable>;
export type AccountRowUpdate = Updateable<AccountsTable>;
export type AccountShareRow = AccountSharesTable;

/** An account row joined with what its API shape needs besides it (domain/account.ts toAccount). */
export interface AccountView extends AccountRow {
  provider_name: string;
  owner_email: string;
  owner_name: string;
}

/** Accounts the user owns or has been shared (any right implies reading). */
const visibleTo = (userId: string) => (eb: ExpressionBuilder<Database, 'accounts'>) =>
  eb.or([
    eb('accounts.user_id', '=', userId),
    eb(
      'accounts.id',
      'in',
      eb
        .selectFrom('account_shares')
        .select('account_shares.account_id')
        .where('account_shares.user_id', '=', userId),
    ),
  ]);

/** Email accounts, their shares, and the few queries on their folders and mail they need. */
export class AccountsRepository {
  constructor(private readonly db: Db) {}

  /** Runs `work` in one transaction with a repository bound to it. */
  transaction<T>(work: (repository: AccountsRepository) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new AccountsRepository(trx)));
  }

  /** Accounts with what the API shape needs: the provider's name and the owner. */
  private view() {
    return this.db
      .selectFrom('accounts')
      .innerJoin('providers', 'providers.id', 'accounts.provider_id')
      .innerJoin('users', 'users.id', 'accounts.user_id')
      .selectAll('accounts')
      .select(['providers.name as provider_name', 'users.email as owner_email', 'users.name as owner_name']);
  }

  findById(id: string) {
    return this.view().where('accounts.id', '=', id).executeTakeFirst();
  }

  findByEmail(email: string) {
    return this.view().where('accounts.email', '=', email).executeTakeFirst();
  }

  /** The accounts a user owns and those shared with them, in one list. */
  listVisibleTo(userId: string) {
    return this.view().where(visibleTo(userId)).orderBy('accounts.email').execute();
  }

  async insert(row: NewAccountRow): Promise<void> {
    await this.db.insertInto('accounts').values(row).execute();
  }

  async update(id: string, changes: AccountRowUpdate): Promise<void> {
    await this.db.updateTable('accounts').set(changes).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('accounts').where('id', '=', id).execute();
  }

  async countOwnedBy(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('archived_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** One default sender per user: clears the flag on the user's other accounts. */
  async clearDefaultSender(userId: string, exceptAccountId: string): Promise<void> {
    await this.db
      .updateTable('accounts')
      .set({ default_sender: 0 })
      .where('user_id', '=', userId)
      .where('id', '!=', exceptAccountId)
      .where('default_sender', '=', 1)
      .execute();
  }

  findShare(accountId: string, userId: string) {
    return this.db
      .selectFrom('account_shares')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  /** The shares a user holds, for access checks over many accounts at once. */
  listSharesOfUser(userId: string) {
    return this.db.selectFrom('account_shares').selectAll().where('user_id', '=', userId).execute();
  }

  listShares(accountId: string) {
    return this.db
      .selectFrom('account_shares')
      .innerJoin('users', 'users.id', 'account_shares.user_id')
      .selectAll('account_shares')
      .select(['users.email as user_email', 'users.name as user_name'])
      .where('account_shares.account_id', '=', accountId)
      .orderBy('users.email')
      .execute();
  }

  async replaceShares(accountId: string, shares: AccountShareRow[]): Promise<void> {
    await this.db.deleteFrom('account_shares').where('account_id', '=', accountId).execute();
    if (shares.length > 0) await this.db.insertInto('account_shares').values(shares).execute();
  }

  listIdsOwnedBy(userId: string) {
    return this.db.selectFrom('accounts').select('id').where('user_id', '=', userId).execute();
  }

  /** The folders the sync engine has recorded for this account. */
  listFolders(accountId: string) {
    return this.db
      .selectFrom('folders')
      .select(['path', 'name', 'delimiter', 'special_use', 'synced'])
      .where('account_id', '=', accountId)
      .orderBy('path')
      .execute();
  }

  /** The known folders of every account a user owns or has been shared, in one query. */
  listFoldersVisibleTo(userId: string) {
    return this.db
      .selectFrom('folders')
      .innerJoin('accounts', 'accounts.id', 'folders.account_id')
      .select([
        'folders.account_id',
        'accounts.folders as selection',
        'folders.path',
        'folders.name',
        'folders.delimiter',
        'folders.special_use',
      ])
      .where(visibleTo(userId))
      .orderBy('accounts.email')
      .orderBy('folders.path')
      .execute();
  }

  /** Every blob an account's mail points at (raw sources and attachments). */
  async listBlobHashes(accountId: string): Promise<string[]> {
    const raw = await this.db
      .selectFrom('messages')
      .select('raw_sha256 as sha')
      .where('account_id', '=', accountId)
      // no blob yet for a message listed from its headers
      .where('source_pending', '=', 0)
      .execute();
    const attached = await this.db
      .selectFrom('attachments')
      .innerJoin('messages', 'messages.id', 'attachments.message_id')
      .select('attachments.blob_sha256 as sha')
      .where('messages.account_id', '=', accountId)
      .execute();
    return [...new Set([...raw, ...attached].map((r) => r.sha))];
  }

  /** Of these blobs, the ones some message or attachment still points at (content is shared). */
  async blobsStillReferenced(hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const referenced = new Set<string>();
    // Chunks keep the parameter count inside every dialect's limit.
    for (let i = 0; i < hashes.length; i += 500) {
      const chunk = hashes.slice(i, i + 500);
      const raw = await this.db
        .selectFrom('messages')
        .select('raw_sha256 as sha')
        .where('raw_sha256', 'in', chunk)
        .execute();
      const attached = await this.db
        .selectFrom('attachments')
        .select('blob_sha256 as sha')
        .where('blob_sha256', 'in', chunk)
        .execute();
      for (const row of [...raw, ...attached]) referenced.add(row.sha);
    }
    return referenced;
  }

  /** Users anyone signed in may pick when sharing (id, name, address; nothing else). */
  listUserDirectory() {
    return this.db
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .orderBy('name')
      .orderBy('email')
      .execute();
  }

  findUser(id: string) {
    return this.db
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .where('id', '=', id)
      .executeTakeFirst();
  }
}
