// Which mailboxes this worker syncs (scale-out). Every heartbeat the worker renews its
// leases, drops those it lost, and rebalances: it takes unowned or expired leases up to
// ceil(accounts / live workers) and gracefully gives back a surplus when others join (stop the
// session first, then release). It trusts its leases only until its own monotonic clock says the
// TTL has passed since the last renewal was sent: a paused process or an unreachable database
// stops syncing before the database lets anyone else take over.
import type { AccountSync } from '../services/account-sync.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../lib/logger.js';
import { newId } from '../lib/ids.js';
import type { HeldLease, LeasesRepository } from './leases.repository.js';
import { LeaseLostError } from './lease-lost.js';

/** The sync engine as ownership drives it. */
/** The sync engine as ownership drives it: start or stop the session of a mailbox. */
export type OwnedSync = Pick<AccountSync, 'refreshAccount' | 'removeAccount'>;

export interface OwnershipOptions {
  /**
   * Stable across restarts of the same process (host, port, data directory), so a restarted
   * worker takes its mailboxes back at once instead of waiting for its old leases to expire.
   */
  workerId?: string;
  leaseTtlMs: number;
  heartbeatMs: number;
  /** newly taken mailboxes start spread over up to this long, not all in the same second */
  staggerWindowMs: number;
}

/** What a fenced write checks: this account, under the lease token its session started with. */
export interface FenceContext {
  accountId: string;
  ownerId: string;
  token: number;
}

export class MailboxOwnership {
  readonly workerId: string;
  /** account id → lease token, and the monotonic ms until which this worker trusts the lease */
  private readonly held = new Map<string, { token: number; until: number }>();
  private readonly context = new AsyncLocalStorage<FenceContext>();
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private rebalancing: Promise<void> | undefined;
  private running = false;
  private target = Infinity;
  private readonly log: Logger;

  constructor(
    private readonly leases: LeasesRepository,
    private readonly sync: () => OwnedSync,
    logger: Logger,
    private readonly options: OwnershipOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.workerId = options.workerId ?? newId();
    this.log = logger.child({ component: 'ownership', workerId: this.workerId });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.leases.heartbeat(this.workerId);
    // Leases of this worker's previous run: nothing of it can still be writing with their tokens
    // once freed (the next claim bumps them), so they need not wait for expiry.
    const freed = await this.leases.releaseAll(this.workerId);
    this.log.info({ freed }, 'worker registered');
    this.watchdog = setInterval(() => this.checkTrust(), Math.min(1_000, this.options.heartbeatMs));
    this.schedule(0);
  }

  /** Stops every session, then gives the leases back so others take over at once. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
    await this.ticking;
    await this.rebalancing;
    const held = [...this.held];
    this.held.clear();
    await Promise.all(held.map(([id]) => this.sync().removeAccount(id).catch(() => undefined)));
    await Promise.all(
      held.map(([id, lease]) =>
        this.leases.release(this.workerId, { account_id: id, fencing_token: lease.token }).catch(() => undefined),
      ),
    );
    await this.leases.removeWorker(this.workerId).catch(() => undefined);
  }

  holds(accountId: string): boolean {
    const lease = this.held.get(accountId);
    return lease !== undefined && this.now() < lease.until;
  }

  heldAccounts(): string[] {
    return [...this.held.keys()];
  }

  /** Runs `start` (a session) so that every write it makes is fenced with the current token. */
  runAs<T>(accountId: string, start: () => T): T {
    // Fail closed: a session started without a lease (a bug) gets a token no write can match.
    const token = this.held.get(accountId)?.token ?? -1;
    return this.context.run({ accountId, ownerId: this.workerId, token }, start);
  }

  /**
   * The fence of the write about to happen, or undefined outside any session. Throws when this
   * worker knows it no longer holds the lease (lost, re-taken under another token, or not renewed
   * within the TTL by its own clock): nothing reaches the database then.
   */
  currentFence(): FenceContext | undefined {
    const fence = this.context.getStore();
    if (!fence) return undefined;
    if (!this.holds(fence.accountId) || this.held.get(fence.accountId)?.token !== fence.token)
      throw new LeaseLostError(fence.accountId);
    return fence;
  }

  /** The database refused a fenced write: someone else holds the lease now. */
  lost(accountId: string): void {
    if (this.held.has(accountId)) this.drop(accountId, 'lease taken by another worker');
  }

