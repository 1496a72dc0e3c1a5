import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';
import { dialectOf, type DialectName } from './dialect.js';
import { SQLite, type SqliteConnection, type SqliteStatement } from './sqlite-driver.js';

export type Db = Kysely<Database>;

// int8 (bigint) columns hold epoch milliseconds and UIDs, all far below 2^53.
const parseInt8 = (value: string): number => Number(value);
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === 20 ? parseInt8 : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

/**
 * A PostgreSQL pool whose lost connections never crash the process. pg emits 'error' on the pool
 * for an idle client and on the client itself while it is checked out (a transaction waiting on
 * other work when the server ends the session or restarts); either without a listener would be
 * fatal. The failure still reaches whoever uses the client next, and the pool drops it on release.
 */
export function createPgPool(url: string, options: { sessionOptions?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: pgTypes,
    ...(options.sessionOptions ? { options: options.sessionOptions } : {}),
  });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Which database to use (read in config.ts from DATABASE_URL). */
export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export function createDatabase(database: DatabaseConfig): Db {
  if (database.kind === 'postgres') {
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPgPool(database.url) }) });
  }
  if (database.file !== ':memory:') mkdirSync(path.dirname(database.file), { recursive: true });
  const sqlite = new SQLite(database.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

/**
 * Kysely's SQLite driver prepares every query afresh; compiling the SQL was a tenth of a first
 * sync's database time. Statements are reused per SQL text instead (most recently used kept).
 * Safe because kysely runs one query at a time on the connection, and SQLite re-prepares a
 * statement by itself after a schema change.
 */
function withStatementCache(sqlite: SqliteConnection, size = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (cache.size >= size) cache.delete(cache.keys().next().value as string);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

export async function migrateToLatest(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : 'unknown error';
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${cause}`);
  }
}

/** True when the database answers and every known migration is applied (for /readyz). */
export async function isReady(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    const applied = await new Migrator({ db, provider }).getMigrations();
    return applied.every((m) => m.executedAt !== undefined);
  } catch {
    return false;
  }
}

export function dialect(db: Db): DialectName {
  return dialectOf(db);
}

export const bool = (value: boolean): number => (value ? 1 : 0);
