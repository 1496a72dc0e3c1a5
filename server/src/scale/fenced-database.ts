// The sync engine's own connection to PostgreSQL when several workers share it. Every
// write a sync session makes runs in a transaction whose first statement checks, and locks FOR KEY
// SHARE, the account's lease row with this worker as owner and the session's fencing token. A
// worker that lost the lease therefore writes nothing, and a takeover (which locks the row FOR
// UPDATE) cannot happen while a checked write is still open: the old owner's writes all come
// before it. Renewing a lease (an UPDATE that changes no key) does not wait for writes.
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { createPgPool, type Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { LeaseLostError } from './lease-lost.js';
import type { FenceContext } from './ownership.js';

export interface Fence {
  /** the session's fence, or undefined for writes outside any session; throws when known lost */
  currentFence(): FenceContext | undefined;
  /** the database refused the fence */
  lost(accountId: string): void;
}

const fenceCheck = `select set_config('mailyard.fence', $4, true) as fence from account_leases
  where account_id = $1 and owner_id = $2 and fencing_token = $3
    and expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint
  for key share`;

const writeKinds = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode', 'RawNode']);

/**
 * `idleInTransactionMs`: the server ends a transaction left open longer than this (a worker
 * paused by SIGSTOP while writing), so its lock cannot keep others from taking the mailbox over.
 */
export function createFencedDatabase(url: string, fence: Fence, idleInTransactionMs: number): Db {
  const pool = createPgPool(url, {
    sessionOptions: `-c idle_in_transaction_session_timeout=${Math.max(1_000, Math.floor(idleInTransactionMs))}`,
  });
  return new Kysely<Database>({ dialect: fencedDialect(new PostgresDialect({ pool }), fence) });
}

function fencedDialect(inner: Dialect, fence: Fence): Dialect {
  return {
    createDriver: () => new FencedDriver(inner.createDriver(), fence),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}

class FencedConnection implements DatabaseConnection {
  inTransaction = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly driver: FencedDriver,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction || !writeKinds.has(query.query.kind)) return this.inner.executeQuery<R>(query);
    const fenced = this.driver.fence.currentFence();
    if (!fenced) return this.inner.executeQuery<R>(query);
    // A lone write of a session: wrap it so the check and the write commit together.
    await this.driver.beginTransaction(this, {});
    try {
      const result = await this.inner.executeQuery<R>(query);
      await this.driver.commitTransaction(this);
      return result;
    } catch (error) {
      if (this.inTransaction) await this.driver.rollbackTransaction(this).catch(() => undefined);
      throw error;
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class FencedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    readonly fence: Fence,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new FencedConnection(await this.inner.acquireConnection(), this);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const conn = connection as FencedConnection;
    // Known lost: fail before the database is touched at all.
    const fenced = this.fence.currentFence();
    await this.inner.beginTransaction(conn.inner, settings);
    conn.inTransaction = true;
    if (!fenced) return;
    try {
      const { rows } = await conn.inner.executeQuery(
        CompiledQuery.raw(fenceCheck, [fenced.accountId, fenced.ownerId, fenced.token, `${fenced.ownerId}:${fenced.token}`]),
      );
      if (rows.length === 0) {
        this.fence.lost(fenced.accountId);
        throw new LeaseLostError(fenced.accountId);
      }
    } catch (error) {
      conn.inTransaction = false;
      await this.inner.rollbackTransaction(conn.inner).catch(() => undefined);
      throw error;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as FencedConnection;
    conn.inTransaction = false;
    await this.inner.commitTransaction(conn.inner);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as FencedConnection;
    conn.inTransaction = false;
    await this.inner.rollbackTransaction(conn.inner);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as FencedConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
