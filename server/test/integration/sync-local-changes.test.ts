// Changes made in Mailyard (read, unread, flag, move, delete) reach the server whatever the sync
// is doing when they are made, and the two copies agree afterwards: while a folder is listed from
// its headers, while sources download (messages not downloaded yet), when the connection breaks
// as a change is sent, when a folder's UIDVALIDITY changes before the change is applied, while the
// server reports flags (QRESYNC, CHANGEDSINCE, a full flag fetch) and while a message is listed
// again in the folder it was moved to. Each window is reached by holding the real session (or a
// stepped FolderSync) at a named step, never by timing. The server's state is read back by another
// IMAP client; Mailyard's through the API; both right after the account is idle again and after a
// further pass. Every IMAP server of the rig, both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { userIdOf } from '../support/messages.js';
import { printRigLogsOnFailure, type MailUser } from '../rig/index.js';
import { eventually, seedImapAccount, simpleMessage } from '../support/sync.js';
import { imapServers, otherClientOn, type ImapServerUnderTest } from '../support/imap-servers.js';
import { createSteppedSession, type SteppedSession, type SyncStep } from '../support/stepped-session.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { getRig } from '../rig/index.js';
import { defaultFolderSyncOptions, FolderSync, type SyncTarget } from '../../src/sync/folder-sync.js';
import { PendingChangeApplier } from '../../src/sync/pending-changes.js';
import { FoldersRepository } from '../../src/db/repositories/folders.repository.js';
import { MessageStore } from '../../src/db/message-store/message-store.js';
import { toServerFolder } from '../../src/mail/imap/client.js';
import { createLogger } from '../../src/lib/logger.js';
import { systemClock } from '../../src/lib/clock.js';
import type { MessageListItem } from '../../src/domain/message.js';
import type { ServerEvent } from '../../src/domain/events.js';

printRigLogsOnFailure();

const kinds = ['read', 'unread', 'flag', 'move', 'delete'] as const;
type Kind = (typeof kinds)[number];

/** One seeded message as the server had it before any change. */
interface Seeded {
  subject: string;
  folder: string;
  seen: boolean;
  source: Buffer;
}

/** A change made through the API, and where the message was then. */
interface Change {
  kind: Kind;
  subject: string;
  id: string;
  from: string;
  /** move: the folder it goes to */
  to?: string;
  /** live updates published before the API answered (older than the change) */
  updatesBefore: number;
}

