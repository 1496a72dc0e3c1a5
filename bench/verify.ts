// `npm run bench:verify`: a full verification (server/src/sync/verification.ts) of one folder of
// 100,000 messages (VERIFY_BENCH_N) against the rig's Dovecot, on SQLite and on PostgreSQL
// (VERIFY_BENCH_DB=sqlite or postgres for one of them; the mailbox is filled once). Prints the time, the
// bytes over the wire both ways (counted by a loopback proxy in front of IMAPS), the peak memory
// of this process above its level before the verification, and what it found: the local copy is
// seeded through the message store with a few differences made on purpose (VERIFY_BENCH_DRIFT
// messages missing here, as many with other flags), so the repairs are measured too.
// Prints figures, never fails.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import { loadConfig } from '../server/src/config.js';
import { createContainer, type Container } from '../server/src/container.js';
import { createLogger } from '../server/src/lib/logger.js';
import { FoldersRepository } from '../server/src/db/repositories/folders.repository.js';
import { SyncAccountsRepository } from '../server/src/db/repositories/sync-accounts.repository.js';
import { emptyParsedMessage } from '../server/src/mail/mime/parse.js';
import type { IncomingMessage } from '../server/src/domain/message.js';
import { FolderSync } from '../server/src/sync/folder-sync.js';
import { MailboxVerifier, defaultVerificationOptions } from '../server/src/sync/verification.js';
import { ensureTestCa } from '../server/test/rig/ca.mjs';
import { startRig } from '../server/test/rig/rig.js';
import type { MailUser, RigDescription } from '../server/test/rig/types.js';
import { seedImapAccount } from '../server/test/support/sync.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.VERIFY_BENCH_N ?? 100_000);
const DRIFT = Number(process.env.VERIFY_BENCH_DRIFT ?? 10);
const dialects = ['sqlite', 'postgres'] as const;
type Dialect = (typeof dialects)[number];
const only = process.env.VERIFY_BENCH_DB;
if (only !== undefined && !dialects.includes(only as Dialect))
  throw new Error(`VERIFY_BENCH_DB must be one of ${dialects.join(', ')}, not "${only}"`);
const chosen: readonly Dialect[] = only ? [only as Dialect] : dialects;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const rig = await startRig({ repoRoot });
  try {
    await run(rig.description);
  } finally {
    await rig.stop();
  }
}

async function run(rig: RigDescription): Promise<void> {
  console.log(`verification benchmark: one folder of ${N.toLocaleString()} messages, ${DRIFT} missing here and ${DRIFT} with other flags`);
  const user = await createMailUser(rig);
  const started = performance.now();
  await fillMaildir(rig, user, N);
  const imap = await client(rig, user, rig.imap.tlsPort);
  const box = await imap.mailboxOpen('INBOX', { readOnly: true });
  await imap.logout();
  console.log(`mailbox filled (Maildir) and indexed by Dovecot: ${box.exists.toLocaleString()} messages in ${Math.round(performance.now() - started)} ms`);
  for (const dialect of chosen) await runOn(dialect, rig, user);
}

