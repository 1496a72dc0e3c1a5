// Verification (server/src/sync/verification.ts) against the real Dovecot, on both databases:
// the server and the stored copy are made to differ behind Mailyard's back (other mail clients
// flag, delete, add and move messages while the sync is stopped and its cursor says it has seen
// it all; rows are changed in the database), then a verification finds and repairs each
// difference, reports it in the account status, keeps changes still queued in Mailyard, and
// does not hold up push while it runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { userIdOf } from '../support/messages.js';
import { createMailUser, getRig, printRigLogsOnFailure, type MailUser } from '../rig/index.js';
import {
  appendMessages,
  deliver,
  eventually,
  fastSyncOptions,
  otherClient,
  seedImapAccount,
  simpleMessage,
} from '../support/sync.js';
import { FoldersRepository } from '../../src/db/repositories/folders.repository.js';
import { SyncAccountsRepository } from '../../src/db/repositories/sync-accounts.repository.js';
import type { MessageStore } from '../../src/db/message-store/message-store.js';
import { FolderSync } from '../../src/sync/folder-sync.js';
import { MailboxVerifier } from '../../src/sync/verification.js';
import type { Account } from '../../src/domain/account.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

printRigLogsOnFailure();

describe.each(dialects)('verification on %s', (dialect) => {
  let t: TestApp;
  let userId: string;

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      background: true,
      // Nothing runs on its own during the tests; small chunks so every folder takes several.
      syncEngine: {
        ...fastSyncOptions,
        verification: { checkIntervalMs: 3_600_000, fullIntervalMs: 86_400_000, chunkSize: 2 },
      },
    });
    userId = await userIdOf(t.admin);
  });
  afterAll(async () => {
    await t?.close();
  });

  const rowsOf = (accountId: string) =>
    t.container.db
      .selectFrom('messages as m')
      .innerJoin('folders as f', 'f.id', 'm.folder_id')
      .select(['m.id', 'm.subject', 'm.uid', 'm.seen', 'm.flagged', 'f.path'])
      .where('m.account_id', '=', accountId)
      .execute();

  const subjectsIn = async (accountId: string, path: string) =>
    (await rowsOf(accountId))
      .filter((r) => r.path === path)
      .map((r) => r.subject)
      .sort();

  const rowBySubject = async (accountId: string, subject: string) => {
    const row = (await rowsOf(accountId)).find((r) => r.subject === subject);
    if (!row) throw new Error(`no stored message "${subject}"`);
    return row;
  };

  async function connect(user: MailUser, stored: number, extra: { port?: number; syncPeriod?: 'all' } = {}): Promise<string> {
    const accountId = await seedImapAccount(t.container.db, t.container.secrets, { userId, mailUser: user, rig: getRig(), ...extra });
    await t.container.sync.refreshAccount(accountId);
    await eventually(
      async () => {
        const account = await t.container.db.selectFrom('accounts').select('state').where('id', '=', accountId).executeTakeFirstOrThrow();
        return account.state === 'idle' && (await rowsOf(accountId)).length === stored;
      },
      30_000,
      'first sync',
    );
    return accountId;
  }

  /** A verifier of its own over the panel's store (`store` may wrap it), like the engine's. */
  function verifierFor(user: MailUser, store: MessageStore = t.container.messageStore) {
    const folders = new FoldersRepository(t.container.db);
    return new MailboxVerifier(
      {
        accounts: new SyncAccountsRepository(t.container.db),
        folders,
        messages: store,
        folderSync: new FolderSync({ messages: store, folders, blobs: t.container.blobs, clock: t.container.clock, logger: t.container.logger }),
        credentialsFor: () => Promise.resolve({ user: user.email, password: user.password }),
        clock: t.container.clock,
        logger: t.container.logger,
        publish: (event) => t.container.events.publish(event),
        imap: {},
      },
      { checkIntervalMs: 60_000, fullIntervalMs: 86_400_000, chunkSize: 2 },
    );
  }

  /** What a sync that lost events believes: it has seen every UID and every change of the folder. */
  async function cursorPastEverything(user: MailUser, accountId: string, path: string): Promise<void> {
    const other = await otherClient(getRig(), user);
    const status = await other.status(path, { uidNext: true, highestModseq: true });
    await other.logout();
    if (!status) throw new Error(`no STATUS for ${path}`);
    await t.container.db
      .updateTable('folders')
      .set({ highest_uid: (status.uidNext ?? 1) - 1, highest_modseq: status.highestModseq?.toString() ?? null })
      .where('account_id', '=', accountId)
      .where('path', '=', path)
      .execute();
  }

  const statusOf = async (accountId: string) =>
    (await t.admin.get<Account>(`/api/v1/accounts/${accountId}`).expect(200)).status;

  describe('a copy that differs from the server', () => {
    let user: MailUser;
    let accountId: string;

    beforeAll(async () => {
      user = await createMailUser();
      await appendMessages(
        getRig(),
        user,
        'INBOX',
        ['Queued', 'Flagged there', 'Deleted there', 'Moved there', 'Read here', 'Lost here'].map((subject) =>
          simpleMessage({ subject, to: user.email }),
        ),
      );
      const other = await otherClient(getRig(), user);
      await other.mailboxCreate('Archive');
      await other.append('Archive', simpleMessage({ subject: 'Archived', to: user.email }));
      await other.logout();
      accountId = await connect(user, 7);
    });

    it('finds every difference, repairs it, and a change still queued here wins', async () => {
      // The sync stops; the owner marks a message read meanwhile (queued for the server).
      await t.container.sync.removeAccount(accountId);
      const queued = await rowBySubject(accountId, 'Queued');
      await t.admin.patch(`/api/v1/messages/${queued.id}`, { seen: true }).expect(200);

      // Another mail client changes the server...
      const uidOf = async (subject: string) => Number((await rowBySubject(accountId, subject)).uid);
      const other = await otherClient(getRig(), user);
      await other.mailboxOpen('INBOX');
      await other.messageFlagsAdd(String(await uidOf('Flagged there')), ['\\Flagged'], { uid: true });
      await other.messageDelete(String(await uidOf('Deleted there')), { uid: true });
      await other.messageMove(String(await uidOf('Moved there')), 'Archive', { uid: true });
      await other.append('INBOX', simpleMessage({ subject: 'Added there', to: user.email }));
      await other.logout();
      // ...and the sync believes it has seen all of it.
      await cursorPastEverything(user, accountId, 'INBOX');
      await cursorPastEverything(user, accountId, 'Archive');
      // The stored copy is changed behind the sync's back too.
      const readHere = await rowBySubject(accountId, 'Read here');
      await t.container.db.updateTable('messages').set({ seen: 1 }).where('id', '=', readHere.id).execute();
      const lost = await rowBySubject(accountId, 'Lost here');
      await t.container.db.deleteFrom('messages').where('id', '=', lost.id).execute();

      const linesBefore = t.logLines.length;
      const events: string[] = [];
      const unsubscribe = t.container.events.subscribe((event) => {
        if (event.accountId === accountId && event.type.startsWith('message.')) events.push(`${event.type} ${(event.data as { subject?: string }).subject ?? ''}`);
      });
      const result = await verifierFor(user).verify(accountId);
      unsubscribe();
      // Every repair is announced live, as any sync's change is.
      expect(events.sort()).toEqual(
        [
          'message.created Added there',
          'message.created Lost here',
          'message.created Moved there',
          'message.deleted Deleted there',
          'message.deleted Moved there',
          'message.updated Flagged there',
          'message.updated Read here',
        ].sort(),
      );

      // INBOX: two flags, two gone from the server, two missing here; Archive: the moved one.
      expect(result).toMatchObject({ found: 7, repaired: 7 });
      expect(await subjectsIn(accountId, 'INBOX')).toEqual(['Added there', 'Flagged there', 'Lost here', 'Queued', 'Read here']);
      expect(await subjectsIn(accountId, 'Archive')).toEqual(['Archived', 'Moved there']);
      expect((await rowBySubject(accountId, 'Flagged there')).flagged).toBe(1);
      expect((await rowBySubject(accountId, 'Read here')).seen).toBe(0);
      // The queued change is kept here and still queued for the server, which has not got it yet.
      expect((await rowBySubject(accountId, 'Queued')).seen).toBe(1);
      const pending = await t.container.db.selectFrom('pending_changes').select('id').where('account_id', '=', accountId).execute();
      expect(pending).toHaveLength(1);

      const status = await statusOf(accountId);
      expect(status.lastVerifiedAt).not.toBeNull();
      expect(status.drift).toEqual({ found: 7, repaired: 7 });
      const warnings = t.logLines
        .slice(linesBefore)
        .map((line) => JSON.parse(line) as { level: number; msg: string; accountId?: string })
        .filter((line) => line.level === 40 && line.accountId === accountId);
      expect(warnings.map((w) => w.msg)).toEqual(['verification: the copy differed from the mail server; repaired it']);

      // Verified again: everything matches now.
      expect(await verifierFor(user).verify(accountId)).toMatchObject({ found: 0, repaired: 0 });
      expect((await statusOf(accountId)).drift).toEqual({ found: 0, repaired: 0 });

      // Once the sync runs again the queued change reaches the server.
      await t.container.sync.refreshAccount(accountId);
      await eventually(
        async () => {
          const client = await otherClient(getRig(), user);
          await client.mailboxOpen('INBOX');
          const seen: string[] = [];
          for await (const m of client.fetch('1:*', { envelope: true, flags: true }))
            if (m.flags?.has('\\Seen')) seen.push(m.envelope?.subject ?? '');
          await client.logout();
          return seen.includes('Queued');
        },
        20_000,
        'the queued change on the server',
      );
    });
  });

  describe('a verification in progress', () => {
    it('does not hold up push: new mail in INBOX arrives meanwhile', async () => {
      const user = await createMailUser();
      await appendMessages(getRig(), user, 'INBOX', ['One', 'Two', 'Three'].map((subject) => simpleMessage({ subject, to: user.email })));
      const accountId = await connect(user, 3);

      // The verification is held after its first read of the stored copy, its connection open.
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let entered: () => void = () => undefined;
      const holding = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const store = t.container.messageStore;
      const held = Object.create(store) as MessageStore;
      held.storedInRange = async (...args) => {
        const rows = await store.storedInRange(...args);
        entered();
        await gate;
        return rows;
      };
      const verification = verifierFor(user, held).verify(accountId);
      await holding;

      await deliver(getRig(), user.email, 'Pushed during the verification');
      await eventually(
        async () => (await subjectsIn(accountId, 'INBOX')).includes('Pushed during the verification'),
        20_000,
        'push during the verification',
      );
      release();
      expect(await verification).toMatchObject({ found: 0, repaired: 0 });
      expect(await subjectsIn(accountId, 'INBOX')).toEqual(['One', 'Pushed during the verification', 'Three', 'Two']);
    });
  });

  describe('the cheap check', () => {
    it('finds a folder whose message count cannot match what is stored', async () => {
      const user = await createMailUser();
      await appendMessages(getRig(), user, 'INBOX', ['Red', 'Green', 'Blue'].map((subject) => simpleMessage({ subject, to: user.email })));
      const accountId = await connect(user, 3, { syncPeriod: 'all' });
      const verifier = verifierFor(user);
      expect(await verifier.check(accountId)).toEqual([]);

      const green = await rowBySubject(accountId, 'Green');
      await t.container.db.deleteFrom('messages').where('id', '=', green.id).execute();
      expect(await verifier.check(accountId)).toEqual(['INBOX']);
    });
  });

  describe('after a gap in the connection', () => {
    it('verifies the copy in full once the session is back', async () => {
      const user = await createMailUser();
      await appendMessages(getRig(), user, 'INBOX', ['North', 'South'].map((subject) => simpleMessage({ subject, to: user.email })));
      const proxy = await startTcpProxy({ host: getRig().imap.host, port: getRig().imap.tlsPort });
      try {
        const accountId = await connect(user, 2, { port: proxy.port });
        const south = await rowBySubject(accountId, 'South');
        await t.container.db.updateTable('messages').set({ flagged: 1 }).where('id', '=', south.id).execute();
        expect((await statusOf(accountId)).lastVerifiedAt).toBeNull();

        // The session's connection breaks on its next command (the poll's); it reconnects.
        const acceptedBefore = proxy.accepted;
        proxy.cutOnNextSend();
        const status = await eventually(async () => {
          const s = await statusOf(accountId);
          return s.lastVerifiedAt !== null && s;
        }, 30_000, 'a verification after the reconnect');
        expect(proxy.accepted).toBeGreaterThan(acceptedBefore);
        expect(status.drift).toEqual({ found: 1, repaired: 1 });
        expect((await rowBySubject(accountId, 'South')).flagged).toBe(0);
      } finally {
        await proxy.close();
      }
    });
  });

  describe('POST /accounts/{id}/sync', () => {
    let user: MailUser;
    let accountId: string;

    beforeAll(async () => {
      user = await createMailUser();
      await appendMessages(getRig(), user, 'INBOX', ['Alpha', 'Beta', 'Gamma'].map((subject) => simpleMessage({ subject, to: user.email })));
      accountId = await connect(user, 3);
    });

    it('with {"verify": true} verifies the copy and reports it in the status', async () => {
      const beta = await rowBySubject(accountId, 'Beta');
      await t.container.db.updateTable('messages').set({ flagged: 1 }).where('id', '=', beta.id).execute();
      expect((await statusOf(accountId)).lastVerifiedAt).toBeNull();

      await t.admin.post(`/api/v1/accounts/${accountId}/sync`, { verify: true }).expect(202);

      const status = await eventually(async () => {
        const s = await statusOf(accountId);
        return s.lastVerifiedAt !== null && s;
      }, 20_000, 'the verification');
      expect(status.drift).toEqual({ found: 1, repaired: 1 });
      expect((await rowBySubject(accountId, 'Beta')).flagged).toBe(0);
    });

    it('without a body keeps its meaning: synchronise now', async () => {
      await t.admin.post(`/api/v1/accounts/${accountId}/sync`).expect(202);
      await t.admin.post(`/api/v1/accounts/${accountId}/sync`, {}).expect(202);
    });

    it('refuses a body it does not understand, naming the field', async () => {
      const wrongType = await t.admin.post(`/api/v1/accounts/${accountId}/sync`, { verify: 'yes' }).expectError(400, 'validation_failed');
      expect(Object.keys((wrongType.details as { fields: Record<string, string> }).fields)).toEqual(['verify']);
      const unknown = await t.admin.post(`/api/v1/accounts/${accountId}/sync`, { verfy: true }).expectError(400, 'validation_failed');
      expect(Object.keys((unknown.details as { fields: Record<string, string> }).fields)).toEqual(['verfy']);
    });
  });
});
