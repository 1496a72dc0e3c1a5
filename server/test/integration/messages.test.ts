// The communication panel's read side through the HTTP API, on both dialects: lists, filters,
// keyset pages, full-text search, threads, downloads, triage (PATCH/DELETE) with the pending
// changes they queue for the sync engine, the unread counter, live events, and who may see what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { ApiClient } from '../support/api-client.js';
import { listItem, seedAccount, seedMessage, seedShare, userIdOf, type SeededAccount } from '../support/messages.js';
import type { MessageDetail, MessageListItem } from '../../src/domain/message.js';

interface Page {
  items: MessageListItem[];
  nextCursor: string | null;
}

const minute = 60_000;
const base = Date.UTC(2026, 0, 10, 12, 0, 0);

describe.each(dialects)('messages API on %s', (dialect) => {
  let t: TestApp;
  let alice: ApiClient;
  let bob: ApiClient;
  let carol: ApiClient;
  let aliceId: string;
  let bobId: string;
  let carolId: string;
  let work: SeededAccount;
  let home: SeededAccount;
  let bobs: SeededAccount;

  const seed = (account: SeededAccount, folder: string, opts: Omit<Parameters<typeof seedMessage>[2], 'accountId' | 'folderId'>) =>
    seedMessage(t.container.db, t.container.blobs, { accountId: account.accountId, folderId: account.folders[folder] ?? '', ...opts });
  const list = (client: ApiClient, query: Record<string, string> = {}) =>
    client.get<Page>(`/api/v1/messages?${new URLSearchParams(query).toString()}`).expect(200);
  const subjects = (page: Page) => page.items.map((m) => m.subject);

  beforeAll(async () => {
    t = await startTestApp(dialect);
    [alice, bob, carol] = [await t.createUser(), await t.createUser(), await t.createUser()];
    [aliceId, bobId, carolId] = [await userIdOf(alice), await userIdOf(bob), await userIdOf(carol)];
    work = await seedAccount(t.container.db, { userId: aliceId });
    home = await seedAccount(t.container.db, { userId: aliceId });
    bobs = await seedAccount(t.container.db, { userId: bobId });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('lists and filters', () => {
    beforeAll(async () => {
      await seed(work, 'INBOX', { subject: 'Quarterly report', date: base + 5 * minute, seen: false });
      await seed(work, 'INBOX', { subject: 'Lunch on Friday', date: base + 4 * minute, seen: true });
      await seed(work, 'Sent', { subject: 'Re: Quarterly report', date: base + 3 * minute, seen: true, direction: 'outgoing' });
      await seed(home, 'INBOX', { subject: 'Garden club newsletter', date: base + 2 * minute, seen: false });
      await seed(bobs, 'INBOX', { subject: 'Bob private note', date: base + 6 * minute });
    });

    it('shows every readable account newest first, and nothing of other users', async () => {
      const page = await list(alice, { limit: '50' });
      expect(subjects(page)).toEqual(['Quarterly report', 'Lunch on Friday', 'Re: Quarterly report', 'Garden club newsletter']);
      expect(page.nextCursor).toBeNull();
      expect(page.items[0]).toMatchObject({
        accountId: work.accountId,
        folder: 'INBOX',
        from: [{ name: 'Alice Sender', address: 'alice@example.test' }],
        seen: false,
        direction: 'incoming',
        date: new Date(base + 5 * minute).toISOString(),
      });
      expect(subjects(await list(bob))).toEqual(['Bob private note']);
    });

    it('filters by account, folder, direction and unread', async () => {
      expect(subjects(await list(alice, { accountId: home.accountId }))).toEqual(['Garden club newsletter']);
      expect(subjects(await list(alice, { folder: 'Sent' }))).toEqual(['Re: Quarterly report']);
      expect(subjects(await list(alice, { direction: 'outgoing' }))).toEqual(['Re: Quarterly report']);
      expect(subjects(await list(alice, { unread: 'true' }))).toEqual(['Quarterly report', 'Garden club newsletter']);
      expect(subjects(await list(alice, { unread: 'true', accountId: work.accountId, folder: 'INBOX' }))).toEqual(['Quarterly report']);
    });

    it('counts unread incoming mail per account', async () => {
      const counts = await alice.get<{ total: number; items: { accountId: string; unread: number }[] }>('/api/v1/messages/unread-count').expect(200);
      expect(counts.total).toBe(2);
      expect(counts.items).toEqual(
        expect.arrayContaining([
          { accountId: work.accountId, unread: 1 },
          { accountId: home.accountId, unread: 1 },
        ]),
      );
    });

    it('rejects bad list parameters with validation errors, never a 500', async () => {
      await alice.get('/api/v1/messages?cursor=not-a-cursor').expectError(400, 'validation_failed');
      await alice.get('/api/v1/messages?limit=0').expectError(400, 'validation_failed');
      await alice.get('/api/v1/messages?limit=abc').expectError(400, 'validation_failed');
      await alice.get('/api/v1/messages?direction=sideways').expectError(400, 'validation_failed');
      await alice.get('/api/v1/messages?sort=date').expectError(400, 'validation_failed');
    });
  });

  it('pages by cursor without duplicates or gaps while new mail arrives', async () => {
    const account = await seedAccount(t.container.db, { userId: aliceId });
    const first = Date.UTC(2025, 5, 1);
    for (let i = 0; i < 7; i++) await seed(account, 'INBOX', { subject: `Page message ${i}`, date: first + i * minute });
    // two messages with the same timestamp: the id breaks the tie
    await seed(account, 'INBOX', { subject: 'Page twin A', date: first + 3 * minute });

    const seen: string[] = [];
    let page = await list(alice, { accountId: account.accountId, limit: '3' });
    seen.push(...subjects(page));
    // new mail lands between page loads; it belongs above the first page, not in later ones
    await seed(account, 'INBOX', { subject: 'Arrived while paging', date: first + 100 * minute });
    while (page.nextCursor) {
      page = await list(alice, { accountId: account.accountId, limit: '3', cursor: page.nextCursor });
      seen.push(...subjects(page));
    }
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect(seen.slice(0, 3)).toEqual(['Page message 6', 'Page message 5', 'Page message 4']);
    expect(seen).toContain('Page twin A');
    expect(seen).not.toContain('Arrived while paging');
  });

  describe('search', () => {
    let account: SeededAccount;
    beforeAll(async () => {
      account = await seedAccount(t.container.db, { userId: aliceId });
      await seed(account, 'INBOX', {
        subject: 'Invoice 2291 for October',
        from: [{ name: 'Billing Department', address: 'billing@acme.example' }],
        text: 'Please find the invoice attached. Payment is due in thirty days.',
        date: base - 10 * minute,
      });
      await seed(account, 'INBOX', {
        subject: 'Holiday plans',
        from: [{ name: 'Zoë Müller', address: 'zoe@friends.example' }],
        text: 'Shall we go hiking in the mountains? The weather looks great.',
        date: base - 11 * minute,
      });
      await seed(account, 'Sent', {
        subject: 'Re: Holiday plans',
        to: [{ name: 'Zoë Müller', address: 'zoe@friends.example' }],
        text: 'Hiking sounds perfect, but not in the rain.',
        direction: 'outgoing',
        date: base - 9 * minute,
      });
      await seed(bobs, 'INBOX', { subject: 'Invoice for Bob only', text: 'invoice hiking mountains', date: base - 8 * minute });
    });
    const search = (q: string, extra: Record<string, string> = {}) => list(alice, { accountId: account.accountId, q, ...extra }).then(subjects);

    it('finds words in the subject, the body and the participants', async () => {
      expect(await search('invoice')).toEqual(['Invoice 2291 for October']);
      expect(await search('mountains')).toEqual(['Holiday plans']);
      expect(await search('hiking')).toEqual(['Re: Holiday plans', 'Holiday plans']);
      expect(await search('billing')).toEqual(['Invoice 2291 for October']);
      expect(await search('zoe@friends.example')).toEqual(['Re: Holiday plans', 'Holiday plans']);
    });

    it('needs every word, honours phrases and exclusions, and combines with filters', async () => {
      expect(await search('hiking rain')).toEqual(['Re: Holiday plans']);
      expect(await search('"payment is due"')).toEqual(['Invoice 2291 for October']);
      expect(await search('"due payment"')).toEqual([]);
      expect(await search('hiking -rain')).toEqual(['Holiday plans']);
      expect(await search('hiking', { direction: 'outgoing' })).toEqual(['Re: Holiday plans']);
    });

    it('never searches other users’ mail', async () => {
      expect(subjects(await list(alice, { q: 'invoice' }))).toEqual(['Invoice 2291 for October']);
      expect(subjects(await list(bob, { q: 'invoice' }))).toEqual(['Invoice for Bob only']);
      await list(carol, { q: 'invoice' }).then((page) => expect(page.items).toEqual([]));
    });

    it('pages through search results by cursor, newest first', async () => {
      const paged = await seedAccount(t.container.db, { userId: aliceId });
      for (let i = 0; i < 5; i++) await seed(paged, 'INBOX', { subject: `Walrus ${i}`, text: 'walrus', date: base + i * minute });
      await seed(paged, 'INBOX', { subject: 'Walrus twin', text: 'walrus', date: base + 2 * minute });
      await seed(paged, 'INBOX', { subject: 'Not a match', text: 'penguin', date: base + 10 * minute });
      const found: string[] = [];
      let page = await list(alice, { accountId: paged.accountId, q: 'walrus', limit: '2' });
      found.push(...subjects(page));
      while (page.nextCursor) {
        page = await list(alice, { accountId: paged.accountId, q: 'walrus', limit: '2', cursor: page.nextCursor });
        found.push(...subjects(page));
      }
      expect(found).toHaveLength(6);
      expect(new Set(found).size).toBe(6);
      expect(found.slice(0, 2)).toEqual(['Walrus 4', 'Walrus 3']);
      expect(found[5]).toBe('Walrus 0');
    });

    it('treats search syntax as plain text', async () => {
      for (const q of ['NEAR(invoice', '"unbalanced', 'subject:invoice', 'invoice*', "o'clock", '&|!():*', '-', '   ', 'AND OR NOT']) {
        const page = await list(alice, { accountId: account.accountId, q });
        expect(Array.isArray(page.items)).toBe(true);
      }
      expect(await search('invoice*')).toEqual(['Invoice 2291 for October']);
    });

    it('reindexes a message whose text changes and forgets a deleted one', async () => {
      const extra = await seed(account, 'INBOX', { subject: 'Temporary', text: 'xylophone', date: base - 20 * minute });
      expect(await search('xylophone')).toEqual(['Temporary']);
      await t.container.db.updateTable('messages').set({ text: 'marimba' }).where('id', '=', extra.id).execute();
      expect(await search('xylophone')).toEqual([]);
      expect(await search('marimba')).toEqual(['Temporary']);
      await alice.delete(`/api/v1/messages/${extra.id}`).expect(204);
      expect(await search('marimba')).toEqual([]);
    });
  });

  describe('reading a message', () => {
    let message: Awaited<ReturnType<typeof seedMessage>>;
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 256))]);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

    beforeAll(async () => {
      message = await seed(work, 'INBOX', {
        subject: 'With attachments',
        text: 'See the attached files.',
        html: '<p>See <img data-remote-src="https://tracker.example/pixel.gif"> and <img src="cid:logo@x"></p>',
        date: base - 60 * minute,
        attachments: [
          { filename: 'Report "Q3"/../ü.pdf', contentType: 'application/pdf', content: pdf },
          { filename: 'logo.png', contentType: 'image/png', content: png, contentId: 'logo@x', inline: true },
        ],
      });
    });

    it('returns text, sanitised HTML, headers and the attachment list', async () => {
      const detail = await alice.get<MessageDetail>(`/api/v1/messages/${message.id}`).expect(200);
      expect(detail).toMatchObject({
        id: message.id,
        subject: 'With attachments',
        text: 'See the attached files.',
        hasAttachments: true,
        headers: [{ key: 'subject', value: 'With attachments' }],
      });
      expect(detail.html).toContain('data-remote-src="https://tracker.example/pixel.gif"');
      expect(detail.attachments).toEqual([
        { id: message.attachments[0]?.id, filename: 'Report "Q3"/../ü.pdf', contentType: 'application/pdf', size: pdf.length, contentId: null, inline: false },
        { id: message.attachments[1]?.id, filename: 'logo.png', contentType: 'image/png', size: png.length, contentId: 'logo@x', inline: true },
      ]);
    });

    it('downloads attachments byte for byte as attachments with a safe name', async () => {
      const res = await fetch(`${t.baseUrl}/api/v1/messages/${message.id}/attachments/${message.attachments[0]?.id}`, {
        headers: { cookie: alice.cookie ?? '' },
      });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const disposition = res.headers.get('content-disposition') ?? '';
      expect(disposition).toMatch(/^attachment; filename="Report _Q3__..__.pdf"; filename\*=UTF-8''Report%20_Q3__.._%C3%BC.pdf$/);
      expect(disposition).not.toContain('/');
    });

    it('serves the raw source as message/rfc822', async () => {
      const res = await fetch(`${t.baseUrl}/api/v1/messages/${message.id}/raw`, { headers: { cookie: alice.cookie ?? '' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('message/rfc822');
      expect(Buffer.from(await res.arrayBuffer()).equals(message.raw)).toBe(true);
    });

    it('answers 404 for an unknown attachment or message', async () => {
      await alice.get(`/api/v1/messages/${message.id}/attachments/nope`).expectError(404, 'not_found');
      await alice.get('/api/v1/messages/00000000-0000-0000-0000-000000000000').expectError(404, 'not_found');
    });
  });

  it('shows a conversation oldest first, only with messages the caller may read', async () => {
    const threadId = `thread-${Date.now()}`;
    await seed(work, 'INBOX', { subject: 'Plan', date: base - 30 * minute, threadId });
    await seed(work, 'Sent', { subject: 'Re: Plan', date: base - 20 * minute, threadId, direction: 'outgoing' });
    await seed(bobs, 'INBOX', { subject: 'Re: Plan (Bob copy)', date: base - 25 * minute, threadId });
    const thread = await alice.get<{ items: MessageListItem[] }>(`/api/v1/threads/${threadId}`).expect(200);
    expect(thread.items.map((m) => m.subject)).toEqual(['Plan', 'Re: Plan']);
    const bobThread = await bob.get<{ items: MessageListItem[] }>(`/api/v1/threads/${threadId}`).expect(200);
    expect(bobThread.items.map((m) => m.subject)).toEqual(['Re: Plan (Bob copy)']);
    await carol.get(`/api/v1/threads/${threadId}`).expectError(404, 'not_found');
  });

  describe('triage', () => {
    const pending = (messageId: string) =>
      t.container.db.selectFrom('pending_changes').selectAll().where('message_id', '=', messageId).orderBy('id').execute();

    it('marks read and flagged at once and queues the change for the server', async () => {
      const m = await seed(work, 'INBOX', { subject: 'Triage me', date: base - 90 * minute });
      const updated = await alice.patch<MessageListItem>(`/api/v1/messages/${m.id}`, { seen: true, flagged: true }).expect(200);
      expect(updated).toMatchObject({ id: m.id, seen: true, flagged: true });
      const row = await t.container.db.selectFrom('messages').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
      expect([row.seen, row.flagged]).toEqual([1, 1]);
      const changes = await pending(m.id);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({ account_id: work.accountId, kind: 'flags' });
      expect(JSON.parse(changes[0]?.payload ?? '{}')).toMatchObject({ seen: true, flagged: true, from: { folderId: work.folders.INBOX } });

      // setting what is already set queues nothing
      await alice.patch(`/api/v1/messages/${m.id}`, { seen: true }).expect(200);
      expect(await pending(m.id)).toHaveLength(1);
      await alice.patch(`/api/v1/messages/${m.id}`, { seen: false }).expect(200);
      expect((await alice.get<MessageDetail>(`/api/v1/messages/${m.id}`).expect(200)).seen).toBe(false);
    });

    it('moves a message to another folder of its account', async () => {
      const m = await seed(work, 'INBOX', { subject: 'File me', date: base - 91 * minute });
      const moved = await alice.patch<MessageListItem>(`/api/v1/messages/${m.id}`, { folder: 'Archive' }).expect(200);
      expect(moved.folder).toBe('Archive');
      expect(subjects(await list(alice, { accountId: work.accountId, folder: 'Archive' }))).toContain('File me');
      const [change] = await pending(m.id);
      expect(change?.kind).toBe('move');
      expect(JSON.parse(change?.payload ?? '{}')).toMatchObject({ toFolderId: work.folders.Archive, from: { folderId: work.folders.INBOX, uidValidity: 1 } });
      await alice.patch(`/api/v1/messages/${m.id}`, { folder: 'No such folder' }).expectError(400, 'validation_failed');
      await alice.patch(`/api/v1/messages/${m.id}`, { colour: 'red' }).expectError(400, 'validation_failed');
      await alice.patch(`/api/v1/messages/${m.id}`, { seen: 'yes' }).expectError(400, 'validation_failed');
    });

    it('keeps one queued change per message when it is moved again or deleted before the engine ran', async () => {
      const m = await seed(work, 'INBOX', { subject: 'Restless', date: base - 93 * minute });
      const original = await t.container.db.selectFrom('messages').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
      const origin = { folderId: work.folders.INBOX, uidValidity: 1, uid: Number(original.uid) };

      await alice.patch(`/api/v1/messages/${m.id}`, { folder: 'Archive' }).expect(200);
      await alice.patch(`/api/v1/messages/${m.id}`, { flagged: true }).expect(200);
      await alice.patch(`/api/v1/messages/${m.id}`, { folder: 'Trash' }).expect(200);
      let changes = await pending(m.id);
      expect(changes.map((c) => c.kind)).toEqual(['move', 'flags']);
      expect(JSON.parse(changes[0]?.payload ?? '{}')).toEqual({ toFolderId: work.folders.Trash, from: origin });
      // flags follow the message wherever the queued move puts it
      expect(JSON.parse(changes[1]?.payload ?? '{}')).toEqual({ flagged: true });

      // moved back home: nothing to move any more
      await alice.patch(`/api/v1/messages/${m.id}`, { folder: 'INBOX' }).expect(200);
      changes = await pending(m.id);
      expect(changes.map((c) => c.kind)).toEqual(['flags']);
      const back = await t.container.db.selectFrom('messages').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
      expect([back.folder_id, Number(back.uid_validity), Number(back.uid)]).toEqual([origin.folderId, 1, origin.uid]);

      await alice.patch(`/api/v1/messages/${m.id}`, { folder: 'Archive' }).expect(200);
      await alice.delete(`/api/v1/messages/${m.id}`).expect(204);
      changes = await pending(m.id);
      expect(changes.map((c) => c.kind).sort()).toEqual(['delete', 'flags']);
      // from where the server has it, and who it is (it follows the message to a new UIDVALIDITY)
      expect(JSON.parse(changes.find((c) => c.kind === 'delete')?.payload ?? '{}')).toEqual({
        from: origin,
        identity: { messageId: back.message_id, size: Number(back.size) },
      });
    });

    it('deletes a message and queues the deletion', async () => {
      const m = await seed(work, 'INBOX', { subject: 'Delete me', date: base - 92 * minute });
      await alice.delete(`/api/v1/messages/${m.id}`).expect(204);
      await alice.get(`/api/v1/messages/${m.id}`).expectError(404, 'not_found');
      const [change] = await pending(m.id);
      expect(change).toMatchObject({ kind: 'delete', account_id: work.accountId });
      expect(JSON.parse(change?.payload ?? '{}')).toMatchObject({ from: { folderId: work.folders.INBOX } });
      await alice.delete(`/api/v1/messages/${m.id}`).expectError(404, 'not_found');
    });
  });

  describe('authorisation', () => {
    let shared: SeededAccount;
    let secret: Awaited<ReturnType<typeof seedMessage>>;

    beforeAll(async () => {
      shared = await seedAccount(t.container.db, { userId: aliceId });
      await seedShare(t.container.db, shared.accountId, bobId, { read: true });
      secret = await seed(shared, 'INBOX', {
        subject: 'Shared secret plans',
        text: 'confidential zeppelin',
        date: base - 120 * minute,
        attachments: [{ filename: 'plan.txt', contentType: 'text/plain', content: Buffer.from('the plan') }],
      });
    });

    it('a stranger gets 404 from every message route', async () => {
      const id = secret.id;
      const attachment = secret.attachments[0]?.id ?? '';
      await carol.get(`/api/v1/messages/${id}`).expectError(404, 'not_found');
      await carol.get(`/api/v1/messages/${id}/raw`).expectError(404, 'not_found');
      await carol.get(`/api/v1/messages/${id}/attachments/${attachment}`).expectError(404, 'not_found');
      await carol.patch(`/api/v1/messages/${id}`, { seen: true }).expectError(404, 'not_found');
      await carol.delete(`/api/v1/messages/${id}`).expectError(404, 'not_found');
      await carol.get(`/api/v1/threads/${secret.threadId}`).expectError(404, 'not_found');
      await carol.get(`/api/v1/messages?accountId=${shared.accountId}`).expectError(404, 'not_found');
      expect((await list(carol, { q: 'zeppelin' })).items).toEqual([]);
      expect((await list(carol)).items).toEqual([]);
      expect(await carol.get('/api/v1/messages/unread-count').expect(200)).toEqual({ total: 0, items: [] });
      // and the admin is a stranger to other people's mail too
      await t.admin.get(`/api/v1/messages/${id}`).expectError(404, 'not_found');
      // nothing changed
      expect(await t.container.db.selectFrom('pending_changes').selectAll().where('message_id', '=', id).execute()).toEqual([]);
    });

    it('a grantee with read access reads, searches, downloads and marks read, but cannot move or delete', async () => {
      const id = secret.id;
      expect((await bob.get<MessageDetail>(`/api/v1/messages/${id}`).expect(200)).text).toBe('confidential zeppelin');
      expect(subjects(await list(bob, { q: 'zeppelin' }))).toEqual(['Shared secret plans']);
      expect(subjects(await list(bob, { accountId: shared.accountId }))).toEqual(['Shared secret plans']);
      const res = await fetch(`${t.baseUrl}/api/v1/messages/${id}/attachments/${secret.attachments[0]?.id}`, { headers: { cookie: bob.cookie ?? '' } });
      expect(await res.text()).toBe('the plan');
      await bob.patch(`/api/v1/messages/${id}`, { seen: true }).expect(200);
      await bob.patch(`/api/v1/messages/${id}`, { folder: 'Archive' }).expectError(403, 'forbidden');
      await bob.delete(`/api/v1/messages/${id}`).expectError(403, 'forbidden');
    });

    it('requires a signed-in caller', async () => {
      await t.client().get('/api/v1/messages').expectError(401, 'unauthenticated');
      await t.client().get(`/api/v1/messages/${secret.id}`).expectError(401, 'unauthenticated');
      await t.client().get('/api/v1/events').expectError(401, 'unauthenticated');
    });
  });

  it('streams live events only for accounts the subscriber may read', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.baseUrl}/api/v1/events`, { headers: { cookie: carol.cookie ?? '' }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let received = '';
    const readUntil = async (marker: string) => {
      while (!received.includes(marker)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${marker}`);
        received += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(': connected');

    const carols = await seedAccount(t.container.db, { userId: carolId });
    t.container.events.publish({ type: 'message.created', accountId: bobs.accountId, data: listItem(bobs.accountId, { id: 'bobs-message', subject: 'not for carol' }) });
    const forCarol = listItem(carols.accountId, { id: 'carols-message', subject: 'for carol' });
    t.container.events.publish({ type: 'message.created', accountId: carols.accountId, data: forCarol });
    await readUntil('carols-message');
    expect(received).not.toContain('bobs-message');
    const frame = received.slice(received.indexOf('event: message.created'));
    expect(frame).toMatch(/^event: message\.created\ndata: \{.*\}\n\n/);
    const data = JSON.parse(/data: (.*)\n/.exec(frame)?.[1] ?? '{}') as Record<string, unknown>;
    expect(data).toEqual({ ...forCarol, accountId: carols.accountId });

    // a PATCH by the owner reaches the subscriber as message.updated
    const m = await seed(carols, 'INBOX', { subject: 'Live flag', date: base });
    await carol.patch(`/api/v1/messages/${m.id}`, { flagged: true }).expect(200);
    await readUntil('event: message.updated');
    await readUntil('"flagged":true');
    controller.abort();
  });

  /** Reads the live event stream with `headers` until the server ends it. */
  async function readStream(headers: Record<string, string>) {
    const res = await fetch(`${t.baseUrl}/api/v1/events`, { headers });
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    const stream = { text: '', ended: false };
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        stream.text += decoder.decode(value, { stream: true });
      }
      stream.ended = true;
    })();
    return stream;
  }

  /** Publishes mail for the account every 250 ms until the stream ends (or 20 s pass). */
  async function mailUntilEnded(accountId: string, stream: { ended: boolean }, id: string) {
    const timer = setInterval(() => t.container.events.publish({ type: 'message.created', accountId, data: listItem(accountId, { id }) }), 250);
    try {
      await expect.poll(() => stream.ended, { timeout: 20_000 }).toBe(true);
    } finally {
      clearInterval(timer);
    }
  }

  it('ends the live event stream at once when its session signs out', async () => {
    const dave = await t.createUser();
    const daves = await seedAccount(t.container.db, { userId: await userIdOf(dave) });
    const stream = await readStream({ cookie: dave.cookie ?? '' });
    t.container.events.publish({ type: 'message.created', accountId: daves.accountId, data: listItem(daves.accountId, { id: 'before-sign-out' }) });
    await expect.poll(() => stream.text).toContain('before-sign-out');

    await dave.post('/api/v1/auth/logout').expect(204);
    await mailUntilEnded(daves.accountId, stream, 'after-sign-out');
    expect(stream.text).not.toContain('after-sign-out');
  });

  it('ends the live event stream of a revoked API token within seconds', async () => {
    const erin = await t.createUser();
    const erins = await seedAccount(t.container.db, { userId: await userIdOf(erin) });
    const token = await erin.post<{ id: string; token: string }>('/api/v1/me/tokens', { name: 'feed' }).expect(201);
    const stream = await readStream({ authorization: `Bearer ${token.token}` });
    t.container.events.publish({ type: 'message.created', accountId: erins.accountId, data: listItem(erins.accountId, { id: 'while-valid' }) });
    await expect.poll(() => stream.text).toContain('while-valid');

    await erin.delete(`/api/v1/me/tokens/${token.id}`).expect(204);
    // Revoking is not announced to streams: the periodic re-check of the credential finds it.
    await mailUntilEnded(erins.accountId, stream, 'after-revocation');
  });
});
