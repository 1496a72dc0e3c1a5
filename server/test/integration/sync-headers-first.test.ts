// A large fetch (a first sync) lists each message from its header block and downloads the
// sources afterwards, newest first (sync/folder-sync.ts). What a user ends up with must be the
// same as when every message is fetched whole on arrival: the same text, HTML, snippet,
// attachments and search results. A message opened, saved or forwarded before its source came
// is fetched on demand (services/message-source.ts); one opened before its body was parsed (a
// database left by an earlier version) is parsed on demand.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMessage, userIdOf } from '../support/messages.js';
import { createMailUser, getRig, printRigLogsOnFailure } from '../rig/index.js';
import {
  appendMessages,
  eventually,
  fastSyncOptions,
  otherClient,
  seedImapAccount,
  serverSourceHashes,
  simpleMessage,
} from '../support/sync.js';
import { defaultFolderSyncOptions, FolderSync, type SyncTarget } from '../../src/sync/folder-sync.js';
import { FoldersRepository } from '../../src/db/repositories/folders.repository.js';
import { MessageStore } from '../../src/db/message-store/message-store.js';
import { createLogger } from '../../src/lib/logger.js';
import { systemClock } from '../../src/lib/clock.js';
import { MessageContentParser } from '../../src/services/message-content.js';
import type { MailUser } from '../rig/types.js';
import { brokenMessages, crlf } from '../support/hostile-messages.js';
import type { ServerEvent } from '../../src/domain/events.js';

printRigLogsOnFailure();

const b64 = (data: Buffer) => data.toString('base64').replace(/.{76}/g, '$&\r\n');

const pdf = randomBytes(300_000);
const logo = randomBytes(2_000);

/** Every kind of message a mailbox holds, and the broken ones. */
function corpus(to: string): Buffer[] {
  return [
    simpleMessage({ subject: 'Plain text', to, body: 'the quarterly numbers are attached elsewhere' }),
    crlf([
      'From: News <news@example.test>',
      `To: ${to}`,
      'Subject: HTML with an inline logo',
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p onclick="steal()">Hello <b>reader</b> <img src="cid:logo@x"></p><script>alert(1)</script>',
      '--rel',
      'Content-Type: image/png',
      'Content-ID: <logo@x>',
      'Content-Transfer-Encoding: base64',
      '',
      b64(logo),
      '--rel--',
    ]),
    crlf([
      'From: Carol <carol@example.test>',
      `To: ${to}`,
      'Subject: =?utf-8?q?R=C3=A9sum=C3=A9_attached?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="mix"',
      '',
      '--mix',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'please find my zebracorn resume attached',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<div>please find my <i>zebracorn</i> resume attached</div>',
      '--alt--',
      '--mix',
      'Content-Type: application/pdf; name="resume.pdf"',
      'Content-Disposition: attachment; filename="resume.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      b64(pdf),
      '--mix--',
    ]),
    ...Object.values(brokenMessages()),
  ];
}


