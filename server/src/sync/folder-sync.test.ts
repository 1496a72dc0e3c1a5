// How a folder is brought up to date after its first sync, with a scripted IMAP client (the
// real Dovecot runs in server/test/integration/sync.test.ts): with QRESYNC the SELECT's own
// report is applied and nothing else is asked; without it, flags are fetched CHANGEDSINCE and
// expunges found by comparing UID lists.
import { EventEmitter } from 'node:events';
import type { ImapFlow } from 'imapflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.js';
import { FoldersRepository } from '../db/repositories/folders.repository.js';
import { MessageStore } from '../db/message-store/message-store.js';
import type { ServerEvent } from '../domain/events.js';
import { createLogger } from '../lib/logger.js';
import { memoryMailbox, seedMessage } from '../../test/support/messages.js';
import { FolderSync, defaultFolderSyncOptions, type SyncTarget } from './folder-sync.js';

/** An ImapFlow that answers from a script and records what it was asked. */
class ScriptedImap extends EventEmitter {
  readonly calls: string[] = [];
  constructor(
    readonly enabled: Set<string>,
    private readonly script: {
      /** the SELECT answer; `report` runs while it is being answered (untagged responses) */
      select: { uidNext: number; highestModseq: bigint; exists: number; qresync: boolean; report?: (imap: ScriptedImap) => void };
      flags?: { uid: number; flags: Set<string>; modseq: bigint }[];
      uids?: number[];
    },
  ) {
    super();
  }

  mailboxOpen(folder: string, resume?: { uidValidity: bigint; changedSince: bigint }) {
    this.calls.push(`SELECT ${folder}${resume ? ` (QRESYNC (${resume.uidValidity} ${resume.changedSince}))` : ''}`);
    const { report, ...box } = this.script.select;
    report?.(this);
    return Promise.resolve({ path: folder, uidValidity: 1n, ...box, qresync: Boolean(resume) && box.qresync });
  }

  search(query: Record<string, unknown>) {
    this.calls.push(`UID SEARCH ${JSON.stringify(query)}`);
    return Promise.resolve(query.all ? (this.script.uids ?? []) : []);
  }

  async *fetch(range: string, _query: unknown, options: { changedSince?: bigint }) {
    this.calls.push(`UID FETCH ${range}${options.changedSince ? ` CHANGEDSINCE ${options.changedSince}` : ''}`);
    await Promise.resolve();
    for (const message of this.script.flags ?? []) yield message;
  }
}

let mailbox: Awaited<ReturnType<typeof memoryMailbox>>;
let db: Db;
let target: SyncTarget;
let uids: number[];
let events: ServerEvent[];
let folderSync: FolderSync;

beforeEach(async () => {
  mailbox = await memoryMailbox({ INBOX: null });
  db = mailbox.db;
  const { blobs, account } = mailbox;
  const folderId = account.folders.INBOX ?? '';
  for (const subject of ['one', 'two', 'three']) await seedMessage(db, blobs, { accountId: account.accountId, folderId, subject });
  const rows = await db.selectFrom('messages').select('uid').orderBy('uid').execute();
  uids = rows.map((r) => Number(r.uid));
  await db
    .updateTable('folders')
    .set({ highest_uid: Math.max(...uids), highest_modseq: '10', sync_complete: 1 })
    .where('id', '=', folderId)
    .execute();
  const folder = await db.selectFrom('folders').selectAll().where('id', '=', folderId).executeTakeFirstOrThrow();
  target = { accountId: account.accountId, accountEmail: account.email, syncPeriod: 'all', folder };
  events = [];
  folderSync = new FolderSync(
    {
      messages: new MessageStore({ db, clock: { now: () => Date.now() }, publish: (event) => events.push(event) }),
      folders: new FoldersRepository(db),
      blobs,
      clock: { now: () => Date.now() },
      logger: createLogger('silent'),
    },
    { ...defaultFolderSyncOptions, parseWorkers: 0 },
  );
});
afterEach(async () => {
  await folderSync.close();
  await mailbox.close();
});

const stored = async () =>
  (await db.selectFrom('messages').select(['uid', 'flagged', 'seen']).orderBy('uid').execute()).map((r) => ({
    uid: Number(r.uid),
    flagged: r.flagged,
    seen: r.seen,
  }));

describe('FolderSync after the first sync', () => {
  it('applies what a QRESYNC SELECT reports and asks the server nothing more', async () => {
    const [first = 0, second = 0, third = 0] = uids;
    const imap = new ScriptedImap(new Set(['CONDSTORE', 'QRESYNC']), {
      select: {
        uidNext: third + 1,
        highestModseq: 12n,
        exists: 2,
        qresync: true,
        report: (server) => {
          server.emit('flags', { path: 'INBOX', uid: second, flags: new Set(['\\Flagged', '\\Seen']), modseq: 11n });
          server.emit('expunge', { path: 'INBOX', uid: third, vanished: true, earlier: true });
        },
      },
    });

    await folderSync.sync(imap as unknown as ImapFlow, target, { onProgress: () => undefined }, false);

    expect(imap.calls).toEqual([`SELECT INBOX (QRESYNC (1 10))`]);
    expect(await stored()).toEqual([
      { uid: first, flagged: 0, seen: 0 },
      { uid: second, flagged: 1, seen: 1 },
    ]);
    expect(events.map((e) => e.type).sort()).toEqual(['message.deleted', 'message.updated']);
    const folder = await db.selectFrom('folders').select('highest_modseq').executeTakeFirstOrThrow();
    expect(folder.highest_modseq).toBe('12');
  });

  it('without QRESYNC, fetches flags changed since its modseq and compares UID lists', async () => {
    const [first = 0, second = 0, third = 0] = uids;
    const imap = new ScriptedImap(new Set(['CONDSTORE']), {
      select: { uidNext: third + 1, highestModseq: 12n, exists: 2, qresync: false },
      flags: [{ uid: first, flags: new Set(['\\Seen']), modseq: 11n }],
      uids: [first, second],
    });

    await folderSync.sync(imap as unknown as ImapFlow, target, { onProgress: () => undefined }, false);

    expect(imap.calls).toEqual([
      'SELECT INBOX',
      `UID FETCH 1:${third} CHANGEDSINCE 10`,
      'UID SEARCH {"all":true}',
    ]);
    expect(await stored()).toEqual([
      { uid: first, flagged: 0, seen: 1 },
      { uid: second, flagged: 0, seen: 0 },
    ]);
  });
});