/** A mailbox: `count` messages in `folder`, every fourth already read; a Projects folder. */
async function seedMailbox(server: ImapServerUnderTest, user: MailUser, folder: string, count: number): Promise<Seeded[]> {
  const client = await otherClientOn(server, user);
  try {
    for (const extra of [folder, server.folder('Projects'), server.folder('Later')])
      if (extra !== 'INBOX') await client.mailboxCreate(extra).catch(() => undefined);
    const seeded: Seeded[] = [];
    for (let i = 1; i <= count; i++) {
      const subject = `Message ${String(i).padStart(3, '0')}`;
      const source = simpleMessage({ subject, to: user.email, body: `Body of message ${i}\r\n${'x'.repeat(400)}` });
      const seen = i % 4 === 0;
      await client.append(folder, source, seen ? ['\\Seen'] : []);
      seeded.push({ subject, folder, seen, source });
    }
    return seeded;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Where each message is and how it is flagged: subject -> ["Folder seen flagged", …] (sorted). */
type MailboxState = Record<string, string[]>;

const entry = (folder: string, seen: boolean, flagged: boolean) =>
  [folder, seen && 'seen', flagged && 'flagged'].filter(Boolean).join(' ');

function add(state: MailboxState, subject: string, value: string): void {
  (state[subject] ??= []).push(value);
  state[subject].sort();
}

/** The server's own state of these folders, read by another client. */
async function serverState(server: ImapServerUnderTest, user: MailUser, folders: readonly string[]): Promise<MailboxState> {
  const client = await otherClientOn(server, user);
  const state: MailboxState = {};
  try {
    for (const folder of folders) {
      const box = await client.mailboxOpen(folder);
      if (box.exists === 0) continue;
      for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true }, { uid: true }))
        add(state, m.envelope?.subject ?? '', entry(folder, m.flags?.has('\\Seen') ?? false, m.flags?.has('\\Flagged') ?? false));
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return state;
}

/** What Mailyard shows of these folders, through the API. */
async function localState(t: TestApp, accountId: string, folders: readonly string[]): Promise<MailboxState> {
  const state: MailboxState = {};
  let cursor: string | null = null;
  do {
    const page: { items: MessageListItem[]; nextCursor: string | null } = await t.admin
      .get<{ items: MessageListItem[]; nextCursor: string | null }>(
        `/api/v1/messages?accountId=${accountId}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      )
      .expect(200);
    for (const item of page.items) if (folders.includes(item.folder)) add(state, item.subject, entry(item.folder, item.seen, item.flagged));
    cursor = page.nextCursor;
  } while (cursor);
  return state;
}

/** The state both copies must reach: the seeded mailbox with the changes made. */
function expectedState(seeded: readonly Seeded[], changes: readonly Change[], trash: string): MailboxState {
  const state: MailboxState = {};
  for (const m of seeded) {
    const change = changes.find((c) => c.subject === m.subject);
    const folder = change?.from ?? m.folder;
    switch (change?.kind) {
      case undefined:
        add(state, m.subject, entry(folder, m.seen, false));
        break;
      case 'read':
        add(state, m.subject, entry(folder, true, false));
        break;
      case 'unread':
        add(state, m.subject, entry(folder, false, false));
        break;
      case 'flag':
        add(state, m.subject, entry(folder, m.seen, true));
        break;
      case 'move':
        add(state, m.subject, entry(change.to ?? '', m.seen, false));
        break;
      case 'delete':
        add(state, m.subject, entry(trash, m.seen, false));
        break;
    }
  }
  return state;
}

/** Subjects whose state differs, in words ("Message 007: [INBOX] where [INBOX seen] was expected"). */
function differences(actual: MailboxState, expected: MailboxState): string[] {
  const subjects = [...new Set([...Object.keys(actual), ...Object.keys(expected)])].sort();
  return subjects
    .filter((s) => JSON.stringify(actual[s] ?? []) !== JSON.stringify(expected[s] ?? []))
    .map((s) => `${s}: [${(actual[s] ?? []).join(', ')}] where [${(expected[s] ?? []).join(', ')}] was expected`);
}

const withoutFolder = (state: MailboxState, folder: string): MailboxState =>
  Object.fromEntries(
    Object.entries(state)
      .map(([s, entries]) => [s, entries.filter((e) => e.split(' ')[0] !== folder)] as const)
      .filter(([, entries]) => entries.length > 0),
  );

/** Picks a message for each kind among `candidates` (read: an unread one, unread: a read one). */
function pickTargets(candidates: readonly { id: string; subject: string }[], seeded: readonly Seeded[]): Map<Kind, { id: string; subject: string }> {
  const seenOf = new Map(seeded.map((m) => [m.subject, m.seen]));
  const picked = new Map<Kind, { id: string; subject: string }>();
  const taken = new Set<string>();
  for (const kind of kinds) {
    const wantSeen = kind === 'unread';
    const found = candidates.find((c) => !taken.has(c.id) && seenOf.get(c.subject) === wantSeen);
    if (!found) throw new Error(`no message to ${kind} among ${candidates.length} candidates`);
    taken.add(found.id);
    picked.set(kind, found);
  }
  return picked;
}

/** Makes each change through the API, as the panel does. */
async function makeChanges(
  t: TestApp,
  targets: Map<Kind, { id: string; subject: string }>,
  where: { from: string; moveTo: string },
  watch?: ReturnType<typeof watchSyncUpdates>,
): Promise<Change[]> {
  const changes: Change[] = [];
  for (const [kind, { id, subject }] of targets) {
    switch (kind) {
      case 'read':
        await t.admin.patch(`/api/v1/messages/${id}`, { seen: true }).expect(200);
        break;
      case 'unread':
        await t.admin.patch(`/api/v1/messages/${id}`, { seen: false }).expect(200);
        break;
      case 'flag':
        await t.admin.patch(`/api/v1/messages/${id}`, { flagged: true }).expect(200);
        break;
      case 'move':
        await t.admin.patch(`/api/v1/messages/${id}`, { folder: where.moveTo }).expect(200);
        break;
      case 'delete':
        await t.admin.delete(`/api/v1/messages/${id}`).expect(204);
        break;
    }
    changes.push({ kind, subject, id, from: where.from, updatesBefore: watch?.count() ?? 0, ...(kind === 'move' && { to: where.moveTo }) });
  }
  return changes;
}

/**
 * Live updates the sync published for a changed message after the change: none may show the
 * message as it was before (a flag read back from the server over the change the user made).
 */
function watchSyncUpdates(session: SteppedSession) {
  const seen: ServerEvent<'message.updated'>[] = [];
  const unsubscribe = session.onSyncEvent((e) => {
    if (e.type === 'message.updated') seen.push(e);
  });
  return {
    count: () => seen.length,
    contradicting(changes: readonly Change[]): string[] {
      const wrong: string[] = [];
      for (const change of changes) {
        for (const e of seen.slice(change.updatesBefore).filter((x) => x.data.id === change.id)) {
          if (change.kind === 'read' && e.data.seen !== true) wrong.push(`${change.subject} shown unread again`);
          if (change.kind === 'unread' && e.data.seen !== false) wrong.push(`${change.subject} shown read again`);
          if (change.kind === 'flag' && e.data.flagged !== true) wrong.push(`${change.subject} shown unflagged again`);
        }
      }
      return wrong;
    },
    stop: unsubscribe,
  };
}

describe.each(imapServers)('changes made in Mailyard while it syncs, on $name', (server) => {
  describe.each(dialects)('on %s', (dialect) => {
    let t: TestApp;
    const sessions: SteppedSession[] = [];
    const proxies: TcpProxy[] = [];

    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterAll(async () => {
      for (const s of sessions) await s.stop();
      for (const p of proxies) await p.close();
      await t?.close();
    });

    const trash = server.folder('Trash');
    const projects = server.folder('Projects');

    /** Rows of the account as stored, for picking targets. */
    const storedRows = (accountId: string, folder: string) =>
      t.container.db
        .selectFrom('messages as m')
        .innerJoin('folders as f', 'f.id', 'm.folder_id')
        .select(['m.id', 'm.subject', 'm.uid', 'm.source_pending'])
        .where('m.account_id', '=', accountId)
        .where('f.path', '=', folder)
        .orderBy('m.uid')
        .execute();

    /** Both copies against what the user did: right after the pass, then after a further one. */
    async function expectAgreement(
      session: SteppedSession,
      user: MailUser,
      seeded: readonly Seeded[],
      changes: readonly Change[],
      watch: ReturnType<typeof watchSyncUpdates>,
    ) {
      const folders = [...new Set([...seeded.map((m) => m.folder), projects, server.folder('Later'), trash, 'INBOX'])];
      const expected = expectedState(seeded, changes, trash);
      // Right after the pass: the server has every change; Mailyard shows every change (the
      // Trash copy of a deleted message may come with the next sync of Trash).
      expect(differences(await serverState(server, user, folders), expected)).toEqual([]);
      expect(differences(withoutFolder(await localState(t, session.accountId, folders), trash), withoutFolder(expected, trash))).toEqual([]);
      await session.furtherPass();
      expect(differences(await serverState(server, user, folders), expected)).toEqual([]);
      expect(differences(await localState(t, session.accountId, folders), expected)).toEqual([]);
      expect(watch.contradicting(changes)).toEqual([]);
      watch.stop();
      // Every source downloaded, none twice.
      const waiting = await t.container.db
        .selectFrom('messages')
        .select('subject')
        .where('account_id', '=', session.accountId)
        .where('source_pending', '=', 1)
        .execute();
      expect(waiting).toEqual([]);
      const queued = await t.container.db.selectFrom('pending_changes').select('kind').where('account_id', '=', session.accountId).execute();
      expect(queued).toEqual([]);
    }

    async function session(user: MailUser, extra: Partial<Parameters<typeof createSteppedSession>[1]> = {}) {
      const s = await createSteppedSession(t, {
        server,
        user,
        // 120 messages: six listing batches, twelve download batches.
        folderSync: { headerBatchSize: 20, batchSize: 10 },
        ...extra,
      });
      sessions.push(s);
      return s;
    }

    const inInbox = (kind: SyncStep['kind'], batch?: number) => (step: SyncStep) =>
      step.kind === kind && 'folder' in step && step.folder === 'INBOX' && (batch === undefined || ('batch' in step && step.batch === batch));

    /** A 120-message INBOX whose first sync is held at `at`, and its rows stored by then. */
    async function firstSyncHeldAt(at: (step: SyncStep) => boolean, extra: Partial<Parameters<typeof createSteppedSession>[1]> = {}) {
      const user = await server.createUser();
      const seeded = await seedMailbox(server, user, 'INBOX', 120);
      const s = await session(user, extra);
      const held = s.holdAt(at);
      s.start();
      const { release } = await held;
      return { user, seeded, s, release, rows: await storedRows(s.accountId, 'INBOX') };
    }

    /** Makes the changes while the session is held, lets the pass end, and compares both copies. */
    async function changeThenAgree(
      held: Awaited<ReturnType<typeof firstSyncHeldAt>>,
      targets: Map<Kind, { id: string; subject: string }>,
      where: { from: string; moveTo: string },
    ) {
      const watch = watchSyncUpdates(held.s);
      const changes = await makeChanges(t, targets, where, watch);
      const ended = held.s.passEnded();
      held.release();
      await ended;
      await expectAgreement(held.s, held.user, held.seeded, changes, watch);
    }

    it('made while the folder is still listed from its headers', async () => {
      const held = await firstSyncHeldAt(inInbox('listed', 1));
      // The newest 20 are listed, their sources not downloaded, 100 more still to list.
      expect(held.rows.length).toBeLessThan(held.seeded.length);
      expect(held.rows.every((r) => r.source_pending === 1)).toBe(true);
      await changeThenAgree(held, pickTargets(held.rows, held.seeded), { from: 'INBOX', moveTo: projects });
    });

    it('made while sources download, on messages not downloaded yet', async () => {
      const held = await firstSyncHeldAt(inInbox('downloaded', 1));
      // The oldest are downloaded last: still waiting for their sources.
      const waiting = held.rows.filter((r) => r.source_pending === 1);
      expect(waiting.length).toBeGreaterThan(50);
      await changeThenAgree(held, pickTargets(waiting, held.seeded), { from: 'INBOX', moveTo: projects });
    });

    it('made to messages whose move to another folder is still queued', async () => {
      const held = await firstSyncHeldAt(inInbox('downloaded', 1));
      const targets = pickTargets(held.rows.filter((r) => r.source_pending === 1), held.seeded);
      // Moved first (the server does not know yet), then changed where Mailyard shows them.
      for (const { id } of targets.values()) await t.admin.patch(`/api/v1/messages/${id}`, { folder: projects }).expect(200);
      await changeThenAgree(held, targets, { from: projects, moveTo: server.folder('Later') });
    });

    it('made when the connection breaks while each change is on its way to the server', async () => {
      const proxy = await startTcpProxy(server.endpoint());
      proxies.push(proxy);
      // The first time each change is sent, the connection breaks before the server reads it.
      const cut = new Set<string>();
      const held = await firstSyncHeldAt(inInbox('downloaded', 1), {
        proxy,
        beforeServerCommand: (command, args) => {
          const key = `${command} ${String(args[0])}`;
          if (cut.has(key)) return;
          cut.add(key);
          proxy.cutOnNextSend();
        },
      });
      await changeThenAgree(held, pickTargets(held.rows.filter((r) => r.source_pending === 1), held.seeded), {
        from: 'INBOX',
        moveTo: projects,
      });
      // Each change broke a connection once (and was sent again on the next one).
      expect(cut.size).toBeGreaterThanOrEqual(kinds.length);
      expect(proxy.accepted).toBeGreaterThan(kinds.length);
    });

    /** Deletes and re-creates the folder with the same messages: the server gives it a new UIDVALIDITY. */
    async function recreate(user: MailUser, folder: string, seeded: readonly Seeded[]) {
      const client = await otherClientOn(server, user);
      try {
        const uidValidity = async () => {
          const status = await client.status(folder, { uidValidity: true });
          if (!status) throw new Error(`no STATUS of ${folder}`);
          return status.uidValidity;
        };
        const before = await uidValidity();
        await client.mailboxDelete(folder);
        await client.mailboxCreate(folder);
        for (const m of seeded) await client.append(folder, m.source, m.seen ? ['\\Seen'] : []);
        const after = await uidValidity();
        if (after === before) throw new Error(`the server kept UIDVALIDITY ${String(after)} for the re-created ${folder}`);
      } finally {
        await client.logout().catch(() => client.close());
      }
    }

    it.each([
      ['before the pass applies what was queued', (step: SyncStep) => step.kind === 'apply'],
      ['after the pass applied what was queued, before the folder is synced', (step: SyncStep) => step.kind === 'folder' && step.folder === 'Archive'],
    ] as const)('made before a UIDVALIDITY change of their folder, found %s', async (_, at) => {
      const user = await server.createUser();
      const archive = server.folder('Archive');
      const seeded = await seedMailbox(server, user, archive, 60);
      const s = await session(user);
      s.start();
      await s.passEnded();
      const { release } = await s.furtherPassHeldAt(at);
      const watch = watchSyncUpdates(s);
      const changes = await makeChanges(t, pickTargets(await storedRows(s.accountId, archive), seeded), { from: archive, moveTo: projects }, watch);
      await recreate(user, archive, seeded);
      const ended = s.passEnded();
      release();
      await ended;
      await expectAgreement(s, user, seeded, changes, watch);
    });

    it('made while the server reports flag changes of the same messages (QRESYNC)', async () => {
      const user = await server.createUser();
      const seeded = await seedMailbox(server, user, 'INBOX', 60);
      const s = await session(user);
      s.start();
      await s.passEnded();
      const { release } = await s.furtherPassHeldAt(inInbox('folder'));
      const watch = watchSyncUpdates(s);
      const targets = pickTargets(await storedRows(s.accountId, 'INBOX'), seeded);
      const changes = await makeChanges(t, targets, { from: 'INBOX', moveTo: projects }, watch);
      await touchOnServer(server, user, 'INBOX', changes);
      const ended = s.passEnded();
      release();
      await ended;
      await expectAgreement(s, user, seeded, changes, watch);
    });

    it('made while a message is listed again in the folder it was moved to', async () => {
      const user = await server.createUser();
      const seeded = await seedMailbox(server, user, 'INBOX', 60);
      // Even one new message is listed from its headers here.
      const s = await session(user, { folderSync: { headerBatchSize: 20, batchSize: 10, headersFirstFrom: 1 } });
      s.start();
      await s.passEnded();
      // Moved to Projects first; the server gave each a new UID there, which Mailyard knows.
      const targets = pickTargets(await storedRows(s.accountId, 'INBOX'), seeded);
      for (const { id } of targets.values()) await t.admin.patch(`/api/v1/messages/${id}`, { folder: projects }).expect(200);
      await eventually(
        async () =>
          (await t.container.db.selectFrom('pending_changes').select('id').where('account_id', '=', s.accountId).execute()).length === 0,
        30_000,
        'the moves applied',
      );
      const moved = seeded.map((m) => ([...targets.values()].some((x) => x.subject === m.subject) ? { ...m, folder: projects } : m));
      const { release } = await s.furtherPassHeldAt((step) => step.kind === 'folder' && step.folder === projects);
      const watch = watchSyncUpdates(s);
      const changes = await makeChanges(t, targets, { from: projects, moveTo: 'INBOX' }, watch);
      const ended = s.passEnded();
      release();
      await ended;
      await expectAgreement(s, user, moved, changes, watch);
    });
  });
});

/** Another client changes the messages' keywords: their MODSEQ moves, so the server reports them. */
async function touchOnServer(server: ImapServerUnderTest, user: MailUser, folder: string, changes: readonly Change[]) {
  const client = await otherClientOn(server, user);
  try {
    await client.mailboxOpen(folder);
    for (const { subject } of changes) {
      const uids = (await client.search({ header: { subject } }, { uid: true })) || [];
      if (uids.length > 0) await client.messageFlagsAdd(uids.join(','), ['$Touched'], { uid: true });
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * The flag checks of a folder sync without QRESYNC (CHANGEDSINCE where the server has CONDSTORE,
 * every flag otherwise) and with it, stepped by hand: changes queued, the server touches the same
 * messages, the folder syncs, and only then are the changes applied.
 */
describe.each(imapServers)('flags read back from the server while changes are queued, on $name', (server) => {
  describe.each(dialects)('on %s', (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it.each([
      ['CHANGEDSINCE or a full flag fetch', false],
      ['a QRESYNC SELECT', true],
    ] as const)('never overwrite a queued change: flags read by %s', async (_, qresync) => {
      const user = await server.createUser();
      const seeded = await seedMailbox(server, user, 'INBOX', 60);
      const accountId = await seedImapAccount(t.container.db, t.container.secrets, {
        userId: await userIdOf(t.admin),
        mailUser: user,
        rig: getRig(),
        port: server.endpoint().port,
        syncPeriod: 'all',
      });
      // The sync's own store, as the engine's: the events it publishes are the sync's.
      const events: ServerEvent[] = [];
      const messages = new MessageStore({ db: t.container.db, clock: systemClock, publish: (e) => void events.push(e) });
      const folders = new FoldersRepository(t.container.db);
      const logger = createLogger('silent');
      const sync = new FolderSync({ messages, folders, blobs: t.container.blobs, clock: systemClock, logger }, { ...defaultFolderSyncOptions, parseWorkers: 0 });
      const applier = new PendingChangeApplier({ messages, folders, logger });
      const client: ImapFlow = await otherClientOn(server, user, { qresync });
      const noProgress = { onProgress: () => undefined };
      const targetOf = async (path: string): Promise<SyncTarget> => {
        const folder = (await folders.listByAccount(accountId)).find((f) => f.path === path);
        if (!folder) throw new Error(`no folder ${path}`);
        return { accountId, accountEmail: user.email, syncPeriod: 'all', folder };
      };
      const syncAll = async () => {
        for (const path of ['INBOX', server.folder('Projects'), server.folder('Trash')]) {
          const target = await targetOf(path);
          await sync.sync(client, target, noProgress, true);
          while (!(await sync.downloadSources(client, target, noProgress, () => false)));
        }
      };
      try {
        const listing = (await client.list()).map(toServerFolder);
        await folders.reconcile(accountId, listing.map((f) => ({ ...f, synced: f.selectable })), Date.now());
        await syncAll();
        const rows = await t.container.db
          .selectFrom('messages as m')
          .innerJoin('folders as f', 'f.id', 'm.folder_id')
          .select(['m.id', 'm.subject'])
          .where('m.account_id', '=', accountId)
          .where('f.path', '=', 'INBOX')
          .execute();
        const changes = await makeChanges(t, pickTargets(rows, seeded), { from: 'INBOX', moveTo: server.folder('Projects') });
        await touchOnServer(server, user, 'INBOX', changes);
        const inbox = await targetOf('INBOX');
        const before = events.length;
        await sync.sync(client, inbox, noProgress, true);
        const folderPaths = ['INBOX', server.folder('Projects'), server.folder('Trash')];
        const expected = expectedState(seeded, changes, server.folder('Trash'));
        // Read back while the changes are still queued: Mailyard still shows what the user did.
        expect(
          differences(
            withoutFolder(await localState(t, accountId, folderPaths), server.folder('Trash')),
            withoutFolder(expected, server.folder('Trash')),
          ),
        ).toEqual([]);
        const flipped = events
          .slice(before)
          .filter((e): e is ServerEvent<'message.updated'> => e.type === 'message.updated' && changes.some((c) => c.id === e.data.id));
        expect(flipped.map((e) => e.data.subject)).toEqual([]);
        await applier.applyAll(client, accountId);
        await syncAll();
        expect(differences(await serverState(server, user, folderPaths), expected)).toEqual([]);
        expect(differences(await localState(t, accountId, folderPaths), expected)).toEqual([]);
      } finally {
        await sync.close();
        await client.logout().catch(() => client.close());
      }
    });
  });
});
