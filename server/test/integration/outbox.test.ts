// Sending through the durable outbox against the real Postfix and Dovecot, on both databases:
// what arrives in the recipient's real mailbox (read over IMAP), replies and forwards, the copy
// in Sent, an SMTP outage, a permanent rejection, Idempotency-Key, and who may send.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import MailComposer from 'nodemailer/lib/mail-composer';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { listItem, seedMessage, seedShare, userIdOf } from '../support/messages.js';
import { appendMessages, eventually, fastSyncOptions, otherClient, seedImapAccount } from '../support/sync.js';
import { ToggleProxy, messagesWithId, withFastOutbox } from '../support/outbox.js';
import { createMailUser, getRig, printRigLogsOnFailure, type MailUser } from '../rig/index.js';
import type { ApiClient } from '../support/api-client.js';

interface Item {
  id: string;
  accountId: string;
  status: 'queued' | 'sending' | 'sent' | 'failed' | 'uncertain';
  error?: { code: string; message: string };
  messageId?: string;
  attempts: number;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

printRigLogsOnFailure();

describe.each(dialects)('outbox on %s', (dialect) => {
  let t: TestApp;
  let userId: string;
  let sender: MailUser;
  let recipient: MailUser;
  let accountId: string;

  const useSmtp = (port: number, security: 'tls' | 'starttls') =>
    t.container.db
      .updateTable('providers')
      .set({ smtp_port: port, smtp_security: security })
      .where('id', '=', (eb) => eb.selectFrom('accounts').select('provider_id').where('accounts.id', '=', accountId))
      .execute();

  const settled = (client: ApiClient, id: string, statuses: Item['status'][] = ['sent', 'failed', 'uncertain']) =>
    eventually(async () => {
      const item = await client.get<Item>(`/api/v1/outbox/${id}`).expect(200);
      return statuses.includes(item.status) ? item : undefined;
    }, 30_000, `outbox item ${id} to settle`);

  const arrived = (user: MailUser, messageId: string, folder = 'INBOX', count = 1) =>
    eventually(async () => {
      const found = await messagesWithId(getRig(), user, folder, messageId);
      return found.length >= count ? found : undefined;
    }, 20_000, `${messageId} in ${user.email}/${folder}`);

  beforeAll(async () => {
    t = await startTestApp(dialect, { background: true, syncEngine: fastSyncOptions, configure: withFastOutbox });
    userId = await userIdOf(t.admin);
    [sender, recipient] = await Promise.all([createMailUser(), createMailUser()]);
    accountId = await seedImapAccount(t.container.db, t.container.secrets, { userId, mailUser: sender, rig: getRig() });
    await t.container.db
      .updateTable('accounts')
      .set({ display_name: 'Ada Sender', signature: '<p>Ada <b>Sender</b></p>' })
      .where('id', '=', accountId)
      .execute();
    await t.container.sync.refreshAccount(accountId);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['587 with STARTTLS', 'starttls' as const, () => getRig().smtp.submissionPort],
    ['465 with implicit TLS', 'tls' as const, () => getRig().smtp.smtpsPort],
  ])('sends through %s; the recipient gets the message with our headers and Sent gets a copy', async (_name, security, port) => {
    await useSmtp(port(), security);
    const subject = `Hello over ${security} ${randomUUID().slice(0, 8)}`;
    const queued = await t.admin
      .post<Item>('/api/v1/outbox', { accountId, to: [`Rec Ipient <${recipient.email}>`], bcc: ['hidden@elsewhere.test'], subject, text: 'Hi there' })
      .expect(202);
    expect(queued.status).toBe('queued');

    const item = await settled(t.admin, queued.id);
    expect(item).toMatchObject({ status: 'sent' });
    expect(item.error).toBeUndefined();
    const messageId = item.messageId ?? '';
    expect(messageId).toMatch(/^<[^@>]+@rig\.test>$/);

    const [received] = await arrived(recipient, messageId);
    const mail = received?.parsed;
    expect(mail?.messageId).toBe(messageId);
    expect(mail?.from?.value).toEqual([{ name: 'Ada Sender', address: sender.email }]);
    expect(mail?.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([{ name: 'Rec Ipient', address: recipient.email }]);
    expect(mail?.subject).toBe(subject);
    expect(mail?.text).toContain('Hi there\n\n-- \nAda Sender');
    expect(mail?.bcc).toBeUndefined();
    expect(received?.source.toString('latin1')).not.toContain('hidden@elsewhere.test');

    const [copy] = await arrived(sender, messageId, 'Sent');
    expect(copy?.parsed.subject).toBe(subject);
    expect(copy?.source.toString('latin1')).toContain('hidden@elsewhere.test');

    // The panel shows the sent message once: the synchronised Sent copy, not a second local row.
    const rows = await eventually(async () => {
      const found = await t.container.db.selectFrom('messages').select(['id', 'direction']).where('message_id', '=', messageId).execute();
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the Sent copy in the panel');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.direction).toBe('outgoing');
  });

  describe('replies and forwards of a message in the mailbox', () => {
    const attachment = randomBytes(50_000);
    const originalId = `<original-${randomUUID()}@elsewhere.test>`;
    let stored: { id: string };

    beforeAll(async () => {
      await useSmtp(getRig().smtp.submissionPort, 'starttls');
      const original = await new MailComposer({
        from: 'Carol <carol@elsewhere.test>',
        to: sender.email,
        subject: 'Quarterly numbers',
        text: 'See attached.',
        messageId: originalId,
        references: ['<root@elsewhere.test>'],
        inReplyTo: '<root@elsewhere.test>',
        attachments: [
          { filename: 'numbers.bin', contentType: 'application/octet-stream', content: attachment },
          { filename: 'notes.txt', contentType: 'text/plain', content: 'plain notes\n' },
        ],
      })
        .compile()
        .build();
      await appendMessages(getRig(), sender, 'INBOX', [original]);
      stored = await eventually(
        () => t.container.db.selectFrom('messages').select('id').where('message_id', '=', originalId).where('account_id', '=', accountId).executeTakeFirst(),
        20_000,
        'the original to be synchronised',
      );
    });

    it('a reply carries In-Reply-To and References and joins the thread', async () => {
      const queued = await t.admin
        .post<Item>('/api/v1/outbox', { accountId, to: [recipient.email], subject: 'Re: Quarterly numbers', text: 'Thanks!', inReplyTo: stored.id })
        .expect(202);
      const item = await settled(t.admin, queued.id);
      expect(item.status).toBe('sent');
      const [received] = await arrived(recipient, item.messageId ?? '');
      expect(received?.parsed.inReplyTo).toBe(originalId);
      expect(received?.parsed.references).toEqual(['<root@elsewhere.test>', originalId]);

      const threads = await eventually(async () => {
        const rows = await t.container.db
          .selectFrom('messages')
          .select('thread_id')
          .where('account_id', '=', accountId)
          .where('message_id', 'in', [originalId, item.messageId ?? ''])
          .execute();
        return rows.length === 2 ? rows : undefined;
      }, 20_000, 'the reply in the panel');
      expect(threads[0]?.thread_id).toBe(threads[1]?.thread_id);

      // The original shows as answered, in the panel and (\Answered) in every other mail client.
      await eventually(
        async () => (await t.admin.get<{ answered: boolean }>(`/api/v1/messages/${stored.id}`).expect(200)).answered || undefined,
        20_000,
        'the original marked answered',
      );
      const other = await otherClient(getRig(), sender);
      try {
        await eventually(async () => {
          await other.mailboxOpen('INBOX');
          const uids = (await other.search({ header: { 'message-id': originalId } }, { uid: true })) || [];
          const original = uids[0] === undefined ? undefined : await other.fetchOne(String(uids[0]), { flags: true }, { uid: true });
          return (original && original.flags?.has('\\Answered')) || undefined;
        }, 20_000, '\\Answered on the server');
      } finally {
        await other.logout();
      }
    });

    it("a forward carries the original's attachments byte for byte", async () => {
      const queued = await t.admin
        .post<Item>('/api/v1/outbox', {
          accountId,
          to: [recipient.email],
          subject: 'Fwd: Quarterly numbers',
          html: '<p>FYI</p>',
          forwardOf: stored.id,
          attachments: [{ filename: 'extra.txt', contentType: 'text/plain', contentBase64: Buffer.from('extra').toString('base64') }],
        })
        .expect(202);
      const item = await settled(t.admin, queued.id);
      expect(item.status).toBe('sent');
      const [received] = await arrived(recipient, item.messageId ?? '');
      const parts = received?.parsed.attachments ?? [];
      expect(parts.map((p) => p.filename)).toEqual(['numbers.bin', 'notes.txt', 'extra.txt']);
      expect(sha256(parts[0]?.content ?? Buffer.alloc(0))).toBe(sha256(attachment));
      expect(parts[1]?.content.toString()).toBe('plain notes\n');
    });
  });

  it('retries while the SMTP server is unreachable and sends once when it is back', async () => {
    const proxy = new ToggleProxy(getRig().smtp.smtpsPort);
    await proxy.up();
    await proxy.down();
    await useSmtp(proxy.port, 'tls');
    try {
      const queued = await t.admin.post<Item>('/api/v1/outbox', { accountId, to: [recipient.email], subject: 'Through an outage', text: 'x' }).expect(202);
      const retrying = await eventually(async () => {
        const item = await t.admin.get<Item>(`/api/v1/outbox/${queued.id}`).expect(200);
        return item.status === 'queued' && item.attempts >= 2 ? item : undefined;
      }, 20_000, 'failed attempts');
      expect(retrying.error?.code).toBe('smtp_unreachable');

      await proxy.up();
      const item = await settled(t.admin, queued.id);
      expect(item.status).toBe('sent');
      await arrived(recipient, item.messageId ?? '');
      // Give a duplicate every chance to show up before counting.
      await arrived(sender, item.messageId ?? '', 'Sent');
      expect(await messagesWithId(getRig(), recipient, 'INBOX', item.messageId ?? '')).toHaveLength(1);
    } finally {
      await proxy.down();
      await useSmtp(getRig().smtp.submissionPort, 'starttls');
    }
  });

  it('fails at once with a clear error when the server refuses the recipient', async () => {
    const nobody = `nobody-${randomUUID().slice(0, 8)}@${getRig().mailDomain}`;
    const queued = await t.admin.post<Item>('/api/v1/outbox', { accountId, to: [nobody], subject: 'To nobody', text: 'x' }).expect(202);
    const item = await settled(t.admin, queued.id);
    expect(item.status).toBe('failed');
    expect(item.attempts).toBe(1);
    expect(item.error?.code).toBe('recipient_rejected');
    expect(item.error?.message).toMatch(/refused the recipient/);
    expect(item.error?.message).toContain('550');
  });

  it('an Idempotency-Key returns the first result and sends one message', async () => {
    const key = randomUUID();
    const body = { accountId, to: [recipient.email], subject: 'Only once', text: 'x' };
    const first = await t.admin.post<Item>('/api/v1/outbox', body, { 'Idempotency-Key': key }).expect(202);
    const again = await t.admin.post<Item>('/api/v1/outbox', body, { 'Idempotency-Key': key }).expect(202);
    expect(again.id).toBe(first.id);
    const item = await settled(t.admin, first.id);
    const third = await t.admin.post<Item>('/api/v1/outbox', body, { 'Idempotency-Key': key }).expect(202);
    expect(third).toMatchObject({ id: first.id, status: 'sent' });
    await arrived(recipient, item.messageId ?? '');
    await arrived(sender, item.messageId ?? '', 'Sent');
    expect(await messagesWithId(getRig(), recipient, 'INBOX', item.messageId ?? '')).toHaveLength(1);
    const rows = await t.container.db.selectFrom('outbox').select('id').where('idempotency_key', '=', key).execute();
    expect(rows).toHaveLength(1);
  });

  it('rejects bad recipients with the failing fields', async () => {
    const error = await t.admin
      .post('/api/v1/outbox', { accountId, to: ['not an address', recipient.email], cc: ['also@bad'], subject: 'x' })
      .expectError(400, 'validation_failed');
    expect(Object.keys(error.details?.fields ?? {}).sort()).toEqual(['cc.0', 'to.0']);
    const none = await t.admin.post('/api/v1/outbox', { accountId, to: [], subject: 'x' }).expectError(400, 'validation_failed');
    expect(none.details?.fields).toMatchObject({ to: 'add at least one recipient' });
    await t.admin.post('/api/v1/outbox', { accountId, to: [recipient.email], extra: 1 }).expectError(400, 'validation_failed');
  });

  it('answers 413 payload_too_large beyond the body limit', async () => {
    const huge = 'A'.repeat(36 * 1024 * 1024);
    await t.admin
      .post('/api/v1/outbox', { accountId, to: [recipient.email], attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', contentBase64: huge }] })
      .expectError(413, 'payload_too_large');
  });

  it('refuses an oversized forward from the stored sizes, before reading the attachments', async () => {
    const folder = await t.container.db.selectFrom('folders').select('id').where('account_id', '=', accountId).executeTakeFirstOrThrow();
    const original = await seedMessage(t.container.db, t.container.blobs, {
      accountId,
      folderId: folder.id,
      subject: 'Huge attachment',
      attachments: [{ filename: 'huge.bin', contentType: 'application/octet-stream', content: Buffer.from('tiny stand-in') }],
    });
    // The stored size says 30 MB; its blob is a few bytes, so only the metadata can refuse it.
    await t.container.db.updateTable('attachments').set({ size: 30 * 1024 * 1024 }).where('message_id', '=', original.id).execute();
    await t.admin
      .post('/api/v1/outbox', { accountId, to: [recipient.email], subject: 'Fwd: huge', text: 'x', forwardOf: original.id })
      .expectError(413, 'payload_too_large');
  });

  it('shows To and Cc apart and its times as ISO strings', async () => {
    const queued = await t.admin
      .post<Item & { to: string[]; cc: string[]; createdAt: string }>('/api/v1/outbox', {
        accountId,
        to: [recipient.email],
        cc: ['copy@elsewhere.test'],
        subject: 'To and Cc',
        text: 'x',
      })
      .expect(202);
    expect(queued.to).toEqual([recipient.email]);
    expect(queued.cc).toEqual(['copy@elsewhere.test']);
    expect(new Date(queued.createdAt).toISOString()).toBe(queued.createdAt);
    const item = await settled(t.admin, queued.id);
    expect(item.status).toBe('sent');
    const sent = await t.admin.get<{ sentAt: string }>(`/api/v1/outbox/${queued.id}`).expect(200);
    expect(new Date(sent.sentAt).toISOString()).toBe(sent.sentAt);
  });

  it("streams a user's outbox events to that user only, not to others who may read the mailbox", async () => {
    const reader = await t.createUser();
    await seedShare(t.container.db, accountId, await userIdOf(reader), { read: true });
    const controller = new AbortController();
    const open = async (client: ApiClient) => {
      const res = await fetch(`${t.baseUrl}/api/v1/events`, { headers: { cookie: client.cookie ?? '' }, signal: controller.signal });
      const reader = res.body?.getReader();
      if (!reader) throw new Error('no body');
      const decoder = new TextDecoder();
      const stream = { received: '' };
      const readUntil = async (marker: string) => {
        while (!stream.received.includes(marker)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended before ${marker}`);
          stream.received += decoder.decode(value, { stream: true });
        }
      };
      await readUntil(': connected');
      return { stream, readUntil };
    };
    try {
      const owner = await open(t.admin);
      const grantee = await open(reader);
      const queued = await t.admin.post<Item>('/api/v1/outbox', { accountId, to: [recipient.email], subject: 'Private outbox', text: 'x' }).expect(202);
      await owner.readUntil(queued.id);
      const frame = owner.stream.received.slice(owner.stream.received.indexOf('event: outbox.updated'));
      const data = JSON.parse(/data: (.*)\n/.exec(frame)?.[1] ?? '{}') as Record<string, unknown>;
      expect(data).toMatchObject({ id: queued.id, accountId, status: 'queued' });
      expect(data).not.toHaveProperty('subject');
      expect(data).not.toHaveProperty('to');

      // Events reach a subscriber in order: once this later one has arrived, the outbox event would have too.
      const marker = `marker-${randomUUID()}`;
      t.container.events.publish({ type: 'message.created', accountId, data: listItem(accountId, { id: marker }) });
      await grantee.readUntil(marker);
      expect(grantee.stream.received).not.toContain('outbox.updated');
      expect(grantee.stream.received).not.toContain(queued.id);
      await settled(t.admin, queued.id);
    } finally {
      controller.abort();
    }
  });

  it('lets nobody send through, or see the outbox of, a mailbox they may not send through', async () => {
    const stranger = await t.createUser();
    const reader = await t.createUser();
    const senderGrantee = await t.createUser();
    await seedShare(t.container.db, accountId, await userIdOf(reader), { read: true });
    await seedShare(t.container.db, accountId, await userIdOf(senderGrantee), { read: true, send: true });
    const body = { accountId, to: [recipient.email], subject: 'Not yours', text: 'x' };

    await stranger.post('/api/v1/outbox', body).expectError(404, 'not_found');
    await reader.post('/api/v1/outbox', body).expectError(403, 'forbidden');
    const mine = await t.admin.post<Item>('/api/v1/outbox', { ...body, subject: 'Mine' }).expect(202);
    await stranger.get(`/api/v1/outbox/${mine.id}`).expectError(404, 'not_found');
    await reader.post(`/api/v1/outbox/${mine.id}/retry`).expectError(404, 'not_found');
    expect((await stranger.get<{ items: Item[] }>('/api/v1/outbox').expect(200)).items).toEqual([]);

    const shared = await senderGrantee.post<Item>('/api/v1/outbox', { ...body, subject: 'Sent by a grantee' }).expect(202);
    expect((await settled(senderGrantee, shared.id)).status).toBe('sent');

    await t.container.db.updateTable('accounts').set({ send_enabled: 0 }).where('id', '=', accountId).execute();
    try {
      await t.admin.post('/api/v1/outbox', body).expectError(403, 'send_disabled');
    } finally {
      await t.container.db.updateTable('accounts').set({ send_enabled: 1 }).where('id', '=', accountId).execute();
    }
  });
});