/** Seeds a copy in a fresh database of `dialect` and verifies it against the filled mailbox. */
async function runOn(dialect: Dialect, rig: RigDescription, user: MailUser): Promise<void> {
  console.log(`\n--- ${dialect}`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-bench-verify-'));
  const env: Record<string, string> = { MAILYARD_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '0' };
  if (dialect === 'postgres') env.DATABASE_URL = (await control<{ url: string }>(rig, 'postgres/create-database')).url;
  const config = loadConfig(env);
  const container = await createContainer(config, createLogger('warn'));
  const proxy = await countingProxy(rig.imap.host, rig.imap.tlsPort);
  const imap = await client(rig, user, rig.imap.tlsPort);
  try {
    const box = await imap.mailboxOpen('INBOX', { readOnly: true });
    const userRow = await container.db.insertInto('users').values(userValues()).returning('id').executeTakeFirstOrThrow();
    const accountId = await seedImapAccount(container.db, container.secrets, {
      userId: userRow.id,
      mailUser: user,
      rig,
      port: proxy.port,
      syncPeriod: 'all',
      folders: ['INBOX'],
    });
    let started = performance.now();
    await seedCopy(container, imap, accountId, box);
    console.log(`local copy stored through the message store in ${Math.round(performance.now() - started)} ms`);
    await imap.logout();

    const folders = new FoldersRepository(container.db);
    const store = container.messageStore;
    const verifier = new MailboxVerifier({
      accounts: new SyncAccountsRepository(container.db),
      folders,
      messages: store,
      folderSync: new FolderSync({ messages: store, folders, blobs: container.blobs, clock: container.clock, logger: container.logger }),
      credentialsFor: () => Promise.resolve({ user: user.email, password: user.password }),
      clock: container.clock,
      logger: container.logger,
      publish: () => undefined,
      imap: {},
    });

    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 20);
    proxy.reset();
    const cpu = process.cpuUsage();
    started = performance.now();
    const result = await verifier.verify(accountId);
    const elapsed = performance.now() - started;
    const cpuMs = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000;
    clearInterval(sampler);

    console.log(
      `full verification of ${N.toLocaleString()} messages (chunks of ${defaultVerificationOptions.chunkSize.toLocaleString()} UIDs): ${Math.round(elapsed)} ms (CPU ${Math.round(cpuMs)} ms)`,
    );
    console.log(`  found ${result?.found ?? 0}, repaired ${result?.repaired ?? 0} (expected ${2 * DRIFT})`);
    console.log(`  over the wire: ${mb(proxy.down)} MB from the server, ${(proxy.up / 1024).toFixed(1)} KB to it (${proxy.connections} connection)`);
    console.log(
      `  peak memory above the level before: RSS +${mb(peakRss - before.rss)} MB (peak ${mb(peakRss)} MB), heap +${mb(peakHeap - before.heapUsed)} MB`,
    );
  } finally {
    if (imap.usable) await imap.logout();
    await proxy.close();
    await container.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Writes the messages straight into the user's Maildir (appending 100,000 over IMAP takes minutes). */
async function fillMaildir(rig: RigDescription, user: MailUser, n: number): Promise<void> {
  // The first login creates the Maildir.
  const first = await client(rig, user, rig.imap.tlsPort);
  await first.mailboxOpen('INBOX');
  await first.logout();
  const maildir = path.join(rig.dir, 'mail', user.domain, user.localPart, 'Maildir');
  const owner = statSync(maildir);
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const body =
      `Message-ID: <bench-${i}@verify.mailyard>\r\nFrom: Sender ${i % 97} <sender${i % 97}@example.test>\r\nTo: ${user.email}\r\n` +
      `Subject: Verification bench message ${i}\r\nDate: ${new Date(now - (n - i) * 1000).toUTCString()}\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\n\r\nBody of message ${i}.\r\n`;
    // Every third one read, every tenth flagged: flags travel in the file name.
    const flags = `${i % 10 === 0 ? 'F' : ''}${i % 3 === 0 ? 'S' : ''}`;
    const file = path.join(maildir, 'cur', `${Math.floor(now / 1000)}.M${i}P${process.pid}.bench,S=${Buffer.byteLength(body)}:2,${flags}`);
    writeFileSync(file, body);
    chownSync(file, owner.uid, owner.gid);
  }
}

/** The local copy as a finished sync leaves it, stored through the message store, with drift. */
async function seedCopy(
  container: Container,
  imap: ImapFlow,
  accountId: string,
  box: { uidValidity: bigint; uidNext: number; highestModseq?: bigint },
): Promise<void> {
  const now = Date.now();
  const folders = new FoldersRepository(container.db);
  await folders.reconcile(accountId, [{ path: 'INBOX', name: 'INBOX', delimiter: '/', specialUse: null, synced: true }], now);
  const folder = (await folders.listByAccount(accountId)).find((f) => f.path === 'INBOX');
  if (!folder) throw new Error('INBOX was not stored');
  await folders.saveCursor(
    folder.id,
    {
      uid_validity: Number(box.uidValidity),
      highest_uid: box.uidNext - 1,
      highest_modseq: box.highestModseq?.toString() ?? null,
      backfill_uid: 1,
      sync_complete: 1,
    },
    now,
  );
  const sync = { accountId, accountEmail: 'bench@verify.mailyard', folderId: folder.id, folderPath: 'INBOX', folderSpecialUse: null, uidValidity: Number(box.uidValidity) };
  let batch: IncomingMessage[] = [];
  let index = 0;
  for await (const m of imap.fetch('1:*', { uid: true, flags: true, size: true, envelope: true }, { uid: true })) {
    index += 1;
    if (index % Math.floor(N / DRIFT) === 1) continue; // missing here
    const seen = m.flags?.has('\\Seen') ?? false;
    const parsed = { ...emptyParsedMessage(), subject: m.envelope?.subject ?? '', messageId: m.envelope?.messageId ?? null };
    batch.push({
      uid: m.uid,
      // Other flags here than on the server.
      flags: { seen: index % Math.floor(N / DRIFT) === 2 ? !seen : seen, flagged: m.flags?.has('\\Flagged') ?? false, answered: false, draft: false },
      modseq: null,
      internalDate: null,
      size: m.size ?? 0,
      parsed,
      source: null,
      bodyParsed: false,
      parseError: null,
    });
    if (batch.length === 1_000) {
      await container.messageStore.storeFetched(sync, batch);
      batch = [];
    }
  }
  await container.messageStore.storeFetched(sync, batch);
}

function userValues() {
  const now = Date.now();
  return {
    id: randomUUID(),
    email: `bench-${now}@verify.mailyard`,
    name: 'Bench',
    password_hash: 'x',
    role: 'admin' as const,
    created_at: now,
    updated_at: now,
  };
}

/** A call to the rig's control endpoint (what server/test/rig/index.ts does for test files). */
async function control<T>(rig: RigDescription, route: string): Promise<T> {
  const response = await fetch(`${rig.control.url}/${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rig.control.secret}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) throw new Error(`rig: ${route} failed: ${response.status}`);
  return (await response.json()) as T;
}

const createMailUser = (rig: RigDescription) => control<MailUser>(rig, 'mail-users/create');

async function client(rig: RigDescription, user: MailUser, port: number): Promise<ImapFlow> {
  const imap = new ImapFlow({ host: rig.imap.host, port, secure: true, auth: { user: user.email, pass: user.password }, logger: false, disableAutoIdle: true });
  imap.on('error', () => undefined);
  await imap.connect();
  return imap;
}

/** A loopback TCP proxy that counts the bytes each way (TLS included, as on the wire). */
async function countingProxy(host: string, port: number) {
  const counts = { up: 0, down: 0, connections: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    counts.connections += 1;
    const outbound = net.connect(port, host);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined).on('close', () => sockets.delete(s));
    }
    inbound.on('data', (chunk: Buffer) => {
      counts.up += chunk.length;
      outbound.write(chunk);
    });
    outbound.on('data', (chunk: Buffer) => {
      counts.down += chunk.length;
      inbound.write(chunk);
    });
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get up() {
      return counts.up;
    },
    get down() {
      return counts.down;
    },
    get connections() {
      return counts.connections;
    },
    reset() {
      counts.up = 0;
      counts.down = 0;
      counts.connections = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// TLS to the rig needs its CA trusted from process start, and a GC before measuring: re-run
// ourselves with both.
const ca = await ensureTestCa(repoRoot);
if (process.env.NODE_EXTRA_CA_CERTS !== ca.caFile) {
  const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.caFile },
  });
  child.once('exit', (code) => process.exit(code ?? 1));
} else {
  await main();
}
