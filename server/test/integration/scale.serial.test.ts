// Scale-out: several Mailyard processes on one PostgreSQL. Serial: it runs five
// processes and 200 mailboxes, more than should share the machine with other test files.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, migrateToLatest, type Db } from '../../src/db/database.js';
import { SecretBox, loadSecretKey } from '../../src/lib/secret-box.js';
import { createMailUser, createPostgresDatabase, getRig, printRigLogsOnFailure, type MailUser } from '../rig/index.js';
import { ApiClient } from '../support/api-client.js';
import { launchBrowser } from '../support/browser.js';
import { startMailyard, stopMailyard, type MailyardProcess } from '../support/mailyard-process.js';
import { appendMessages, deliver, eventually, seedImapAccount, simpleMessage } from '../support/sync.js';

printRigLogsOnFailure();

const ADMIN = { email: 'admin@mailyard.test', password: 'admin-password-1' };
const LEASE_TTL_MS = 10_000;

interface Cluster {
  url: string;
  db: Db;
  secrets: SecretBox;
  env: Record<string, string>;
  processes: MailyardProcess[];
}

async function newCluster(): Promise<Cluster> {
  const url = await createPostgresDatabase();
  const db = createDatabase({ kind: 'postgres', url });
  await migrateToLatest(db);
  const key = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mailyard-scale-'));
  return {
    url,
    db,
    secrets: new SecretBox(loadSecretKey(key, dataDir)),
    processes: [],
    // One data directory for all: blobs written by a worker are read by the api processes.
    env: {
      DATABASE_URL: url,
      MAILYARD_DATA_DIR: dataDir,
      MAILYARD_SECRET_KEY: key,
      MAILYARD_ADMIN_EMAIL: ADMIN.email,
      MAILYARD_ADMIN_PASSWORD: ADMIN.password,
      MAILYARD_LEASE_TTL_MS: String(LEASE_TTL_MS),
      MAILYARD_HEARTBEAT_MS: '1000',
    },
  };
}

async function start(cluster: Cluster, role: 'api' | 'worker'): Promise<MailyardProcess> {
  const p = await startMailyard(role, cluster.env);
  cluster.processes.push(p);
  return p;
}

async function adminId(db: Db): Promise<string> {
  const row = await eventually(() => db.selectFrom('users').select('id').where('email', '=', ADMIN.email).executeTakeFirst(), 30_000, 'the admin');
  return row.id;
}

async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

