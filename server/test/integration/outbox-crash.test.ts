// kill -9 between the SMTP server's acceptance and Mailyard recording it: the message is never
// sent twice. The worker runs in a child process that kills itself at the injected crash point;
// the restarted worker settles the item from the Sent folder, or calls it "may have been sent".
import { spawn } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { userIdOf } from '../support/messages.js';
import { eventually, seedImapAccount } from '../support/sync.js';
import { fastOutbox, messagesWithId } from '../support/outbox.js';
import { createMailUser, getRig, printRigLogsOnFailure, type MailUser } from '../rig/index.js';
import type { OutboxCheckpoint } from '../../src/services/outbox/outbox-worker.js';

interface Item {
  id: string;
  status: string;
  error?: { code: string; message: string };
  messageId?: string;
}

const workerScript = path.resolve(import.meta.dirname, '../support/outbox-crash-worker.ts');

printRigLogsOnFailure();

describe.each(dialects)('an outbox worker killed mid-send on %s', (dialect) => {
  let t: TestApp;
  let sender: MailUser;
  let recipient: MailUser;
  let accountId: string;

  beforeAll(async () => {
    // No background work here: the child process is the worker until the "restart" below.
    // A lease of 0: the restarted worker may settle every `sending` item it is not sending itself.
    t = await startTestApp(dialect, { configure: (c) => ({ ...c, outbox: { ...fastOutbox, sendingLeaseMs: 0 } }) });
    [sender, recipient] = await Promise.all([createMailUser(), createMailUser()]);
    accountId = await seedImapAccount(t.container.db, t.container.secrets, { userId: await userIdOf(t.admin), mailUser: sender, rig: getRig() });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Runs the worker in a child process until it kills itself at `point`. */
  function crashingWorker(point: OutboxCheckpoint): Promise<NodeJS.Signals | null> {
    const database = t.container.config.database;
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
      env: {
        ...process.env,
        MAILYARD_DATA_DIR: t.container.config.dataDir,
        DATABASE_URL: database.kind === 'sqlite' ? `sqlite:${database.file}` : database.url,
        // Read by the test's worker script, never by Mailyard itself.
        MAILYARD_TEST_CRASH_POINT: point,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the worker never reached the crash point'));
      }, 45_000);
      child.on('exit', (_code, signal) => {
        clearTimeout(timer);
        resolve(signal);
      });
    });
  }

  async function queueAndCrash(point: OutboxCheckpoint) {
    const subject = `Crash ${point} ${randomUUID().slice(0, 8)}`;
    const queued = await t.admin.post<Item>('/api/v1/outbox', { accountId, to: [recipient.email], subject, text: 'x' }).expect(202);
    expect(await crashingWorker(point)).toBe('SIGKILL');
    const row = await t.container.db.selectFrom('outbox').selectAll().where('id', '=', queued.id).executeTakeFirstOrThrow();
    // The server took it, Mailyard recorded nothing after "sending".
    expect(row.status).toBe('sending');
    await eventually(async () => (await messagesWithId(getRig(), recipient, 'INBOX', row.message_id)).length === 1, 20_000, 'delivery');
    return { id: queued.id, messageId: row.message_id };
  }

  async function restartedWorkerSettles(id: string): Promise<Item> {
    t.container.outboxWorker.start();
    try {
      return await eventually(async () => {
        const item = await t.admin.get<Item>(`/api/v1/outbox/${id}`).expect(200);
        return item.status === 'sending' ? undefined : item;
      }, 20_000, 'the interrupted item to be settled');
    } finally {
      await t.container.outboxWorker.stop();
    }
  }

  it('after the Sent copy was filed: settles as sent from the Sent folder, one copy delivered', async () => {
    const { id, messageId } = await queueAndCrash('after-sent-copy');
    const item = await restartedWorkerSettles(id);
    expect(item).toMatchObject({ status: 'sent', messageId });
    expect(await messagesWithId(getRig(), recipient, 'INBOX', messageId)).toHaveLength(1);
    expect(await messagesWithId(getRig(), sender, 'Sent', messageId)).toHaveLength(1);
  });

  it('before the Sent copy: "may have been sent", never resent unless the user asks', async () => {
    const { id, messageId } = await queueAndCrash('after-smtp-accept');
    const item = await restartedWorkerSettles(id);
    expect(item).toMatchObject({ status: 'uncertain', messageId, error: { code: 'may_have_been_sent' } });
    expect(await messagesWithId(getRig(), recipient, 'INBOX', messageId)).toHaveLength(1);

    // "Send again" is the user's decision; then it goes out (a second time, as asked).
    await t.admin.post<Item>(`/api/v1/outbox/${id}/retry`).expect(202);
    t.container.outboxWorker.start();
    try {
      await eventually(async () => (await t.admin.get<Item>(`/api/v1/outbox/${id}`).expect(200)).status === 'sent', 20_000, 'resend');
    } finally {
      await t.container.outboxWorker.stop();
    }
    await eventually(async () => (await messagesWithId(getRig(), recipient, 'INBOX', messageId)).length === 2, 20_000, 'the second copy');
  });
});
