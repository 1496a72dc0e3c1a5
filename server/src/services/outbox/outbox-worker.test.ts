import { Readable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { OutboxRepository, SendContext } from '../../db/repositories/outbox.repository.js';
import type { OutboxRow } from '../../db/schema.js';
import type { BlobStore } from '../../lib/blob-store.js';
import { AppError } from '../../domain/errors.js';
import type { ServerEvent } from '../../domain/events.js';
import { EventBus } from '../event-bus.js';
import type { CredentialSource } from '../credential-source.js';
import { OutboxWorker, type OutboxCheckpoint } from './outbox-worker.js';
import type { OutboxPayload } from '../../domain/outbox.js';

const context: SendContext = {
  accountId: 'acc-1',
  userId: 'owner',
  email: 'ada@example.test',
  login: 'ada@example.test',
  secret: 'sealed',
  displayName: 'Ada',
  signature: '',
  sendEnabled: 1,
  enabled: 1,
  providerName: 'Example',
  imapHost: 'imap.example.test',
  imapPort: 993,
  imapSecurity: 'tls',
  smtpHost: 'smtp.example.test',
  smtpPort: 465,
  smtpSecurity: 'tls',
  authMethod: 'oauth2',
  allowSend: 1,
  tlsFingerprint: null,
};

const payload: OutboxPayload = {
  subject: 'Hello',
  from: { name: 'Ada', address: 'ada@example.test' },
  to: [{ name: '', address: 'bob@example.test' }],
  cc: [],
  bcc: [],
  recipients: ['bob@example.test'],
  rawSha256: 'raw',
  sentCopySha256: 'raw',
  inReplyTo: null,
  forwardOf: null,
  attachments: [],
};

/** One queued item in memory, with just the repository methods the worker calls. */
function fakeOutbox() {
  const row: OutboxRow = {
    id: 'item-1',
    account_id: context.accountId,
    user_id: 'sender',
    status: 'queued',
    payload: JSON.stringify(payload),
    message_id: '<m1@example.test>',
    idempotency_key: null,
    attempts: 0,
    next_attempt_at: 0,
    error_code: null,
    error_message: null,
    created_at: 0,
    updated_at: 0,
    sent_at: null,
  };
  const repository = {
    claimDue: (now: number) => {
      if (row.status !== 'queued' || row.next_attempt_at > now) return Promise.resolve([]);
      Object.assign(row, { status: 'sending', attempts: row.attempts + 1, updated_at: now });
      return Promise.resolve([{ ...row }]);
    },
    listStaleSending: () => Promise.resolve([]),
    nextDueAt: () => Promise.resolve(undefined),
    findSendContext: () => Promise.resolve(context),
    findById: () => Promise.resolve({ ...row }),
    touch: () => Promise.resolve(),
    settle: (
      _id: string,
      c: { status: OutboxRow['status']; now: number; errorCode: string | null; errorMessage: string | null; nextAttemptAt?: number },
    ) => {
      if (row.status !== 'sending') return Promise.resolve(false);
      Object.assign(row, { status: c.status, updated_at: c.now, error_code: c.errorCode, error_message: c.errorMessage });
      if (c.nextAttemptAt !== undefined) row.next_attempt_at = c.nextAttemptAt;
      return Promise.resolve(true);
    },
  };
  return { row, repository: repository as unknown as OutboxRepository };
}

function workerWith(credentials: CredentialSource) {
  const { row, repository } = fakeOutbox();
  const events = new EventBus();
  const published: ServerEvent[] = [];
  events.subscribe((event) => published.push(event));
  const sent: unknown[] = [];
  const checkpoints: OutboxCheckpoint[] = [];
  const worker = new OutboxWorker({
    outbox: repository,
    blobs: { open: () => Readable.from([Buffer.from('Subject: Hello\r\n\r\nHello\r\n')]) } as unknown as BlobStore,
    events,
    clock: { now: () => 1_000 },
    logger: pino({ level: 'silent' }),
    credentials,
    sentFolder: { append: () => Promise.resolve('Sent'), contains: () => Promise.resolve(false) },
    config: { retryBaseMs: 100, retryMaxMs: 1_000, maxAttempts: 5, pollIntervalMs: 1_000, sendingLeaseMs: 60_000 },
    singleProcess: true,
    sync: { refreshAccount: () => Promise.resolve() },
    messages: { markAnswered: () => Promise.resolve() },
    checkpoint: (point) => checkpoints.push(point),
    send: (...args) => {
      sent.push(args);
      return Promise.resolve({ accepted: ['bob@example.test'], rejected: [] } as never);
    },
    random: () => 0.5,
  });
  return { worker, row, published, sent, checkpoints };
}

describe('OutboxWorker and the mailbox login', () => {
  it('keeps the message queued when the OAuth token endpoint is briefly unreachable', async () => {
    const { worker, row, sent } = workerWith(() =>
      Promise.reject(new AppError('service_unavailable', 'The provider could not be reached; Mailyard will try again')),
    );
    await worker.runOnce();
    expect(row).toMatchObject({ status: 'queued', attempts: 1, error_code: 'credentials_unavailable' });
    expect(row.next_attempt_at).toBeGreaterThan(1_000);
    expect(sent).toEqual([]);
  });

  it('retries after an unexpected failure to get the login, too', async () => {
    const { worker, row } = workerWith(() => Promise.reject(new TypeError('fetch failed')));
    await worker.runOnce();
    expect(row.status).toBe('queued');
  });

  it.each([
    ['oauth_failed', 'The provider no longer accepts Mailyard’s access to this mailbox; sign in again'],
    ['auth_failed', 'No password is stored for this mailbox; enter the password again'],
  ] as const)('fails the message at once when the owner must act (%s)', async (code, message) => {
    const { worker, row } = workerWith(() => Promise.reject(new AppError(code, message)));
    await worker.runOnce();
    expect(row).toMatchObject({ status: 'failed', attempts: 1, error_code: 'credentials_unavailable', error_message: message });
  });

  it("announces the item's changes to the user who queued it", async () => {
    const { worker, published } = workerWith(() => Promise.reject(new AppError('oauth_failed', 'sign in again')));
    await worker.runOnce();
    expect(published.map((e) => [e.type, 'status' in e.data && e.data.status, 'userId' in e.data && e.data.userId])).toEqual([
      ['outbox.updated', 'sending', 'sender'],
      ['outbox.updated', 'failed', 'sender'],
    ]);
    // The contract's fields only: no subject or recipients in a live event.
    expect(Object.keys(published[1]?.data ?? {}).sort()).toEqual(['accountId', 'error', 'id', 'status', 'userId']);
  });
});

describe('OutboxWorker checkpoints', () => {
  it('reports each step a crash must not undo, in order, once the message went out', async () => {
    const { worker, row, sent, checkpoints } = workerWith(() => Promise.resolve({ user: 'ada@example.test', password: 'secret' }));
    await worker.runOnce();
    expect(sent).toHaveLength(1);
    expect(row.status).toBe('sent');
    expect(checkpoints).toEqual(['after-smtp-accept', 'after-sent-copy']);
  });

  it('reports none when the message did not go out', async () => {
    const { worker, checkpoints } = workerWith(() => Promise.reject(new AppError('auth_failed', 'enter the password again')));
    await worker.runOnce();
    expect(checkpoints).toEqual([]);
  });
});
