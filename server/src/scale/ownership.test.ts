import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.js';
import type { HeldLease, LeasesRepository } from './leases.repository.js';
import { LeaseLostError } from './lease-lost.js';
import { MailboxOwnership } from './ownership.js';

/** Leases in memory: one "database" shared by the workers of a test. */
class FakeLeases {
  accounts: string[] = [];
  workers = 1;
  failing = false;
  leases = new Map<string, { owner: string | null; token: number; expires: number }>();
  now = 0;

  asRepository(): LeasesRepository {
    return this as unknown as LeasesRepository;
  }

  private guard(): void {
    if (this.failing) throw new Error('database unreachable');
  }

  heartbeat = () => Promise.resolve(this.guard());
  liveWorkers = () => Promise.resolve(this.workers);
  pruneWorkers = () => Promise.resolve();
  removeWorker = () => Promise.resolve();
  syncableAccountIds = () => Promise.resolve([...this.accounts]);
  ensureLeaseRows = () => {
    for (const id of this.accounts) if (!this.leases.has(id)) this.leases.set(id, { owner: null, token: 0, expires: 0 });
    return Promise.resolve();
  };
  renew = (worker: string, ttl: number, ids: string[]): Promise<HeldLease[]> => {
    this.guard();
    const held: HeldLease[] = [];
    for (const [id, l] of this.leases)
      if (l.owner === worker && l.expires > this.now && ids.includes(id)) {
        l.expires = this.now + ttl;
        held.push({ account_id: id, fencing_token: l.token });
      }
    return Promise.resolve(held);
  };
  claim = (worker: string, ttl: number, limit: number, only?: string): Promise<HeldLease[]> => {
    this.guard();
    const taken: HeldLease[] = [];
    for (const [id, l] of this.leases) {
      if (taken.length >= limit) break;
      if (only !== undefined && id !== only) continue;
      if (l.owner !== null && l.expires > this.now) continue;
      l.owner = worker;
      l.token += 1;
      l.expires = this.now + ttl;
      taken.push({ account_id: id, fencing_token: l.token });
    }
    return Promise.resolve(taken);
  };
  releaseAll = () => Promise.resolve(0);
  release = (worker: string, lease: HeldLease) => {
    const l = this.leases.get(lease.account_id);
    if (l?.owner === worker && l.token === lease.fencing_token) Object.assign(l, { owner: null, expires: 0 });
    return Promise.resolve();
  };
}

class FakeEngine {
  running = new Set<string>();
  calls: string[] = [];
  refreshAccount(id: string) {
    this.running.add(id);
    this.calls.push(`refresh ${id}`);
    return Promise.resolve();
  }
  removeAccount(id: string) {
    this.running.delete(id);
    this.calls.push(`remove ${id}`);
    return Promise.resolve();
  }
}

const settle = () => new Promise((r) => setTimeout(r, 20));

/**
 * A write that a session started under the current lease makes later: `write()` runs the fence
 * check in that session's context, as a real sync write would.
 */
function sessionOf(o: MailboxOwnership, accountId: string): { write(): Promise<unknown> } {
  let go: () => void = () => undefined;
  let result: Promise<unknown> = Promise.resolve();
  o.runAs(accountId, () => {
    result = new Promise<void>((resolve) => (go = resolve)).then(() => o.currentFence());
  });
  return {
    write: () => {
      go();
      return result;
    },
  };
}
const logger = createLogger('silent');
const options = { leaseTtlMs: 10_000, heartbeatMs: 60_000, staggerWindowMs: 0 };
const started: MailboxOwnership[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((o) => o.stop()));
});

function worker(db: FakeLeases, engine: FakeEngine, clock: { now: number }) {
  const ownership = new MailboxOwnership(db.asRepository(), () => engine, logger, options, () => clock.now);
  started.push(ownership);
  return ownership;
}

/** Runs one heartbeat now (the timer is long in these tests). */
const tick = async (o: MailboxOwnership) => {
  await (o as unknown as { tick(): Promise<void> }).tick();
  await (o as unknown as { rebalancing?: Promise<void> }).rebalancing;
  await settle();
};

describe('MailboxOwnership', () => {
  it('takes every mailbox alone, then hands half over (session stopped first) when a second worker joins', async () => {
    const db = new FakeLeases();
    db.accounts = ['a', 'b', 'c', 'd'];
    const clock = { now: 0 };
    const engine = new FakeEngine();
    const one = worker(db, engine, clock);
    await one.start();
    await tick(one);
    expect(one.heldAccounts().sort()).toEqual(['a', 'b', 'c', 'd']);
    expect([...engine.running].sort()).toEqual(['a', 'b', 'c', 'd']);

    db.workers = 2;
    await tick(one);
    expect(one.heldAccounts()).toHaveLength(2);
    expect(engine.running.size).toBe(2);
    const released = [...db.leases].filter(([, l]) => l.owner === null).map(([id]) => id);
    expect(released).toHaveLength(2);
    for (const id of released) expect(engine.calls).toContain(`remove ${id}`);

    const otherEngine = new FakeEngine();
    const two = worker(db, otherEngine, clock);
    await two.start();
    await tick(two);
    expect(two.heldAccounts().sort()).toEqual(released.sort());
  });

  it('stops syncing and refuses writes once its own clock says the lease was not renewed in time', async () => {
    const db = new FakeLeases();
    db.accounts = ['a'];
    const clock = { now: 0 };
    const engine = new FakeEngine();
    const one = worker(db, engine, clock);
    await one.start();
    await tick(one);
    expect(await sessionOf(one, 'a').write()).toMatchObject({ accountId: 'a', token: 1 });
    const session = sessionOf(one, 'a');

    db.failing = true; // the database is unreachable: renewals fail
    clock.now = 5_000;
    await tick(one);
    expect(one.holds('a')).toBe(true); // still within the TTL
    clock.now = 9_500;
    await tick(one);
    expect(one.holds('a')).toBe(false);
    expect(engine.running.has('a')).toBe(false);
    await expect(session.write()).rejects.toThrow(LeaseLostError);
  });

  it('drops a mailbox whose lease another worker took, and fences the old session', async () => {
    const db = new FakeLeases();
    db.accounts = ['a'];
    const clock = { now: 0 };
    const engine = new FakeEngine();
    const one = worker(db, engine, clock);
    await one.start();
    await tick(one);
    const session = sessionOf(one, 'a');
    // another worker stole it (paused past the TTL, say)
    db.leases.set('a', { owner: 'someone-else', token: 2, expires: 99_999 });
    await tick(one);
    expect(one.holds('a')).toBe(false);
    expect(engine.running.has('a')).toBe(false);
    await expect(session.write()).rejects.toThrow(LeaseLostError);
  });
});
