import type { Db } from '../database.js';
import type { Insertable, Updateable } from 'kysely';
import type { ProvidersTable } from '../schema.js';

export type NewProviderRow = Insertable<ProvidersTable>;
export type ProviderRowUpdate = Updateable<ProvidersTable>;

/** Providers and the domain lookup (domain → provider). Domains are stored canonical. */
export class ProvidersRepository {
  constructor(private readonly db: Db) {}

  /** Runs `work` in one transaction with a repository bound to it. */
  transaction<T>(work: (repository: ProvidersRepository) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new ProvidersRepository(trx)));
  }

  async insert(row: NewProviderRow): Promise<void> {
    await this.db.insertInto('providers').values(row).execute();
  }

  async update(id: string, changes: ProviderRowUpdate): Promise<void> {
    await this.db.updateTable('providers').set(changes).where('id', '=', id).execute();
  }

  findById(id: string) {
    return this.db.selectFrom('providers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Names are unique regardless of case ("Example" and "example" would confuse people). */
  findByName(name: string) {
    return this.db
      .selectFrom('providers')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
      .executeTakeFirst();
  }

  list() {
    return this.db.selectFrom('providers').selectAll().orderBy('name').execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('providers').where('id', '=', id).execute();
  }

  async listDomains(providerId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('provider_domains')
      .select('domain')
      .where('provider_id', '=', providerId)
      .orderBy('domain')
      .execute();
    return rows.map((r) => r.domain);
  }

  /** Every domain with its provider, for the lookup page and for listing providers in one query. */
  listAllDomains() {
    return this.db
      .selectFrom('provider_domains')
      .innerJoin('providers', 'providers.id', 'provider_domains.provider_id')
      .select([
        'provider_domains.domain as domain',
        'providers.id as providerId',
        'providers.name as providerName',
      ])
      .orderBy('provider_domains.domain')
      .execute();
  }

  /** The lookup itself: which provider serves this (canonical) domain. */
  findProviderByDomain(domain: string) {
    return this.db
      .selectFrom('provider_domains')
      .innerJoin('providers', 'providers.id', 'provider_domains.provider_id')
      .selectAll('providers')
      .where('provider_domains.domain', '=', domain)
      .executeTakeFirst();
  }

  findDomain(domain: string) {
    return this.db
      .selectFrom('provider_domains')
      .innerJoin('providers', 'providers.id', 'provider_domains.provider_id')
      .select([
        'provider_domains.domain as domain',
        'providers.id as providerId',
        'providers.name as providerName',
      ])
      .where('provider_domains.domain', '=', domain)
      .executeTakeFirst();
  }

  async addDomain(domain: string, providerId: string, createdAt: number): Promise<void> {
    await this.db
      .insertInto('provider_domains')
      .values({ domain, provider_id: providerId, created_at: createdAt })
      .execute();
  }

  /** Returns whether the domain was there. */
  async removeDomain(domain: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('provider_domains')
      .where('domain', '=', domain)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async removeDomainsOf(providerId: string): Promise<void> {
    await this.db.deleteFrom('provider_domains').where('provider_id', '=', providerId).execute();
  }

  async countAccounts(providerId: string): Promise<number> {
    const row = await this.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('provider_id', '=', providerId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The mailboxes that keep a provider from being deleted, with their owners. */
  listAccountsUsing(providerId: string) {
    return this.db
      .selectFrom('accounts')
      .innerJoin('users', 'users.id', 'accounts.user_id')
      .select(['accounts.id as id', 'accounts.email as email', 'users.email as userEmail'])
      .where('accounts.provider_id', '=', providerId)
      .orderBy('accounts.email')
      .execute();
  }
}

// Moved to db/errors.ts; re-exported for the importers that still look here.
export { isForeignKeyViolation, isUniqueViolation } from '../errors.js';
