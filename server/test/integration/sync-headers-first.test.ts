// A large fetch (a first sync) stores each message's raw source and headers first and parses
// the bodies right after (services/message-content.ts). What a user ends up with must be the
// same as when every message is parsed on arrival: the same text, HTML, snippet, attachments and
// search results. And a message opened before its body was parsed shows its body anyway.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMessage, userIdOf } from '../support/messages.js';
import { createMailUser, getRig, printRigLogsOnFailure } from '../rig/index.js';
import { appendMessages, eventually, fastSyncOptions, seedImapAccount, simpleMessage } from '../support/sync.js';
import { defaultFolderSyncOptions } from '../../src/sync/folder-sync.js';
import { brokenMessages, crlf } from '../support/hostile-messages.js';
import type { MailyardEvent } from '../../src/domain/events.js';

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
  const events: MailyardEvent[] = [];

  beforeAll(async () => {
    whole = await startTestApp(dialect, {
      background: true,
      syncEngine: { ...fastSyncOptions, folderSync: { ...defaultFolderSyncOptions, deferContentFrom: Infinity } },
    });
    headersFirst = await startTestApp(dialect, {
      background: true,
      syncEngine: { ...fastSyncOptions, folderSync: { ...defaultFolderSyncOptions, deferContentFrom: 1 } },
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
    const updated = events.filter((e) => e.type === 'message.updated' && e.accountId === headersFirstId);
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
