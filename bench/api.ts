// `npm run bench:api`: the communication panel's API with 100,000 stored messages across 20
// accounts, on SQLite and on PostgreSQL. Times, through HTTP on loopback: the first list page
// (50 items), a later page by cursor, opening a message, and a search; prints p50/p95 against
// the targets (list and open p95 ≤ 20 ms, search p95 ≤ 100 ms).
//
//   npm run bench:api                      both dialects (PostgreSQL in a temporary cluster)
//   npm run bench:api -- --only=sqlite     one dialect
//   BENCH_POSTGRES_URL=postgres://… npm run bench:api   an existing server (a new database is made)
//   BENCH_MESSAGES=20000 npm run bench:api              a smaller run
//   BENCH_EXPLAIN=1 npm run bench:api -- --only=postgres  also prints the search plans
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../server/src/config.js';
import { createContainer, createHttpServer, type Container } from '../server/src/container.js';
import { createLogger } from '../server/src/lib/logger.js';
import type { App } from '../server/src/http/app.js';
import { Postgres } from '../server/test/rig/postgres.js';
import { ensureSystemUser } from '../server/test/rig/system-users.js';
import { seedAccount, type SeededAccount } from '../server/test/support/messages.js';
import { ApiClient } from '../server/test/support/api-client.js';

const messageCount = Number(process.env.BENCH_MESSAGES ?? 100_000);
const accountCount = 20;
const pageSize = 50;
const samples = 300;
const warmup = 30;
const targets = { list: 20, open: 20, search: 100 } as const;

// ---- deterministic text -------------------------------------------------------------------

function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(42);
const syllables = ['ka', 'lo', 'mi', 'ren', 'sa', 'tu', 'vel', 'dor', 'an', 'is', 'po', 'qua', 'ber', 'nix', 'ta', 'el', 'fo', 'gri'];
const vocabulary = Array.from({ length: 8000 }, (_, i) => {
  let word = '';
  let n = i + 7;
  do {
    word += syllables[n % syllables.length] ?? '';
    n = Math.floor(n / syllables.length);
  } while (n > 0);
  return word;
});
// Zipf-like: a few words in nearly every message, most words rare, as in real mail.
const cumulative: number[] = [];
let total = 0;
for (let i = 0; i < vocabulary.length; i++) {
  total += 1 / (i + 1);
  cumulative.push(total);
}
function word(): string {
  const target = random() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
    else hi = mid;
  }
  return vocabulary[lo] ?? 'word';
}
const words = (n: number) => Array.from({ length: n }, word).join(' ');

// ---- measuring ----------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(name: string, run: (i: number) => Promise<void>): Promise<{ name: string; p50: number; p95: number }> {
  for (let i = 0; i < warmup; i++) await run(i);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await run(i + warmup);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { name, p50: percentile(times, 50), p95: percentile(times, 95) };
}

// ---- one dialect --------------------------------------------------------------------------