  /** A mailbox this worker does not hold was asked to sync (new, re-enabled, "sync now"). */
  requestClaim(accountId: string): void {
    if (!this.running || this.held.has(accountId)) return;
    const sentAt = this.now();
    void this.leases
      .claim(this.workerId, this.options.leaseTtlMs, 1, accountId)
      .then((taken) => this.adopt(taken, sentAt, 0))
      .catch((error: unknown) => this.log.warn({ err: error, accountId }, 'claiming a mailbox failed'));
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        this.schedule(this.options.heartbeatMs);
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const sentAt = this.now();
    let renewed: HeldLease[];
    try {
      await this.leases.heartbeat(this.workerId);
      renewed = await this.leases.renew(this.workerId, this.options.leaseTtlMs, [...this.held.keys()]);
      const tookMs = this.now() - sentAt;
      if (tookMs > this.options.leaseTtlMs / 3) this.log.warn({ tookMs }, 'lease renewal was slow');
    } catch (error) {
      this.log.warn({ err: error }, 'lease heartbeat failed');
      this.checkTrust();
      return;
    }
    const still = new Map(renewed.map((l) => [l.account_id, l.fencing_token]));
    for (const [id, lease] of this.held) {
      if (still.get(id) === lease.token) lease.until = this.trustUntil(sentAt);
      else this.drop(id, 'lease expired or taken');
    }
    // Renewal never waits for a rebalance (stopping sessions takes a while): a slow hand-over
    // must not let the other leases expire.
    this.rebalancing ??= this.rebalance()
      .catch((error: unknown) => this.log.warn({ err: error }, 'rebalancing mailboxes failed'))
      .finally(() => (this.rebalancing = undefined));
  }

  private async rebalance(): Promise<void> {
    await this.leases.ensureLeaseRows();
    const [workers, accounts] = await Promise.all([
      this.leases.liveWorkers(this.options.leaseTtlMs),
      this.leases.syncableAccountIds(),
    ]);
    const syncable = new Set(accounts);
    await Promise.all([...this.held.keys()].filter((id) => !syncable.has(id)).map((id) => this.giveBack(id, 'mailbox no longer synced')));
    this.target = Math.ceil(syncable.size / Math.max(1, workers));
    const surplus = this.held.size - this.target;
    if (surplus > 0) {
      this.log.info({ surplus, target: this.target, workers }, 'other workers joined: handing mailboxes over');
      await Promise.all([...this.held.keys()].slice(0, surplus).map((id) => this.giveBack(id, 'rebalance')));
    } else if (surplus < 0) {
      const sentAt = this.now();
      const taken = await this.leases.claim(this.workerId, this.options.leaseTtlMs, -surplus);
      if (taken.length > 0) this.log.info({ taken: taken.length, target: this.target, workers }, 'took mailboxes');
      this.adopt(taken, sentAt, this.options.staggerWindowMs);
    }
    if (Math.random() < 0.05) await this.leases.pruneWorkers(this.options.leaseTtlMs * 30);
  }

  /**
   * The database counted the TTL from a moment after `sentAt`; a small margin covers clocks that
   * run at slightly different rates.
   */
  private trustUntil(sentAt: number): number {
    return sentAt + this.options.leaseTtlMs - Math.min(1_000, this.options.leaseTtlMs / 10);
  }

  private adopt(taken: HeldLease[], sentAt: number, windowMs: number): void {
    const spread = Math.min(windowMs, taken.length * 25);
    for (const lease of taken) {
      this.held.set(lease.account_id, { token: lease.fencing_token, until: this.trustUntil(sentAt) });
      const delay = taken.length > 1 ? Math.floor(Math.random() * spread) : 0;
      setTimeout(() => {
        if (this.held.get(lease.account_id)?.token !== lease.fencing_token) return;
        this.sync()
          .refreshAccount(lease.account_id)
          .catch((error: unknown) => this.log.warn({ err: error, accountId: lease.account_id }, 'starting a session failed'));
      }, delay);
    }
  }

  /** Stop syncing at once; the lease is not ours any more (or no longer to be trusted). */
  private drop(accountId: string, reason: string): void {
    this.held.delete(accountId);
    this.log.info({ accountId, reason }, 'stopped syncing a mailbox');
    void this.sync().removeAccount(accountId).catch(() => undefined);
  }

  /** Graceful hand-over: the session stops before the lease is released. */
  private async giveBack(accountId: string, reason: string): Promise<void> {
    const lease = this.held.get(accountId);
    if (lease === undefined) return;
    this.held.delete(accountId);
    await this.sync().removeAccount(accountId).catch(() => undefined);
    await this.leases.release(this.workerId, { account_id: accountId, fencing_token: lease.token });
    this.log.debug({ accountId, reason }, 'released a mailbox');
  }

  private checkTrust(): void {
    const now = this.now();
    const stale = [...this.held].filter(([, lease]) => now >= lease.until).map(([id]) => id);
    if (stale.length === 0) return;
    this.log.warn({ leases: stale.length }, 'leases not renewed within their TTL: stopping those sessions');
    for (const id of stale) this.drop(id, 'lease not renewed in time');
  }
}
