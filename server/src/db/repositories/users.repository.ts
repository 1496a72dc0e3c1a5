import { sql } from 'kysely';
import type { Db } from '../database.js';
import { dialectOf } from '../dialect.js';
import type { NewUser, UserUpdate } from '../schema.js';

// Any constant shared by all processes: the key of the PostgreSQL advisory lock that
// serialises "is this the first user?" decisions.
const firstUserLockKey = 0x6d79645f; // "myd_"

export class UsersRepository {
  constructor(private readonly db: Db) {}

  /**
   * Runs `work` in a transaction that holds the users' write lock from its first statement, so a
   * count read inside it stays true until commit (first-run setup must not create two admins).
   * SQLite: BEGIN IMMEDIATE takes the database write lock up front (a deferred transaction would
   * read under a shared lock and let another process read the same count). PostgreSQL: a
   * transaction-scoped advisory lock that every such transaction takes first.
   */
  async exclusive<T>(work: (repository: UsersRepository) => Promise<T>): Promise<T> {
    if (dialectOf(this.db) === 'postgres') {
      return this.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${firstUserLockKey})`.execute(trx);
        return work(new UsersRepository(trx));
      });
    }
    return this.db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        const result = await work(new UsersRepository(connection));
        await sql`commit`.execute(connection);
        return result;
      } catch (error) {
        await sql`rollback`.execute(connection);
        throw error;
      }
    });
  }

  findById(id: string) {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByEmail(email: string) {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  list() {
    return this.db.selectFrom('users').selectAll().orderBy('email').execute();
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insert(user: NewUser): Promise<void> {
    await this.db.insertInto('users').values(user).execute();
  }

  async update(id: string, changes: UserUpdate): Promise<void> {
    await this.db.updateTable('users').set(changes).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('users').where('id', '=', id).execute();
  }
}