/** What a user can see of every message of an account, by UID. */
async function storedMailbox(t: TestApp, accountId: string) {
  const rows = await t.container.db
    .selectFrom('messages')
    .select([
      'id',
      'uid',
      'subject',
      'from_json',
      'to_json',
      'date',
      'message_id',
      'snippet',
      'text',
      'html',
      'has_attachments',
      'parse_error',
      'size',
      'raw_sha256',
      'content_pending',
    ])
    .where('account_id', '=', accountId)
    .orderBy('uid')
    .execute();
  if (rows.length === 0) return [];
  const attachments = await t.container.db
    .selectFrom('attachments')
    .select(['message_id', 'filename', 'content_type', 'size', 'content_id', 'disposition', 'blob_sha256', 'position'])
    .where(
      'message_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('position')
    .execute();
  return rows.map(({ id, ...row }) => ({
    ...row,
    uid: Number(row.uid),
    attachments: attachments.filter((a) => a.message_id === id).map(({ message_id: _, ...a }) => ({ ...a, size: Number(a.size) })),
  }));
}

describe.each(dialects)('headers-first sync on %s', (dialect) => {
  let whole: TestApp;
  let headersFirst: TestApp;
  const events: ServerEvent[] = [];

  beforeAll(async () => {
    whole = await startTestApp(dialect, {
      background: true,
      syncEngine: { ...fastSyncOptions, folderSync: { ...defaultFolderSyncOptions, headersFirstFrom: Infinity } },
    });
    headersFirst = await startTestApp(dialect, {
      background: true,
      syncEngine: { ...fastSyncOptions, folderSync: { ...defaultFolderSyncOptions, headersFirstFrom: 1 } },
    });
    headersFirst.container.events.subscribe((event) => events.push(event));
  });
  afterAll(async () => {
    await whole?.close();
    await headersFirst?.close();
  });

  it('ends with the same messages, bodies, attachments and search results as parsing on arrival', async () => {
    const rig = getRig();
    const user = await createMailUser();
    const sources = corpus(user.email);
    await appendMessages(rig, user, 'INBOX', sources);

    const accounts = await Promise.all(
      [whole, headersFirst].map(async (t) => {
        const accountId = await seedImapAccount(t.container.db, t.container.secrets, {
          userId: await userIdOf(t.admin),
          mailUser: user,
          rig,
        });
        await t.container.sync.refreshAccount(accountId);
        return accountId;
      }),
    );
    const [wholeId = '', headersFirstId = ''] = accounts;
    const synced = (t: TestApp, accountId: string) =>
      eventually(
        async () => {
          const stored = await storedMailbox(t, accountId);
          return stored.length === sources.length && stored.every((m) => m.content_pending === 0) && stored;
        },
        60_000,
        'every message stored with its body',
      );
    const [expected, actual] = await Promise.all([synced(whole, wholeId), synced(headersFirst, headersFirstId)]);

    expect(actual).toEqual(expected);
    // and the contents are what the sources say, not two equally empty results
    const resume = actual.find((m) => m.subject === 'Résumé attached');
    expect(resume?.text).toContain('zebracorn resume attached');
    expect(resume?.attachments).toMatchObject([{ filename: 'resume.pdf', size: pdf.length }]);
    const html = actual.find((m) => m.subject === 'HTML with an inline logo');
    expect(html?.html).toContain('reader');
    expect(html?.html).not.toMatch(/<script|onclick/);
    expect(html?.attachments).toMatchObject([{ content_id: 'logo@x', disposition: 'inline', size: logo.length }]);

    // Each body parsed after the headers reached the live stream as an update with its snippet.
    // Listed first without a body, then updated with it.
    const created = events.filter((e): e is ServerEvent<'message.created'> => e.type === 'message.created' && e.accountId === headersFirstId);
    expect(created.find((e) => e.data.subject === 'Plain text')?.data.snippet).toBe('');
    const updated = events.filter((e): e is ServerEvent<'message.updated'> => e.type === 'message.updated' && e.accountId === headersFirstId);
    expect(updated.map((e) => e.data.subject)).toEqual(expect.arrayContaining(['Plain text', 'Résumé attached']));
    expect(updated.find((e) => e.data.subject === 'Plain text')?.data.snippet).toBe(
      'the quarterly numbers are attached elsewhere',
    );

    // The full-text index took the bodies.
    const search = async (t: TestApp, accountId: string) =>
      (
        await t.admin
          .get<{ items: { subject: string }[] }>(`/api/v1/messages?accountId=${accountId}&q=zebracorn`)
          .expect(200)
      ).items.map((m) => m.subject);
    expect(await search(headersFirst, headersFirstId)).toEqual(['Résumé attached']);
    expect(await search(whole, wholeId)).toEqual(['Résumé attached']);
  });

  it('shows the body of a message opened before it was parsed', async () => {
    const t = headersFirst;
    const userId = await userIdOf(t.admin);
    const { accountId, folders } = await seedAccount(t.container.db, { userId });
    const raw = corpus('someone@example.test')[2] ?? Buffer.alloc(0);
    const seeded = await seedMessage(t.container.db, t.container.blobs, {
      accountId,
      folderId: folders.INBOX ?? '',
      subject: 'Résumé attached',
      raw,
      contentPending: true,
    });

    const detail = await t.admin
      .get<{ text: string | null; attachments: { filename: string; size: number }[]; snippet: string }>(
        `/api/v1/messages/${seeded.id}`,
      )
      .expect(200);
    expect(detail.text).toContain('zebracorn resume attached');
    expect(detail.snippet).toContain('zebracorn');
    expect(detail.attachments).toMatchObject([{ filename: 'resume.pdf', size: pdf.length }]);
    // Stored, not parsed on every read: opening it again finds the same attachment, once.
    const again = await t.admin.get<{ attachments: unknown[] }>(`/api/v1/messages/${seeded.id}`).expect(200);
    expect(again.attachments).toHaveLength(1);
    const row = await t.container.db
      .selectFrom('messages')
      .select('content_pending')
      .where('id', '=', seeded.id)
      .executeTakeFirstOrThrow();
    expect(row.content_pending).toBe(0);
  });
});

/**
 * A folder sync driven step by step over a real IMAP connection: listing, then the downloads,
 * with the state in between visible.
 */
async function steppedSync(t: TestApp, user: MailUser, options: { port?: number } = {}) {
  const rig = getRig();
  const accountId = await seedImapAccount(t.container.db, t.container.secrets, {
    userId: await userIdOf(t.admin),
    mailUser: user,
    rig,
    syncPeriod: 'all',
    ...(options.port !== undefined && { port: options.port }),
  });
  const folders = new FoldersRepository(t.container.db);
  await folders.reconcile(
    accountId,
    [{ path: 'INBOX', name: 'INBOX', delimiter: '/', specialUse: null, synced: true }],
    Date.now(),
  );
  const [folder] = await folders.listByAccount(accountId);
  if (!folder) throw new Error('no INBOX row');
  const events: ServerEvent[] = [];
  const store = new MessageStore({ db: t.container.db, clock: systemClock, publish: (event) => events.push(event) });
  const sync = new FolderSync(
    {
      messages: store,
      folders,
      blobs: t.container.blobs,
      clock: systemClock,
      logger: createLogger('silent'),
    },
    { ...defaultFolderSyncOptions, headersFirstFrom: 1, batchSize: 2, parseWorkers: 0 },
  );
  // The account session parses stored sources beside the downloads; here, when the test says.
  const bodies = new MessageContentParser({ blobs: t.container.blobs, logger: createLogger('silent') });
  const target: SyncTarget = { accountId, accountEmail: user.email, syncPeriod: 'all', folder };
  const client = await otherClient(rig, user);
  const rows = () =>
    t.container.db
      .selectFrom('messages')
      .select(['id', 'uid', 'subject', 'source_pending', 'content_pending', 'raw_sha256', 'text', 'snippet'])
      .where('account_id', '=', accountId)
      .orderBy('uid')
      .execute();
  return {
    accountId,
    events,
    sync,
    target,
    client,
    rows,
    parseBodies: () => bodies.drain(store, accountId, () => false),
    close: async () => {
      await sync.close();
      await client.logout();
    },
  };
}

const noProgress = { onProgress: () => undefined };

/** A fresh mailbox holding the corpus, listed from its headers by a stepped sync (no downloads yet). */
async function listedCorpus(t: TestApp) {
  const user = await createMailUser();
  const sources = corpus(user.email);
  await appendMessages(getRig(), user, 'INBOX', sources);
  const stepped = await steppedSync(t, user);
  try {
    await stepped.sync.sync(stepped.client, stepped.target, noProgress, true);
  } catch (error) {
    await stepped.close();
    throw error;
  }
  return { user, sources, stepped, listed: await stepped.rows() };
}

describe.each(dialects)('sources after the headers on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists every message from its headers, then downloads the sources newest first', async () => {
    const { user, sources, stepped, listed } = await listedCorpus(t);
    try {
      // Listed: subject and sender from the headers, no source or body yet. A message without
      // a header block to split off (the empty one) is fetched whole at once instead.
      expect(listed).toHaveLength(sources.length);
      const pending = listed.filter((r) => r.source_pending === 1);
      expect(pending.every((r) => r.raw_sha256 === '' && r.text === null)).toBe(true);
      expect(pending.map((r) => r.subject)).toEqual(
        expect.arrayContaining(['Plain text', 'HTML with an inline logo', 'Résumé attached']),
      );
      expect(pending.length).toBeGreaterThanOrEqual(sources.length - 2);
      const { items } = await t.admin
        .get<{ items: { subject: string; from: { address: string }[] }[] }>(
          `/api/v1/messages?accountId=${stepped.accountId}&limit=100`,
        )
        .expect(200);
      expect(items.map((i) => i.subject)).toEqual(expect.arrayContaining(['Plain text', 'Résumé attached']));
      expect(items.find((i) => i.subject === 'Résumé attached')?.from).toMatchObject([{ address: 'carol@example.test' }]);

      // One batch (two messages), then a pause: the newest two came first.
      const uids = pending.map((r) => Number(r.uid));
      expect(await stepped.sync.downloadSources(stepped.client, stepped.target, noProgress, () => true)).toBe(false);
      const afterOne = await stepped.rows();
      const downloadedFirst = afterOne.filter((r) => r.source_pending === 0 && uids.includes(Number(r.uid)));
      expect(downloadedFirst.map((r) => Number(r.uid))).toEqual(uids.slice(-2));

      // The rest, then every source is the server's, byte for byte, and every body is parsed.
      const progress: number[] = [];
      const updatesBefore = stepped.events.filter((e) => e.type === 'message.updated').length;
      const finished = await stepped.sync.downloadSources(
        stepped.client,
        stepped.target,
        { onProgress: (n) => void progress.push(n) },
        () => false,
      );
      expect(finished).toBe(true);
      expect(progress.reduce((a, b) => a + b, 0)).toBe(pending.length - 2);
      const downloaded = await stepped.rows();
      const server = await serverSourceHashes(getRig(), user);
      expect(downloaded.map((r) => [Number(r.uid), r.raw_sha256])).toEqual([...server.entries()]);
      expect(downloaded.every((r) => r.source_pending === 0)).toBe(true);
      // Stored raw; nothing a list shows changed yet, so no update went out.
      expect(stepped.events.filter((e) => e.type === 'message.updated')).toHaveLength(updatesBefore);
      expect(await stepped.parseBodies()).toBe(pending.length);
      const done = await stepped.rows();
      expect(done.every((r) => r.content_pending === 0)).toBe(true);
      expect(done.find((r) => r.subject === 'Plain text')?.snippet).toBe('the quarterly numbers are attached elsewhere');
      // Each completed message went out once as an update; nothing was created twice.
      const updatedIds = stepped.events.filter((e) => e.type === 'message.updated').map((e) => e.data.id);
      expect(updatedIds.length).toBe(pending.length);
      expect(new Set(updatedIds)).toEqual(new Set(pending.map((r) => r.id)));
      expect(stepped.events.filter((e) => e.type === 'message.created')).toHaveLength(sources.length);
      // Nothing left: another pass is a no-op.
      expect(await stepped.sync.downloadSources(stepped.client, stepped.target, noProgress, () => false)).toBe(true);
    } finally {
      await stepped.close();
    }
  });

  it('opens, saves and forwards a message whose source is not downloaded yet', async () => {
    const { user, stepped, listed } = await listedCorpus(t);
    try {
      const resume = listed.find((r) => r.subject === 'Résumé attached');
      const plain = listed.find((r) => r.subject === 'Plain text');
      const html = listed.find((r) => r.subject === 'HTML with an inline logo');
      if (!resume || !plain || !html) throw new Error('corpus not listed');
      expect(resume.source_pending).toBe(1);

      // Opened: fetched from the server there and then, body and attachment included.
      const detail = await t.admin
        .get<{ text: string | null; attachments: { filename: string; size: number }[] }>(`/api/v1/messages/${resume.id}`)
        .expect(200);
      expect(detail.text).toContain('zebracorn resume attached');
      expect(detail.attachments).toMatchObject([{ filename: 'resume.pdf', size: pdf.length }]);

      // Saved: the exact source.
      const server = await serverSourceHashes(getRig(), user);
      // (an ASCII message: the client's text decoding keeps its bytes)
      const raw = await t.admin.get<string>(`/api/v1/messages/${plain.id}/raw`).expect(200);
      expect(createHash('sha256').update(Buffer.from(raw)).digest('hex')).toBe(server.get(Number(plain.uid)));

      // Forwarded: its inline image goes along.
      const forward = await t.admin
        .post<{ id: string }>('/api/v1/outbox', {
          accountId: stepped.accountId,
          to: ['someone@example.test'],
          subject: 'Fwd: HTML with an inline logo',
          text: 'see below',
          forwardOf: html.id,
        })
        .expect(202);
      const queued = await t.container.db
        .selectFrom('outbox')
        .select('payload')
        .where('id', '=', forward.id)
        .executeTakeFirstOrThrow();
      const payload = JSON.parse(queued.payload) as { attachments: { contentType: string; size: number }[] };
      expect(payload.attachments).toMatchObject([{ contentType: 'image/png', size: logo.length }]);

      // The sync finds them done and adds nothing twice.
      await stepped.sync.downloadSources(stepped.client, stepped.target, noProgress, () => false);
      await stepped.parseBodies();
      const again = await t.admin.get<{ attachments: unknown[] }>(`/api/v1/messages/${resume.id}`).expect(200);
      expect(again.attachments).toHaveLength(1);
      const done = await stepped.rows();
      expect(done.map((r) => [Number(r.uid), r.raw_sha256])).toEqual([...server.entries()]);
    } finally {
      await stepped.close();
    }
  });

  it('says so, with a code, when a message not downloaded yet cannot be fetched', async () => {
    const user = await createMailUser();
    await appendMessages(getRig(), user, 'INBOX', [simpleMessage({ subject: 'Out of reach', to: user.email, body: 'x' })]);
    const stepped = await steppedSync(t, user);
    try {
      await stepped.sync.sync(stepped.client, stepped.target, noProgress, true);
    } finally {
      await stepped.close();
    }
    const [row] = await stepped.rows();
    if (!row) throw new Error('not listed');
    // The mailbox's password changed on the server since: the on-demand fetch is refused.
    await t.container.db
      .updateTable('accounts')
      .set({ secret: t.container.secrets.encrypt(JSON.stringify({ password: 'not-the-password' })) })
      .where('id', '=', stepped.accountId)
      .execute();
    const error = await t.admin.get(`/api/v1/messages/${row.id}`).expectError(503, 'message_not_downloaded');
    expect(error.message).toMatch(/still being downloaded.*rejected the login/);
    expect(JSON.stringify(error)).not.toMatch(/not-the-password|at .*\.ts/);
    // Still listed, still waiting for the sync.
    const [after] = await stepped.rows();
    expect(after?.source_pending).toBe(1);
  });
});
