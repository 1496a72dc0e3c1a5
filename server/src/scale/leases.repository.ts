// Mailbox leases and live workers in PostgreSQL (scale-out, docs/product.md "Scale"). Every time comparison uses
// the database's clock, so workers on machines whose clocks disagree still agree on expiry.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

const dbNow = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Same rule as the sync engine's listSyncable: accounts that should have a session. */
const syncable = sql`a.enabled = 1 and a.archived_at is null and a.secret is not null and p.allow_receive = 1`;

export interface HeldLease {
  account_id: string;
  fencing_token: number;
}

export class LeasesRepository {
  constructor(private readonly db: Db) {}

  async heartbeat(workerId: string): Promise<void> {
    await sql`insert into workers (id, started_at, heartbeat_at) values (${workerId}, ${dbNow}, ${dbNow})
      on conflict (id) do update set heartbeat_at = excluded.heartbeat_at`.execute(this.db);
  }

  async liveWorkers(ttlMs: number): Promise<number> {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from workers where heartbeat_at > ${dbNow} - ${ttlMs}`.execute(this.db);
    return rows[0]?.n ?? 1;
  }

  /** Forgets workers silent for long (their leases expired long ago). */
  async pruneWorkers(olderThanMs: number): Promise<void> {
    await sql`delete from workers where heartbeat_at < ${dbNow} - ${olderThanMs}`.execute(this.db);
  }

  async removeWorker(workerId: string): Promise<void> {
    await sql`delete from workers where id = ${workerId}`.execute(this.db);
  }

  async syncableAccountIds(): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`select a.id from accounts a join providers p on p.id = a.provider_id where ${syncable}`.execute(this.db);
    return rows.map((r) => r.id);
  }

  /** A lease row (unowned) for every syncable account that has none yet. */
  async ensureLeaseRows(): Promise<void> {
    await sql`insert into account_leases (account_id, owner_id, fencing_token, expires_at, heartbeat_at)
      select a.id, null, 0, 0, 0 from accounts a join providers p on p.id = a.provider_id
      where ${syncable} and not exists (select 1 from account_leases l where l.account_id = a.id)
      on conflict (account_id) do nothing`.execute(this.db);
  }

  /**
   * Extends the given leases where this worker still holds them; an expired one is not revived (it
   * may be taken). Leases the worker stopped trusting are left out, so they expire and move on.
   */
  async renew(workerId: string, ttlMs: number, accountIds: readonly string[]): Promise<HeldLease[]> {
    if (accountIds.length === 0) return [];
    const { rows } = await sql<HeldLease>`update account_leases set expires_at = ${dbNow} + ${ttlMs}, heartbeat_at = ${dbNow}
      where owner_id = ${workerId} and expires_at > ${dbNow} and account_id = any(${[...accountIds]})
      returning account_id, fencing_token`.execute(this.db);
    return rows.map((r) => ({ account_id: r.account_id, fencing_token: Number(r.fencing_token) }));
  }

  /**
   * Takes up to `limit` unowned or expired leases of syncable accounts (only `accountId`'s when
   * given), bumping each fencing token. SKIP LOCKED: workers claiming at once take different rows,
   * and a row a (paused) writer still holds is left until the database ends that transaction.
   */
  async claim(workerId: string, ttlMs: number, limit: number, accountId?: string): Promise<HeldLease[]> {
    if (limit <= 0) return [];
    const only = accountId === undefined ? sql`` : sql`and l.account_id = ${accountId}`;
    const { rows } = await sql<HeldLease>`update account_leases set owner_id = ${workerId},
        fencing_token = fencing_token + 1, expires_at = ${dbNow} + ${ttlMs}, heartbeat_at = ${dbNow}
      where account_id in (
        select l.account_id from account_leases l
        join accounts a on a.id = l.account_id join providers p on p.id = a.provider_id
        where ${syncable} and (l.owner_id is null or l.expires_at <= ${dbNow}) ${only}
        order by l.expires_at, l.account_id limit ${limit}
        for update of l skip locked)
      returning account_id, fencing_token`.execute(this.db);
    return rows.map((r) => ({ account_id: r.account_id, fencing_token: Number(r.fencing_token) }));
  }

  /** Frees the leases a previous run of this worker left behind (it was killed): no need to wait for expiry. */
  async releaseAll(workerId: string): Promise<number> {
    const result = await sql`update account_leases set owner_id = null, expires_at = 0 where owner_id = ${workerId}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  async release(workerId: string, lease: HeldLease): Promise<void> {
    await sql`update account_leases set owner_id = null, expires_at = 0
      where account_id = ${lease.account_id} and owner_id = ${workerId} and fencing_token = ${lease.fencing_token}`.execute(this.db);
  }
}