const messageCounts = async (db: Db) =>
  new Map(
    (
      await db
        .selectFrom('messages')
        .select(['account_id', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('account_id')
        .execute()
    ).map((r) => [r.account_id, Number(r.n)]),
  );

const duplicates = (db: Db) =>
  sql<{ account_id: string; message_id: string; n: number }>`select account_id, message_id, count(*)::int as n
    from messages group by account_id, message_id having count(*) > 1`.execute(db);

const owners = async (db: Db) =>
  new Map(
    (await db.selectFrom('account_leases').select(['account_id', 'owner_id', 'fencing_token']).execute()).map((r) => [
      r.account_id,
      { owner: r.owner_id, token: Number(r.fencing_token) },
    ]),
  );

/** Opens the live event stream of `baseUrl` as the admin and collects what arrives. */
async function eventStream(baseUrl: string) {
  const client = new ApiClient(baseUrl);
  await client.login(ADMIN.email, ADMIN.password);
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/v1/events`, { headers: { cookie: client.cookie ?? '' }, signal: controller.signal });
  let text = '';
  const reader = response.body?.getReader();
  void (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader?.read().catch(() => undefined);
      if (!chunk || chunk.done) return;
      text += decoder.decode(chunk.value, { stream: true });
    }
  })();
  return { received: () => text, close: () => controller.abort() };
}

describe('several processes on PostgreSQL', () => {
  const MAILBOXES = 200;
  let cluster: Cluster;
  let users: MailUser[];
  let accountIds: string[];
  let apiA: MailyardProcess;
  let apiB: MailyardProcess;
  let workers: MailyardProcess[];

  beforeAll(async () => {
    cluster = await newCluster();
    const rig = getRig();
    [apiA, apiB] = await Promise.all([start(cluster, 'api'), start(cluster, 'api')]);
    await Promise.all([apiA.ready, apiB.ready]);
    const userId = await adminId(cluster.db);
    users = await inParallel(Array.from({ length: MAILBOXES }, (_, i) => i), 20, () => createMailUser());
    await inParallel(users, 10, (user) =>
      appendMessages(rig, user, 'INBOX', [1, 2].map((n) => simpleMessage({ subject: `Hello ${n}`, to: user.email }))),
    );
    accountIds = await inParallel(users, 20, (mailUser) =>
      seedImapAccount(cluster.db, cluster.secrets, { userId, mailUser, rig, folders: ['INBOX'] }),
    );
    workers = await Promise.all([start(cluster, 'worker'), start(cluster, 'worker'), start(cluster, 'worker')]);
    await Promise.all(workers.map((w) => w.ready));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(cluster.processes.map(stopMailyard));
    await cluster.db.destroy();
  });

  it('syncs every mailbox exactly once, moves a dead worker’s mailboxes, and shows it on another api process', async () => {
    const workerIds = await Promise.all(workers.map((w) => w.workerId));

    // Every mailbox synced, by exactly one of the three workers, spread over all of them.
    await eventually(
      async () => {
        const counts = await messageCounts(cluster.db);
        return accountIds.every((id) => counts.get(id) === 2);
      },
      90_000,
      'every mailbox synced',
    ).catch(async (error: unknown) => {
      const counts = await messageCounts(cluster.db);
      const all = await owners(cluster.db);
      const states = await cluster.db.selectFrom('accounts').select(['state', 'error_code']).execute();
      console.error('[scale] synced', accountIds.filter((id) => counts.get(id) === 2).length, 'owners', workerIds.map((w) => [...all.values()].filter((l) => l.owner === w).length), 'states', JSON.stringify(states.reduce<Record<string, number>>((m, r) => ({ ...m, [`${r.state}/${r.error_code}`]: (m[`${r.state}/${r.error_code}`] ?? 0) + 1 }), {})));
      for (const w of workers) console.error('[scale] worker log:', w.log().split('\n').filter((l) => /"level":(40|50)/.test(l)).slice(-15).join('\n'));
      throw error;
    });
    expect((await duplicates(cluster.db)).rows).toEqual([]);
    const leases = await eventually(async () => {
      const all = await owners(cluster.db);
      const perWorker = workerIds.map((w) => [...all.values()].filter((l) => l.owner === w).length);
      return accountIds.every((id) => workerIds.includes(all.get(id)?.owner ?? '')) && perWorker.every((n) => n >= 60) ? all : undefined;
    }, 30_000, 'mailboxes spread over the three workers');

    // A worker serves its health checks, and nothing else.
    expect((await fetch(`${workers[0]!.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${workers[0]!.baseUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${workers[0]!.baseUrl}/api/v1/me`)).status).toBe(404);

    // kill -9 of one worker; mail arrives for its mailboxes while they have no worker.
    const victim = workers[0]!;
    const victimId = workerIds[0]!;
    const orphaned = accountIds.filter((id) => leases.get(id)?.owner === victimId);
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    const outage = orphaned.slice(0, 10);
    await Promise.all(
      outage.map((id) => deliver(getRig(), users[accountIds.indexOf(id)]!.email, `During the outage ${id}`)),
    );
    await eventually(
      async () => {
        const all = await owners(cluster.db);
        return orphaned.every((id) => workerIds.slice(1).includes(all.get(id)?.owner ?? ''));
      },
      LEASE_TTL_MS + 20_000,
      'the dead worker’s mailboxes taken over',
    );
    const tookOverAfterMs = Date.now() - killedAt;
    await eventually(
      async () => {
        const counts = await messageCounts(cluster.db);
        return outage.every((id) => counts.get(id) === 3);
      },
      60_000,
      'mail from the outage synced',
    );
    console.info(`[scale] ${orphaned.length} mailboxes of the killed worker taken over after ${tookOverAfterMs} ms (lease TTL ${LEASE_TTL_MS} ms)`);
    const counts = await messageCounts(cluster.db);
    expect(accountIds.filter((id) => counts.get(id) !== (outage.includes(id) ? 3 : 2))).toEqual([]);
    expect((await duplicates(cluster.db)).rows).toEqual([]);

    // A client of api process B sees mail that a worker (not B) synced.
    const stream = await eventStream(apiB.baseUrl);
    try {
      const target = accountIds[MAILBOXES - 1]!;
      const subject = `Seen on B ${randomBytes(4).toString('hex')}`;
      await deliver(getRig(), users[MAILBOXES - 1]!.email, subject);
      await eventually(() => Promise.resolve(stream.received().includes(subject) || undefined), 30_000, 'the event on api process B');
      expect(stream.received()).toContain(`"accountId":"${target}"`);
    } finally {
      stream.close();
    }

    // And a person with a browser on api process B sees it arrive in the Email tab.
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(apiB.baseUrl);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('listbox', { name: 'Messages' }).waitFor();
      const subject = `In the browser on B ${randomBytes(4).toString('hex')}`;
      await deliver(getRig(), users[0]!.email, subject);
      await page.getByRole('option', { name: new RegExp(subject) }).waitFor({ timeout: 30_000 });
    } finally {
      await browser.close();
    }
  }, 240_000);
});

/** Records every write to the synced tables with the fence of the transaction it was made in. */
async function auditFences(db: Db): Promise<void> {
  await sql`create table fence_audit (id bigserial primary key, tbl text not null, fence text)`.execute(db);
  await sql.raw(`create function audit_fence() returns trigger language plpgsql as $$
    begin insert into fence_audit (tbl, fence) values (TG_TABLE_NAME, current_setting('mailyard.fence', true)); return null; end $$`).execute(db);
  for (const table of ['messages', 'folders', 'accounts'])
    await sql.raw(`create trigger ${table}_fence after insert or update or delete on ${table} for each row execute function audit_fence()`).execute(db);
}

const lastAuditId = async (db: Db) =>
  (await sql<{ id: number }>`select coalesce(max(id), 0)::int as id from fence_audit`.execute(db)).rows[0]!.id;

describe('a worker whose lease was taken while it was paused', () => {
  let cluster: Cluster;

  afterAll(async () => {
    await Promise.all(cluster.processes.map(stopMailyard));
    await cluster.db.destroy();
  });

  it('writes nothing with its old lease after it resumes', async () => {
    cluster = await newCluster();
    const rig = getRig();
    await auditFences(cluster.db);

    const api = await start(cluster, 'api');
    await api.ready;
    const userId = await adminId(cluster.db);
    const users = await Promise.all([1, 2, 3].map(() => createMailUser()));
    const accountIds = await Promise.all(
      users.map((mailUser) => seedImapAccount(cluster.db, cluster.secrets, { userId, mailUser, rig, folders: ['INBOX'] })),
    );
    await Promise.all(users.map((u) => deliver(rig, u.email, 'Before the pause')));

    const a = await start(cluster, 'worker');
    const aId = await a.workerId;
    await eventually(async () => {
      const counts = await messageCounts(cluster.db);
      return accountIds.every((id) => counts.get(id) === 1);
    }, 30_000, 'worker A synced');
    const before = await owners(cluster.db);
    const staleFences = accountIds.map((id) => `${aId}:${before.get(id)?.token}`);
    expect(accountIds.every((id) => before.get(id)?.owner === aId)).toBe(true);
    const written = await sql<{ n: number }>`select count(*)::int as n from fence_audit where fence = any(${staleFences})`.execute(cluster.db);
    expect(written.rows[0]?.n).toBeGreaterThan(0); // the audit sees A's writes

    a.child.kill('SIGSTOP');
    const b = await start(cluster, 'worker');
    const bId = await b.workerId;
    await eventually(async () => {
      const all = await owners(cluster.db);
      return accountIds.every((id) => all.get(id)?.owner === bId);
    }, LEASE_TTL_MS * 3 + 20_000, 'worker B took every mailbox');
    const stolenAt = await lastAuditId(cluster.db);

    // New mail reaches A's still-open IMAP connections too: on resuming it has work it must not do.
    await Promise.all(users.map((u) => deliver(rig, u.email, 'While A is paused')));
    await eventually(async () => {
      const counts = await messageCounts(cluster.db);
      return accountIds.every((id) => counts.get(id) === 2);
    }, 30_000, 'worker B synced the new mail');

    const resumedAt = (await sql<{ t: number }>`select (extract(epoch from clock_timestamp()) * 1000)::bigint as t`.execute(cluster.db)).rows[0]!.t;
    a.child.kill('SIGCONT');
    // A runs again: its heartbeats resume (each one also rebalances), and it acts on what it saw
    // while paused (IDLE news on its old connections, poll timers).
    await eventually(
      async () => {
        const row = await cluster.db.selectFrom('workers').select('heartbeat_at').where('id', '=', aId).executeTakeFirst();
        return row !== undefined && Number(row.heartbeat_at) > Number(resumedAt) + 3_000;
      },
      30_000,
      'worker A running again',
    ).catch((error: unknown) => {
      console.error('[scale] worker A:', a.child.exitCode, a.child.signalCode, a.stderr(), a.log().slice(-5_000));
      throw error;
    });
    expect(a.log()).toContain('stopped syncing a mailbox');
    expect(a.child.exitCode).toBe(null);

    const stale = await sql<{ tbl: string; fence: string }>`select tbl, fence from fence_audit
      where id > ${stolenAt} and fence = any(${staleFences})`.execute(cluster.db);
    expect(stale.rows).toEqual([]);
    expect((await duplicates(cluster.db)).rows).toEqual([]);
  }, 120_000);
});

describe('a worker that does not know yet that its lease was taken', () => {
  let cluster: Cluster;

  afterAll(async () => {
    await Promise.all(cluster.processes.map(stopMailyard));
    await cluster.db.destroy();
  });

  it('is refused by the database and stops syncing the mailbox', async () => {
    cluster = await newCluster();
    // Renewals far apart: the write below is checked by the database before the worker's
    // next heartbeat could tell it about the takeover.
    cluster.env.MAILYARD_LEASE_TTL_MS = '120000';
    cluster.env.MAILYARD_HEARTBEAT_MS = '40000';
    const rig = getRig();
    await auditFences(cluster.db);
    const api = await start(cluster, 'api');
    await api.ready;
    const userId = await adminId(cluster.db);
    const user = await createMailUser();
    const accountId = await seedImapAccount(cluster.db, cluster.secrets, { userId, mailUser: user, rig, folders: ['INBOX'] });
    await deliver(rig, user.email, 'Before the takeover');
    const a = await start(cluster, 'worker');
    const aId = await a.workerId;
    await eventually(async () => (await messageCounts(cluster.db)).get(accountId) === 1, 30_000, 'worker A synced');
    const lease = (await owners(cluster.db)).get(accountId);
    expect(lease?.owner).toBe(aId);

    // Another worker takes the mailbox over (as after a pause); A's own clock still trusts the lease.
    await sql`update account_leases set owner_id = 'another-worker', fencing_token = fencing_token + 1,
      expires_at = (extract(epoch from clock_timestamp()) * 1000)::bigint + 600000 where account_id = ${accountId}`.execute(cluster.db);
    const stolenAt = await lastAuditId(cluster.db);
    await deliver(rig, user.email, 'After the takeover');

    await eventually(() => Promise.resolve(a.log().includes('lease taken by another worker') || undefined), 30_000, 'worker A refused');
    const stale = await sql<{ tbl: string }>`select tbl from fence_audit where id > ${stolenAt} and fence = ${`${aId}:${lease?.token}`}`.execute(cluster.db);
    expect(stale.rows).toEqual([]);
    expect((await messageCounts(cluster.db)).get(accountId)).toBe(1);
    expect(a.child.exitCode).toBe(null);
  }, 90_000);
});

describe('a second worker on SQLite', () => {
  it('refuses to start with a clear error', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mailyard-sqlite-'));
    const env = { MAILYARD_DATA_DIR: dataDir };
    const first = await startMailyard('all', env);
    try {
      await first.ready;
      const second = await startMailyard('worker', env);
      const { code } = await second.exited;
      expect(code).toBe(1);
      expect(second.stderr()).toContain(`another Mailyard worker is already running on`);
      expect(second.stderr()).toContain(`(pid ${first.child.pid}); on SQLite only one process may sync — use PostgreSQL for several workers`);
      // An api process on the same database is fine.
      const api = await startMailyard('api', env);
      await api.ready;
      await stopMailyard(api);
    } finally {
      await stopMailyard(first);
    }
  }, 60_000);
});
