// How queued changes are settled when the server does not carry one out, with a scripted IMAP
// client (the real Dovecot: server/test/integration/sync-local-changes.test.ts). imapflow answers
// a STORE or MOVE that did not happen with `false`: on a closed connection that is the
// connection's failure, on a live one a refusal; neither is ever taken for done.
import type { ImapFlow } from 'imapflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.js';
import { FoldersRepository } from '../db/repositories/folders.repository.js';
import { MessageStore } from '../db/message-store/message-store.js';
import { createLogger } from '../lib/logger.js';
import { memoryMailbox, seedMessage } from '../../test/support/messages.js';
import { PendingChangeApplier } from './pending-changes.js';

/** An ImapFlow whose STORE answers from a script, and which records what it was asked. */
class ScriptedImap {
  readonly stored: string[] = [];
  usable = true;
  private selected = '';
  constructor(
    private readonly uidValidity: bigint,
    /** the UIDs whose STORE the library reports as not done */
    private readonly notDone: Set<string> = new Set(),
    /** what UID SEARCH finds in a folder (a server without UIDPLUS: MOVE gives no COPYUID) */
    private readonly found: Record<string, number[]> = {},
  ) {}

  mailboxOpen(folder: string) {
    this.selected = folder;
    return Promise.resolve({ path: folder, uidValidity: this.uidValidity });
  }

  messageFlagsAdd(uid: string, flags: string[]) {
    if (this.notDone.has(uid)) return Promise.resolve(false);
    this.stored.push(`${this.selected} ${uid} +${flags.join(' ')}`);
    return Promise.resolve(true);
  }

  messageMove(uid: string, destination: string) {
    this.stored.push(`${this.selected} ${uid} -> ${destination}`);
    return Promise.resolve({ path: this.selected, destination });
  }

  search() {
    return Promise.resolve(this.found[this.selected] ?? []);
  }
}

let mailbox: Awaited<ReturnType<typeof memoryMailbox>>;
let db: Db;
let accountId: string;
let folderId: string;
let projectsId: string;
let store: MessageStore;
let applier: PendingChangeApplier;
const messages: { id: string; uid: number }[] = [];

beforeEach(async () => {
  mailbox = await memoryMailbox({ INBOX: null, Projects: null });
  db = mailbox.db;
  const { blobs, account } = mailbox;
  accountId = account.accountId;
  folderId = account.folders.INBOX ?? '';
  projectsId = account.folders.Projects ?? '';
  messages.length = 0;
  for (const subject of ['one', 'two']) {
    const { id } = await seedMessage(db, blobs, { accountId, folderId, subject });
    const row = await db.selectFrom('messages').select('uid').where('id', '=', id).executeTakeFirstOrThrow();
    messages.push({ id, uid: Number(row.uid) });
  }
  store = new MessageStore({ db, clock: { now: () => Date.now() }, publish: () => undefined });
  applier = new PendingChangeApplier({
    messages: store,
    folders: new FoldersRepository(db),
    logger: createLogger('silent'),
  });
});
afterEach(async () => {
  await mailbox.close();
});

/** Queues "mark read" for a message, as the panel does, against UIDVALIDITY `uidValidity`. */
async function queueRead(message: { id: string; uid: number }, uidValidity = 1) {
  await db
    .insertInto('pending_changes')
    .values({
      account_id: accountId,
      message_id: message.id,
      kind: 'flags',
      payload: JSON.stringify({ seen: true, from: { folderId, uidValidity, uid: message.uid } }),
      created_at: Date.now(),
    })
    .execute();
}

const queued = () => db.selectFrom('pending_changes').select(['message_id', 'attempts']).orderBy('id').execute();
const nth = (i: number) => messages[i] ?? { id: '', uid: 0 };
const first = () => nth(0);
const second = () => nth(1);

describe('PendingChangeApplier', () => {
  it('keeps a change the server did not carry out, and still sends the other messages’ changes', async () => {
    await queueRead(first());
    await queueRead(first());
    await queueRead(second());
    const imap = new ScriptedImap(1n, new Set([String(first().uid)]));

    expect(await applier.applyAll(imap as unknown as ImapFlow, accountId)).toBe(1);

    expect(imap.stored).toEqual([`INBOX ${second().uid} +\\Seen`]);
    // The refused change counted one attempt; the one after it, of the same message, waits its turn.
    expect(await queued()).toEqual([
      { message_id: first().id, attempts: 1 },
      { message_id: first().id, attempts: 0 },
    ]);
  });

  it('keeps a change whose connection closed before the server answered, and says the connection failed', async () => {
    await queueRead(first());
    const imap = new ScriptedImap(1n, new Set([String(first().uid)]));
    imap.usable = false;

    await expect(applier.applyAll(imap as unknown as ImapFlow, accountId)).rejects.toThrow(/connection closed/);

    expect(await queued()).toEqual([{ message_id: first().id, attempts: 0 }]);
  });

  it('keeps a change made before a UIDVALIDITY change until the folder is re-keyed, then drops it if it was not', async () => {
    await queueRead(first());
    // The server has a new UIDVALIDITY; the folder's sync has not re-keyed anything yet.
    const imap = new ScriptedImap(2n);
    expect(await applier.applyAll(imap as unknown as ImapFlow, accountId)).toBe(0);
    expect(await queued()).toEqual([{ message_id: first().id, attempts: 0 }]);
    expect(imap.stored).toEqual([]);

    // Re-keyed, and the change was not moved along: its message is no longer on the server.
    await db.updateTable('folders').set({ uid_validity: 2 }).where('id', '=', folderId).execute();
    expect(await applier.applyAll(imap as unknown as ImapFlow, accountId)).toBe(1);
    expect(await queued()).toEqual([]);
    expect(imap.stored).toEqual([]);
  });

  it('finds a moved message by its Message-ID when the server gives no new UID, so changes made after the move follow it', async () => {
    // Moved in Mailyard, then marked read while it shows in Projects (the panel's two changes).
    await store.change(first().id, { toFolderId: projectsId });
    await store.change(first().id, { seen: true });
    // Projects has an older copy (UID 3, stored) and the one just moved in (UID 9).
    await db.updateTable('messages').set({ folder_id: projectsId, uid: 3 }).where('id', '=', second().id).execute();
    const imap = new ScriptedImap(1n, new Set(), { Projects: [3, 9] });

    expect(await applier.applyAll(imap as unknown as ImapFlow, accountId)).toBe(2);

    expect(imap.stored).toEqual([`INBOX ${first().uid} -> Projects`, 'Projects 9 +\\Seen']);
    const row = await db.selectFrom('messages').select(['id', 'folder_id', 'uid']).where('id', '=', first().id).executeTakeFirst();
    expect(row && { ...row, uid: Number(row.uid) }).toEqual({ id: first().id, folder_id: projectsId, uid: 9 });
    expect(await queued()).toEqual([]);
  });
});
