// `npm run bench:scale`: Mailyard workers on PostgreSQL against the test rig (prints, never fails).
// N mailboxes (SCALE_BENCH_N, default 1,000) with 20 messages each; first one worker, then two on
// a fresh database: time until every mailbox is synced and idle, steady resident memory per
// worker and per mailbox (and the peak during the first sync), and how the mailboxes split.
// Targets: one worker holds 1,000 idle mailboxes in <= 512 MB; all synced within 120 s.
// Measures the built server (`node dist/server/main.js`, what `npm start` runs): it runs
// `npm run build:server` first and stops if that fails.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { ensureTestCa } from '../server/test/rig/ca.mjs';
import { startRig } from '../server/test/rig/rig.js';
import type { MailUser, RigDescription } from '../server/test/rig/types.js';
import { createDatabase, migrateToLatest, type Db } from '../server/src/db/database.js';
import { SecretBox, loadSecretKey } from '../server/src/lib/secret-box.js';
import { appendMessages, seedImapAccount, simpleMessage } from '../server/test/support/sync.js';
import {
  startMailyard as startProcess,
  stopMailyard,
  type MailyardProcess,
} from '../server/test/support/mailyard-process.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.SCALE_BENCH_N ?? 1_000);
const PER_MAILBOX = 20;
const SETTLE_MS = 90_000;
const WINDOW_MS = 60_000;
const ADMIN = { email: 'admin@mailyard.test', password: 'admin-password-1' };

async function control<T>(rig: RigDescription, route: string): Promise<T> {
  const response = await fetch(`${rig.control.url}/${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rig.control.secret}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) throw new Error(`rig: ${route} failed: ${response.status}`);
  return (await response.json()) as T;
}

async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i] as T);
      }
    }),
  );
  return results;
}

const rssMb = (pid: number | undefined): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const startMailyard = (role: 'api' | 'worker', env: Record<string, string>) => startProcess(role, env, { entry: 'built' });

/** The server as `npm start` runs it: built from the current sources, or the benchmark stops. */
async function buildServer(): Promise<void> {
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('npm', ['run', 'build:server'], { cwd: repoRoot, stdio: 'inherit' });
    child.once('error', () => resolve(null));
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new Error(`\`npm run build:server\` failed (exit ${code}): the benchmark measures the built server`);
}

async function cluster(rig: RigDescription, users: MailUser[], workers: number): Promise<void> {
  const { url } = await control<{ url: string }>(rig, 'postgres/create-database');
  const db: Db = createDatabase({ kind: 'postgres', url });
  await migrateToLatest(db);
  const key = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-bench-scale-'));
  const env = {
    DATABASE_URL: url,
    MAILYARD_DATA_DIR: dataDir,
    MAILYARD_SECRET_KEY: key,
    MAILYARD_ADMIN_EMAIL: ADMIN.email,
    MAILYARD_ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
  };
  const secrets = new SecretBox(loadSecretKey(key, dataDir));
  const api = await startMailyard('api', { ...env, LOG_LEVEL: 'info' });
  const processes: MailyardProcess[] = [api];
  try {
    await api.ready;
    const admin = await db.selectFrom('users').select('id').where('email', '=', ADMIN.email).executeTakeFirstOrThrow();
    // A worker with no mailbox: what every mailbox's memory is counted above.
    const empty = await startMailyard('worker', { ...env, LOG_LEVEL: 'info' });
    await empty.ready;
    await sleep(5_000);
    const baseline = rssMb(empty.child.pid);
    await stopMailyard(empty);
    await inParallel(users, 20, (mailUser) => seedImapAccount(db, secrets, { userId: admin.id, mailUser, rig, folders: ['INBOX'] }));

    const started = Date.now();
    const ws = await Promise.all(Array.from({ length: workers }, () => startMailyard('worker', { ...env, LOG_LEVEL: 'info' })));
    processes.push(...ws);
    await Promise.all(ws.map((w) => w.ready));
    const peak = ws.map(() => 0);
    let syncedMs = 0;
    for (;;) {
      ws.forEach((w, i) => (peak[i] = Math.max(peak[i] ?? 0, rssMb(w.child.pid))));
      const { rows } = await sql<{ messages: number; idle: number }>`select
          (select count(*)::int from messages) as messages,
          (select count(*)::int from accounts where state = 'idle') as idle`.execute(db);
      const row = rows[0];
      if (row && row.messages >= users.length * PER_MAILBOX && row.idle === users.length) {
        syncedMs = Date.now() - started;
        break;
      }
      if (Date.now() - started > 600_000) throw new Error(`not synced after 10 min: ${JSON.stringify(row)}`);
      await sleep(250);
    }
    // Steady state. V8 keeps the heap the first sync grew to until the process has been quiet for
    // a while (30-150 s here), so: idle in IDLE for SETTLE_MS, then the highest RSS over WINDOW_MS.
    await sleep(SETTLE_MS);
    const samples = ws.map((): number[] => []);
    for (let t = 0; t < WINDOW_MS; t += 2_000) {
      ws.forEach((w, i) => samples[i]?.push(rssMb(w.child.pid)));
      await sleep(2_000);
    }
    const ids = await Promise.all(ws.map((w) => w.workerId));
    const leases = await db.selectFrom('account_leases').select(['owner_id']).execute();
    console.log(`${workers} worker(s), ${users.length} mailboxes x ${PER_MAILBOX} messages: all synced and idle after ${(syncedMs / 1000).toFixed(1)} s (target <= 120 s)`);
    ws.forEach((w, i) => {
      const held = leases.filter((l) => l.owner_id === ids[i]).length;
      const rss = Math.max(...(samples[i] ?? [0]));
      const perMailboxKb = ((rss - baseline) * 1024) / Math.max(1, held);
      console.log(
        `  worker ${i + 1}: ${held} mailboxes, steady RSS ${rss.toFixed(0)} MB (highest over ${WINDOW_MS / 1000} s after ${SETTLE_MS / 1000} s idle; ` +
          `lowest ${Math.min(...(samples[i] ?? [0])).toFixed(0)} MB), ${(peak[i] ?? 0).toFixed(0)} MB at most during the first sync; ` +
          `${baseline.toFixed(0)} MB with none, ${perMailboxKb.toFixed(0)} KB per mailbox above that; ` +
          `1,000 would need ~${(baseline + (perMailboxKb * 1000) / 1024).toFixed(0)} MB (target <= 512 MB)`,
      );
    });
  } finally {
    await Promise.all(processes.map(stopMailyard));
    await db.destroy();
  }
}

async function main(): Promise<void> {
  await buildServer();
  const rig = await startRig({ repoRoot });
  try {
    const d = rig.description;
    console.log(`scale benchmark: ${N} mailboxes x ${PER_MAILBOX} messages`);
    const users = await inParallel(Array.from({ length: N }), 20, () => control<MailUser>(d, 'mail-users/create'));
    await inParallel(users, 16, (user) =>
      appendMessages(d, user, 'INBOX', Array.from({ length: PER_MAILBOX }, (_, i) => simpleMessage({ subject: `Bench ${i}`, to: user.email }))),
    );
    console.log('mailboxes filled');
    await cluster(d, users, 1);
    await cluster(d, users, 2);
  } finally {
    await rig.stop();
  }
}

// TLS to the rig needs its CA trusted from process start: re-run ourselves with it.
const ca = await ensureTestCa(repoRoot);
if (process.env.NODE_EXTRA_CA_CERTS !== ca.caFile) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.caFile },
  });
  child.once('exit', (code) => process.exit(code ?? 1));
} else {
  await main();
}
