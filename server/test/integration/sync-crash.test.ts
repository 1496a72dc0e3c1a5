// Kill -9 of Mailyard at random points of a first sync of 2,000 messages, ten times, then a
// restart: the end state equals a clean sync (same messages, no duplicates, none missing).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/container.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestDatabase, dialects, type TestDatabase } from '../support/database.js';
import { createMailUser, getRig, printRigLogsOnFailure, type MailUser } from '../rig/index.js';
import { appendMessages, eventually, seedImapAccount, serverSourceHashes, simpleMessage } from '../support/sync.js';

printRigLogsOnFailure();

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MESSAGES = 2_000;
const KILLS = 10;

function withAttachment(i: number, to: string): Buffer {
  const payload = randomBytes(4_000).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `Message-ID: <crash-${i}-${randomBytes(4).toString('hex')}@test.mailyard>\r\nFrom: a@example.test\r\nTo: ${to}\r\nSubject: With attachment ${i}\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee file\r\n` +
      `--b\r\nContent-Type: application/octet-stream; name="f${i}.bin"\r\nContent-Disposition: attachment; filename="f${i}.bin"\r\n` +
      `Content-Transfer-Encoding: base64\r\n\r\n${payload}\r\n--b--\r\n`,
  );
}

function startSyncProcess(db: TestDatabase): { child: ChildProcess; ready: Promise<void> } {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    MAILYARD_DATA_DIR: db.dataDir,
    LOG_LEVEL: 'warn',
  };
  env.DATABASE_URL = db.database.kind === 'postgres' ? db.database.url : `sqlite:${db.database.file}`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'server/test/support/sync-process.ts')],
    {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`sync process exited (${signal ?? code}) before it was ready: ${stderr}`)),
    );
  });
  ready.catch(() => undefined);
  return { child, ready };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

describe.each(dialects)('kill -9 during a first sync on %s', (dialect) => {
  let db: TestDatabase;
  let container: Container;
  let user: MailUser;
  let accountId: string;

  beforeAll(async () => {
    user = await createMailUser();
    const sources = Array.from({ length: MESSAGES }, (_, i) =>
      i % 10 === 0
        ? withAttachment(i, user.email)
        : simpleMessage({
            subject: `Message ${i}`,
            to: user.email,
            body: `number ${i}\r\n${'z'.repeat(500)}`,
          }),
    );
    await appendMessages(getRig(), user, 'INBOX', sources);
    db = await createTestDatabase(dialect);
    // Migrations, the admin user and the account, written by an in-process container that does not sync.
    const config = {
      ...loadConfig({
        MAILYARD_DATA_DIR: db.dataDir,
        MAILYARD_ADMIN_EMAIL: 'crash@mailyard.test',
        MAILYARD_ADMIN_PASSWORD: 'crash-password-1',
      }),
      database: db.database,
    };
    container = await createContainer(config, createLogger('warn'));
    const admin = await container.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    accountId = await seedImapAccount(container.db, container.secrets, {
      userId: admin.id,
      mailUser: user,
      rig: getRig(),
    });
  }, 300_000);
  afterAll(async () => {
    await container?.close();
    await db?.cleanup();
  });

  /** Messages listed; or only those whose source or body is still to come (sync/folder-sync.ts). */
  const count = async (bodyWaiting = false) =>
    Number(
      (
        await container.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('account_id', '=', accountId)
          .$if(bodyWaiting, (q) => q.where('content_pending', '=', 1))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const bodiesWaiting = () => count(true);

  it('ends in the same state as a clean sync', { timeout: 600_000 }, async () => {
    // A first sync lists the messages from their headers, then downloads and parses their
    // sources: the kills land anywhere in both.
    const progress: { listed: number; waiting: number }[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const { child, ready } = startSyncProcess(db);
      await ready;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 1_500));
      child.kill('SIGKILL');
      await exited(child);
      progress.push({ listed: await count(), waiting: await bodiesWaiting() });
    }
    // The kills landed while the sync was still going (otherwise this proves little).
    expect(progress.some((p) => p.listed < MESSAGES || p.waiting > 0), JSON.stringify(progress)).toBe(true);

    const { child, ready } = startSyncProcess(db);
    await ready;
    try {
      await eventually(
        async () => {
          const account = await container.db
            .selectFrom('accounts')
            .select(['state'])
            .where('id', '=', accountId)
            .executeTakeFirstOrThrow();
          return account.state === 'idle' && (await count()) === MESSAGES && (await bodiesWaiting()) === 0;
        },
        300_000,
        'the sync to finish after the kills, every body parsed',
      );
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }

    // What a clean sync stores: every message on the server exactly once, its source intact.
    const server = await serverSourceHashes(getRig(), user);

    const rows = await container.db
      .selectFrom('messages')
      .select(['id', 'uid', 'raw_sha256', 'text'])
      .where('account_id', '=', accountId)
      .execute();
    expect(rows).toHaveLength(MESSAGES);
    expect(rows.filter((r) => !r.text)).toEqual([]);
    expect(new Set(rows.map((r) => Number(r.uid))).size).toBe(MESSAGES);
    for (const row of rows) expect(row.raw_sha256).toBe(server.get(Number(row.uid)));
    for (const row of rows.slice(0, 50)) expect(await container.blobs.exists(row.raw_sha256)).toBe(true);

    const attachments = await container.db
      .selectFrom('attachments')
      .innerJoin('messages', 'messages.id', 'attachments.message_id')
      .select(['attachments.message_id'])
      .where('messages.account_id', '=', accountId)
      .execute();
    expect(attachments).toHaveLength(MESSAGES / 10);
    expect(new Set(attachments.map((a) => a.message_id)).size).toBe(MESSAGES / 10);

    const inbox = await container.db
      .selectFrom('folders')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('path', '=', 'INBOX')
      .executeTakeFirstOrThrow();
    expect(inbox.sync_complete).toBe(1);
    expect(Number(inbox.highest_uid)).toBe(Math.max(...server.keys()));
  });
});
