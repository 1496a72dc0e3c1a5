// The sync engine when the server misbehaves: Dovecot restarted in the middle of a first sync,
// and a connection that silently stops passing bytes. Serial: restarting Dovecot affects every
// test running at the same time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { userIdOf } from '../support/messages.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createMailUser, getRig, printRigLogsOnFailure, startDovecot, stopDovecot } from '../rig/index.js';
import {
  appendMessages,
  deliver,
  eventually,
  fastSyncOptions,
  nextEvent,
  seedImapAccount,
  simpleMessage,
} from '../support/sync.js';

printRigLogsOnFailure();

describe.each(dialects)('sync engine resilience on %s', (dialect) => {
  let t: TestApp;
  let userId: string;
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    // Small batches: the restart lands in the middle of the first sync (listing or downloads).
    t = await startTestApp(dialect, {
      background: true,
      syncEngine: {
        ...fastSyncOptions,
        folderSync: { ...fastSyncOptions.folderSync, batchSize: 5, headerBatchSize: 20 },
      },
    });
    userId = await userIdOf(t.admin);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  /** Messages listed; or only those whose source is downloaded and body parsed. */
  const messageCount = (accountId: string, complete = false) =>
    t.container.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('account_id', '=', accountId)
      .$if(complete, (q) => q.where('source_pending', '=', 0).where('content_pending', '=', 0))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  const distinctMessageIds = (accountId: string) =>
    t.container.db
      .selectFrom('messages')
      .select('message_id')
      .distinct()
      .where('account_id', '=', accountId)
      .execute()
      .then((rows) => rows.length);

  it('finishes a first sync interrupted by a Dovecot restart, without duplicates', async () => {
    const user = await createMailUser();
    await appendMessages(
      getRig(),
      user,
      'INBOX',
      Array.from({ length: 300 }, (_, i) =>
        simpleMessage({ subject: `Bulk ${i}`, to: user.email, body: 'x'.repeat(2_000) }),
      ),
    );
    const accountId = await seedImapAccount(t.container.db, t.container.secrets, {
      userId,
      mailUser: user,
      rig: getRig(),
    });
    await t.container.sync.refreshAccount(accountId);

    await eventually(
      async () => (await messageCount(accountId)) > 0 && (await messageCount(accountId, true)) < 300,
      30_000,
      'the first sync to start',
    );
    await stopDovecot();
    await new Promise((r) => setTimeout(r, 1_000));
    await startDovecot();

    await eventually(
      async () => (await messageCount(accountId, true)) === 300,
      60_000,
      'the first sync to finish, every source downloaded and parsed',
    );
    expect(await messageCount(accountId)).toBe(300);
    expect(await distinctMessageIds(accountId)).toBe(300);
    const account = await t.container.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    await eventually(
      async () =>
        (
          await t.container.db
            .selectFrom('accounts')
            .select('state')
            .where('id', '=', accountId)
            .executeTakeFirstOrThrow()
        ).state === 'idle',
      20_000,
      'idle',
    );
    expect(account.error_action === null || account.error_action === 'retry').toBe(true);

    // Push works on the new connection.
    const created = nextEvent(
      t.container.events,
      (e) => e.type === 'message.created' && e.accountId === accountId && e.data.subject === 'After restart',
    );
    await deliver(getRig(), user.email, 'After restart');
    await created;
  });

  it('replaces a connection that stops answering', async () => {
    const user = await createMailUser();
    const rig = getRig();
    proxy = await startTcpProxy({ host: rig.imap.host, port: rig.imap.tlsPort });
    await appendMessages(rig, user, 'INBOX', [
      simpleMessage({ subject: 'Before the stall', to: user.email }),
    ]);
    const accountId = await seedImapAccount(t.container.db, t.container.secrets, {
      userId,
      mailUser: user,
      rig,
      port: proxy.port,
    });
    await t.container.sync.refreshAccount(accountId);
    await eventually(async () => (await messageCount(accountId)) === 1, 20_000, 'the first sync');
    const acceptedBefore = proxy.accepted;

    proxy.stall();
    // Mail arriving while the old connection hangs is seen on its replacement.
    await deliver(rig, user.email, 'During the stall');
    await eventually(
      async () => (await messageCount(accountId)) === 2,
      30_000,
      'the mail to arrive over a new connection',
    );
    expect(proxy.accepted).toBeGreaterThan(acceptedBefore);
    await proxy.close();
    proxy = undefined;
  });
});