async function seed(c: Container, userId: string): Promise<{ ids: string[] }> {
  const accounts: SeededAccount[] = [];
  for (let i = 0; i < accountCount; i++) accounts.push(await seedAccount(c.db, { userId, email: `bench${i}-${randomUUID().slice(0, 6)}@bench.example` }));
  const raw = await c.blobs.put(Buffer.from('Subject: bench\r\n\r\nbody\r\n'));
  const start = Date.UTC(2025, 0, 1);
  const ids: string[] = [];
  const batch = 500;
  const now = Date.now();
  const seeded = performance.now();
  for (let done = 0; done < messageCount; done += batch) {
    const rows = Array.from({ length: Math.min(batch, messageCount - done) }, (_, k) => {
      const n = done + k;
      const account = accounts[n % accountCount];
      if (!account) throw new Error('no account');
      const folderPath = n % 10 === 0 ? 'Sent' : n % 17 === 0 ? 'Archive' : 'INBOX';
      const id = randomUUID();
      ids.push(id);
      const sender = `sender${Math.floor(random() * 500)}`;
      const text = words(60 + Math.floor(random() * 120));
      return {
        id,
        account_id: account.accountId,
        folder_id: account.folders[folderPath] ?? '',
        uid_validity: 1,
        uid: n + 1,
        message_id: `<${id}@bench.example>`,
        thread_id: n % 3 === 0 && n > 0 ? (ids[n - 1] ?? id) : id,
        in_reply_to: null,
        references: '[]',
        subject: words(3 + Math.floor(random() * 5)),
        from_json: JSON.stringify([{ name: `${sender} person`, address: `${sender}@example.com` }]),
        to_json: JSON.stringify([{ name: 'Bench User', address: account.email }]),
        cc_json: '[]',
        bcc_json: '[]',
        // ~5 minutes apart over the year, with collisions on purpose (the id breaks ties)
        date: start + Math.floor(n * 300_000 + random() * 60_000),
        snippet: text.slice(0, 200),
        text,
        html: `<p>${text}</p>`,
        headers_json: '[]',
        seen: random() < 0.8 ? 1 : 0,
        flagged: random() < 0.05 ? 1 : 0,
        answered: 0,
        draft: 0,
        has_attachments: 0,
        direction: folderPath === 'Sent' ? ('outgoing' as const) : ('incoming' as const),
        size: 2000,
        raw_sha256: raw.sha256,
        parse_error: null,
        modseq: null,
        created_at: now,
        updated_at: now,
      };
    });
    await c.db.transaction().execute((trx) => trx.insertInto('messages').values(rows).execute());
    if ((done / batch) % 40 === 0) process.stdout.write(`\r  stored ${done + rows.length} of ${messageCount} messages`);
  }
  process.stdout.write(`\r  stored ${messageCount} messages in ${((performance.now() - seeded) / 1000).toFixed(1)} s\n`);
  return { ids };
}

