// The sync engine against the real Dovecot and Postfix, on both databases: first sync, push of
// new mail, changes made by another mail client, changes made in Mailyard reaching the server,
// a UIDVALIDITY change, and a rejected login.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { userIdOf } from '../support/messages.js';
import { createMailUser, getRig, printRigLogsOnFailure, type MailUser } from '../rig/index.js';
import {
  appendMessages,
  deliver,
  eventually,
  fastSyncOptions,
  nextEvent,
  otherClient,
  seedImapAccount,
  simpleMessage,
} from '../support/sync.js';
import type { MessageListItem } from '../../src/domain/message.js';

interface Page {
  items: MessageListItem[];
  nextCursor: string | null;
}

printRigLogsOnFailure();

describe.each(dialects)('sync engine on %s', (dialect) => {
  let t: TestApp;
  let userId: string;

  beforeAll(async () => {
    t = await startTestApp(dialect, { background: true, syncEngine: fastSyncOptions });
    userId = await userIdOf(t.admin);
  });
  afterAll(async () => {
    await t?.close();
  });

  const messagesOf = (accountId: string, folderPath?: string) =>
    t.container.db
      .selectFrom('messages as m')
      .innerJoin('folders as f', 'f.id', 'm.folder_id')
      .select([
        'm.id',
        'm.subject',
        'm.uid',
        'm.uid_validity',
        'm.seen',
        'm.flagged',
        'm.message_id',
        'f.path',
      ])
      .where('m.account_id', '=', accountId)
      .$if(folderPath !== undefined, (q) => q.where('f.path', '=', folderPath ?? ''))
      .execute();

  async function connect(
    user: MailUser,
    extra: Partial<Parameters<typeof seedImapAccount>[2]> = {},
  ): Promise<string> {
    const accountId = await seedImapAccount(t.container.db, t.container.secrets, {
      userId,
      mailUser: user,
      rig: getRig(),
      ...extra,
    });
    await t.container.sync.refreshAccount(accountId);
    return accountId;
  }

  const accountRow = (id: string) =>
    t.container.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  describe('a mailbox with mail already in it', () => {
    let user: MailUser;
    let accountId: string;
    let other: ImapFlow;

    beforeAll(async () => {
      user = await createMailUser();
      const old = new Date(Date.now() - 90 * 24 * 3600 * 1000);
      await appendMessages(getRig(), user, 'INBOX', [
        ...Array.from({ length: 12 }, (_, i) =>
          simpleMessage({ subject: `Existing ${i + 1}`, to: user.email }),
        ),
      ]);
      // Outside the one-month download period (internal date is what SEARCH SINCE looks at).
      const client = await otherClient(getRig(), user);
      await client.append('INBOX', simpleMessage({ subject: 'Too old', to: user.email, date: old }), [], old);
      await client.mailboxCreate('Projects');
      await client.append('Projects', simpleMessage({ subject: 'Project plan', to: user.email }));
      await client.logout();
      accountId = await connect(user);
      other = await otherClient(getRig(), user);
    });
    afterAll(async () => {
      await other?.logout().catch(() => undefined);
    });

    it('downloads the download period of every folder and reports progress', async () => {
      await eventually(
        async () =>
          (await accountRow(accountId)).state === 'idle' && (await messagesOf(accountId)).length === 13,
        30_000,
        'first sync',
      );
      const rows = await messagesOf(accountId);
      expect(rows.map((r) => r.subject).sort()).toEqual(
        [...Array.from({ length: 12 }, (_, i) => `Existing ${i + 1}`), 'Project plan'].sort(),
      );
      const account = await accountRow(accountId);
      expect(account.progress_done).toBe(account.progress_total);
      expect(account.progress_total).toBe(13);
      expect(account.last_sync_at).not.toBeNull();
      const folders = await t.container.db
        .selectFrom('folders')
        .selectAll()
        .where('account_id', '=', accountId)
        .execute();
      expect(folders.find((f) => f.path === 'Sent')?.special_use).toBe('\\Sent');
      expect(folders.find((f) => f.path === 'INBOX')?.sync_complete).toBe(1);
    });

    it('shows mail delivered through Postfix through the event stream and the API, without polling', async () => {
      const created = nextEvent(
        t.container.events,
        (e) => e.type === 'message.created' && e.accountId === accountId && e.data.subject === 'Pushed mail',
      );
      await deliver(getRig(), user.email, 'Pushed mail');
      const event = await created;
      const item = event.data as unknown as MessageListItem;
      expect(item).toMatchObject({
        accountId,
        folder: 'INBOX',
        subject: 'Pushed mail',
        seen: false,
        direction: 'incoming',
      });
      expect(item.from).toEqual([{ name: '', address: 'outside@example.test' }]);
      const page = await t.admin
        .get<Page>(`/api/v1/messages?accountId=${accountId}&folder=INBOX`)
        .expect(200);
      expect(page.items.map((m) => m.subject)).toContain('Pushed mail');
    });

    it('applies flags, moves, deletions and new folders made by another mail client', async () => {
      await other.mailboxOpen('INBOX');
      const [uidFlag, uidMove, uidDelete] =
        (await other.search({ subject: 'Existing' }, { uid: true })) || [];
      if (!uidFlag || !uidMove || !uidDelete) throw new Error('expected messages on the server');
      await other.messageFlagsAdd(String(uidFlag), ['\\Seen', '\\Flagged'], { uid: true });
      await other.messageMove(String(uidMove), 'Projects', { uid: true });
      await other.messageDelete(String(uidDelete), { uid: true });
      await other.mailboxCreate('Brand new');

      await eventually(
        async () => {
          const inbox = await messagesOf(accountId, 'INBOX');
          const flagged = inbox.find((m) => Number(m.uid) === uidFlag);
          return (
            flagged?.seen === 1 &&
            flagged.flagged === 1 &&
            !inbox.some((m) => Number(m.uid) === uidMove || Number(m.uid) === uidDelete)
          );
        },
        20_000,
        'INBOX changes',
      );
      await eventually(
        async () => (await messagesOf(accountId, 'Projects')).length === 2,
        20_000,
        'the moved message in Projects',
      );
      await eventually(
        async () =>
          (
            await t.container.db
              .selectFrom('folders')
              .select('path')
              .where('account_id', '=', accountId)
              .execute()
          ).some((f) => f.path === 'Brand new'),
        20_000,
        'the new folder',
      );
    });

    it('carries flag changes, moves and deletions made in Mailyard to the server', async () => {
      const inbox = await messagesOf(accountId, 'INBOX');
      const [toFlag, toMove, toDelete] = inbox.filter((m) => m.seen === 0);
      if (!toFlag || !toMove || !toDelete) throw new Error('expected unread messages');
      await t.admin.patch(`/api/v1/messages/${toFlag.id}`, { seen: true, flagged: true }).expect(200);
      await t.admin.patch(`/api/v1/messages/${toMove.id}`, { folder: 'Projects' }).expect(200);
      await t.admin.delete(`/api/v1/messages/${toDelete.id}`).expect(204);

      await eventually(
        async () => {
          const pending = await t.container.db
            .selectFrom('pending_changes')
            .select('id')
            .where('account_id', '=', accountId)
            .execute();
          return pending.length === 0;
        },
        20_000,
        'pending changes to drain',
      );

      await other.mailboxOpen('INBOX');
      const flagged = await other.fetchOne(String(toFlag.uid), { flags: true }, { uid: true });
      expect(flagged && [...(flagged.flags ?? [])].sort()).toEqual(['\\Flagged', '\\Seen']);
      const inInbox = (await other.search({ all: true }, { uid: true })) || [];
      expect(inInbox).not.toContain(Number(toMove.uid));
      expect(inInbox).not.toContain(Number(toDelete.uid));
      await other.mailboxOpen('Projects');
      const moved = (await other.search({ subject: toMove.subject }, { uid: true })) || [];
      expect(moved).toHaveLength(1);
      await other.mailboxOpen('Trash');
      expect((await other.search({ subject: toDelete.subject }, { uid: true })) || []).toHaveLength(1);

      // The moved message is one row in Projects, not two.
      await eventually(
        async () =>
          (await messagesOf(accountId, 'Projects')).filter((m) => m.subject === toMove.subject).length ===
            1 || undefined,
        10_000,
      );
      const projects = await messagesOf(accountId, 'Projects');
      expect(projects.filter((m) => m.subject === toMove.subject)).toHaveLength(1);
      expect(projects.find((m) => m.subject === toMove.subject)?.id).toBe(toMove.id);
    });
  });

  it('resynchronises a folder whose UIDVALIDITY changed without duplicating its messages', async () => {
    const user = await createMailUser();
    const sources = Array.from({ length: 5 }, (_, i) =>
      simpleMessage({ subject: `Archived ${i + 1}`, to: user.email }),
    );
    const client = await otherClient(getRig(), user);
    await client.mailboxCreate('Archive');
    for (const source of sources) await client.append('Archive', source);
    const accountId = await connect(user);
    await eventually(async () => (await messagesOf(accountId, 'Archive')).length === 5, 30_000, 'first sync');
    const before = await messagesOf(accountId, 'Archive');

    // Deleted and recreated with the same messages plus one: a new UIDVALIDITY.
    await client.mailboxDelete('Archive');
    await new Promise((r) => setTimeout(r, 1_100));
    await client.mailboxCreate('Archive');
    for (const source of sources) await client.append('Archive', source);
    await client.append('Archive', simpleMessage({ subject: 'Archived 6', to: user.email }));
    await client.logout();

    const after = await eventually(
      async () => {
        const rows = await messagesOf(accountId, 'Archive');
        return rows.length === 6 &&
          rows.every((r) => Number(r.uid_validity) !== Number(before[0]?.uid_validity))
          ? rows
          : undefined;
      },
      30_000,
      'the resync',
    );
    expect(after.map((r) => r.subject).sort()).toEqual(
      [...before.map((r) => r.subject), 'Archived 6'].sort(),
    );
    // Unchanged messages kept their rows (same ids), re-keyed to the new UIDs.
    for (const row of before) expect(after.find((r) => r.message_id === row.message_id)?.id).toBe(row.id);
  });

  it('stops retrying a rejected login and tells the owner what to do', async () => {
    const user = await createMailUser();
    const statuses: unknown[] = [];
    const unsubscribe = t.container.events.subscribe((e) => {
      if (e.type === 'account.status') statuses.push(e.data);
    });
    const accountId = await connect(user, { password: 'not-the-password' });
    const account = await eventually(
      async () => {
        const row = await accountRow(accountId);
        // The row is written before the event is published: wait for both.
        return row.state === 'error' && statuses.length > 0 ? row : undefined;
      },
      20_000,
      'the error state',
    );
    unsubscribe();
    expect(account).toMatchObject({ error_code: 'auth_failed', error_action: 'enter_new_password' });
    const shown = await t.admin
      .get<{ status: { state: string; error: { code: string; action: string } } }>(
        `/api/v1/accounts/${accountId}`,
      )
      .expect(200);
    expect(shown.status).toMatchObject({
      state: 'error',
      error: { code: 'auth_failed', action: 'enter_new_password' },
    });
    expect(statuses).toContainEqual(
      expect.objectContaining({
        state: 'error',
        error: expect.objectContaining({ code: 'auth_failed' }) as unknown,
      }),
    );
    // No further attempts: the row stays as it is (updated_at does not move).
    const settled = (await accountRow(accountId)).updated_at;
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await accountRow(accountId)).updated_at).toBe(settled);

    // The owner enters the right password: the halted session is replaced and syncing resumes.
    await t.admin.post(`/api/v1/accounts/${accountId}/password`, { password: user.password }).expect(200);
    await eventually(
      async () => ((await accountRow(accountId)).state === 'idle' ? true : undefined),
      30_000,
      'syncing to resume after the new password',
    );
  });
});
