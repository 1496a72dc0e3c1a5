import type { Insertable } from 'kysely';
import type { Db } from '../database.js';
import type { ApiTokensTable } from '../schema.js';

export class ApiTokensRepository {
  constructor(private readonly db: Db) {}

  async insert(token: Insertable<ApiTokensTable>): Promise<void> {
    await this.db.insertInto('api_tokens').values(token).execute();
  }

  listForUser(userId: string) {
    return this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'created_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute();
  }

  findUserByTokenHash(tokenHash: string) {
    return this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select(['api_tokens.id as tokenId', 'api_tokens.last_used_at', 'users.id', 'users.email', 'users.name', 'users.role'])
      .where('api_tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  async delete(userId: string, id: string): Promise<number> {
    const result = await this.db
      .deleteFrom('api_tokens')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('api_tokens').where('user_id', '=', userId).execute();
  }
}