async function runDialect(name: 'sqlite' | 'postgres', database: Config['database']) {
  console.log(`\n== ${name} ==`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-bench-'));
  const base = loadConfig({ MAILYARD_DATA_DIR: dataDir, MAILYARD_ADMIN_EMAIL: 'admin@bench.example', MAILYARD_ADMIN_PASSWORD: 'bench-admin-password', LOG_LEVEL: 'warn' });
  const config: Config = { ...base, database };
  const container = await createContainer(config, createLogger('warn'));
  let app: App | undefined;
  try {
    app = await createHttpServer(container, '');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const admin = await container.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const { ids } = await seed(container, admin.id);
    // Signed in after the long seeding, so no idle keep-alive connection is reused.
    const client = new ApiClient(`http://127.0.0.1:${address.port}`);
    await client.login('admin@bench.example', 'bench-admin-password');
    // What autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would have done by now.
    await sql`analyze`.execute(container.db);

    type Page = { items: { id: string }[]; nextCursor: string | null };
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) cursor = (await client.get<Page>(`/api/v1/messages?limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`).expect(200)).nextCursor;
    if (!cursor) throw new Error('no later page');
    const laterCursor = cursor;
    const terms = [vocabulary[3], vocabulary[40], vocabulary[400], vocabulary[3000], `${vocabulary[10]} ${vocabulary[200]}`, 'sender42'];

    if (process.env.BENCH_EXPLAIN && name === 'postgres') {
      for (const term of terms) {
        const plan = await sql<{ 'QUERY PLAN': string }>`explain (analyze, costs off, timing on)
          select m.id from messages m join folders f on f.id = m.folder_id
          where m.account_id in (select id from accounts)
            and exists (select 1 from message_search s where s.message_id = m.id and s.document @@ websearch_to_tsquery('simple', ${term ?? ''}))
          order by m.date desc, m.id desc limit 51`.execute(container.db);
        console.log(`-- ${term}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
      }
    }
    const results = [
      await measure('first list page (50)', async () => {
        const page = await client.get<Page>(`/api/v1/messages?limit=${pageSize}`).expect(200);
        if (page.items.length !== pageSize) throw new Error('short page');
      }),
      await measure('later page by cursor (page 21)', async () => {
        await client.get(`/api/v1/messages?limit=${pageSize}&cursor=${laterCursor}`).expect(200);
      }),
      await measure('open a message', async (i) => {
        await client.get(`/api/v1/messages/${ids[(i * 7919) % ids.length]}`).expect(200);
      }),
      await measure('search (mixed terms)', async (i) => {
        await client.get(`/api/v1/messages?limit=${pageSize}&q=${encodeURIComponent(terms[i % terms.length] ?? '')}`).expect(200);
      }),
    ];
    // The same operations called in-process (no HTTP, no session lookup): what the database and
    // the service cost, apart from the loopback round trip and a machine shared with other work.
    const actor = { id: admin.id };
    const floor = await measure('  HTTP floor: GET /api/v1/me', async () => {
      await client.get('/api/v1/me').expect(200);
    });
    const direct = [
      floor,
      await measure('  in-process: first list page', async () => {
        await container.services.messages.list(actor, { limit: pageSize });
      }),
      await measure('  in-process: later page', async () => {
        await container.services.messages.list(actor, { limit: pageSize, cursor: laterCursor });
      }),
      await measure('  in-process: open a message', async (i) => {
        await container.services.messages.get(actor, ids[(i * 7919) % ids.length] ?? '');
      }),
      await measure('  in-process: search', async (i) => {
        await container.services.messages.list(actor, { limit: pageSize, q: terms[i % terms.length] ?? '' });
      }),
    ];
    const target = (n: string) => (n.startsWith('search') ? targets.search : n.startsWith('open') ? targets.open : targets.list);
    for (const r of results) {
      const t = target(r.name);
      console.log(`  ${r.name.padEnd(32)} p50 ${r.p50.toFixed(2).padStart(7)} ms   p95 ${r.p95.toFixed(2).padStart(7)} ms   target p95 ≤ ${t} ms  ${r.p95 <= t ? 'OK' : 'MISSED'}`);
    }
    for (const r of direct) console.log(`  ${r.name.padEnd(32)} p50 ${r.p50.toFixed(2).padStart(7)} ms   p95 ${r.p95.toFixed(2).padStart(7)} ms`);
    return results.map((r) => ({ dialect: name, ...r, ok: r.p95 <= target(r.name) }));
  } finally {
    await app?.close();
    await container.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function withPostgres<T>(work: (url: string) => Promise<T>): Promise<T> {
  const createDb = async (adminUrl: string) => {
    const name = `bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  if (process.env.BENCH_POSTGRES_URL) return work(await createDb(process.env.BENCH_POSTGRES_URL));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-bench-pg-'));
  const cluster = await Postgres.start({
    dir,
    logFile: path.join(dir, 'postgres.log'),
    owner: await ensureSystemUser('postgres'),
    templateCacheDir: path.join(process.cwd(), '.rig', 'postgres-template'),
  });
  try {
    return await work(await createDb(cluster.url));
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
console.log(`Mailyard API benchmark: ${messageCount} messages across ${accountCount} accounts, ${samples} samples per figure`);
const all = [];
if (!only || only === 'sqlite') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-bench-db-'));
  try {
    all.push(...(await runDialect('sqlite', { kind: 'sqlite', file: path.join(dir, 'bench.db') })));
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
if (!only || only === 'postgres') all.push(...(await withPostgres((url) => runDialect('postgres', { kind: 'postgres', url }))));
const missed = all.filter((r) => !r.ok);
console.log(missed.length === 0 ? '\nAll targets met.' : `\nMissed: ${missed.map((r) => `${r.dialect} ${r.name}`).join(', ')}`);
