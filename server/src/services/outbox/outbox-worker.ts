// Sending, the delivery side. Claims due items (queued → sending), sends each exactly once over
// SMTP, files the copy in Sent, records the outcome and announces it (outbox.updated).
//
// Exactly once across crashes: an item is marked `sending` before the SMTP transaction starts.
// A process that dies after the server accepted the message but before `sent` was recorded
// leaves the item in `sending`; whoever finds it there later (this process after a restart, or
// another worker once the lease ran out) never sends it again but looks for its Message-ID in
// the Sent folder: found → sent; not found → `uncertain`, shown as "may have been sent", and
// only the user's "send again" queues it once more.
//
// The panel shows the sent message through the sync engine, not through a row written here:
// the Sent copy (appended here, or filed by the provider itself) is synchronised like any other
// message, so it appears exactly once, keyed by (account, folder, UIDVALIDITY, UID). Once sent,
// the worker asks the sync engine to look at the account now instead of at its next check.
import type { OutboxRepository, SendContext } from '../../db/repositories/outbox.repository.js';
import type { OutboxRow } from '../../db/schema.js';
import type { BlobStore } from '../../lib/blob-store.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { ImapEndpoint } from '../../mail/imap/client.js';
import { translateSmtpError, type SendFailure } from '../../mail/smtp/smtp-errors.js';
import { sendRaw, type SmtpEndpoint } from '../../mail/smtp/smtp-transport.js';
import type { AccountSync } from '../account-sync.js';
import type { EventBus } from '../event-bus.js';
import type { MessagesService } from '../messages.service.js';
import { backoffDelay } from '../../lib/backoff.js';
import { needsOwner, type CredentialSource, type MailCredentials } from '../credential-source.js';
import { outboxEventData, toOutboxItem, type OutboxPayload } from '../../domain/outbox.js';
import { providerStoresSentCopies } from './sent-copy-policy.js';
import type { SentFolder } from './sent-folder.js';

export interface OutboxWorkerDeps {
  outbox: OutboxRepository;
  blobs: BlobStore;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  credentials: CredentialSource;
  sentFolder: SentFolder;
  config: OutboxConfig;
  /** the database is used by this process alone (SQLite): every `sending` item at start-up is orphaned */
  singleProcess: boolean;
  /** a message went out: the sync engine looks for its Sent copy now */
  sync: Pick<AccountSync, 'refreshAccount'>;
  /** a reply went out: its original is marked answered (here and on its server) */
  messages: Pick<MessagesService, 'markAnswered'>;
  /**
   * Called once each step a crash must not undo is done (the SMTP server took the message, the
   * Sent copy is filed). The crash test's worker (server/test/support/outbox-crash-worker.ts)
   * stops its process here.
   */
  checkpoint?: (point: OutboxCheckpoint) => void;
  send?: typeof sendRaw;
  random?: () => number;
}

export const outboxCheckpoints = ['after-smtp-accept', 'after-sent-copy'] as const;
export type OutboxCheckpoint = (typeof outboxCheckpoints)[number];

/** Outbox timings (read in config.ts; tests shorten them). */
export interface OutboxConfig {
  /** first retry delay after a temporary failure; doubles per attempt (with jitter) */
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  /** how often a worker looks for due items it was not woken for (other processes enqueue too) */
  pollIntervalMs: number;
  /** an item in `sending` for longer than this belongs to a dead worker and gets resolved */
  sendingLeaseMs: number;
}

/** How many claimed items one worker sends at the same time. */
const batchSize = 4;

export const mayHaveBeenSentMessage =
  'Mailyard stopped while sending this message and cannot tell whether it went out. Check with the recipients or in the Sent folder, and send it again only if it did not arrive.';

const smtpEndpoint = (c: SendContext): SmtpEndpoint => ({ host: c.smtpHost, port: c.smtpPort, security: c.smtpSecurity, tlsFingerprint: c.tlsFingerprint });
const imapEndpoint = (c: SendContext): ImapEndpoint => ({ host: c.imapHost, port: c.imapPort, security: c.imapSecurity, tlsFingerprint: c.tlsFingerprint });

export class OutboxWorker {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private again = false;
  private startedAt = 0;
  /** items this worker is sending right now: recovery must leave them alone */
  private readonly inFlight = new Set<string>();
  private readonly send: typeof sendRaw;

  constructor(private readonly deps: OutboxWorkerDeps) {
    this.send = deps.send ?? sendRaw;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.deps.clock.now();
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
  }

  /** Run a round now (something was queued, or a timer fired). */
  wake(): void {
    if (!this.running) return;
    if (this.current) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.current = this.runOnce()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'outbox round failed'))
      .finally(() => {
        this.current = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          void this.scheduleNext();
        }
      });
  }

  private async scheduleNext(): Promise<void> {
    if (!this.running) return;
    const now = this.deps.clock.now();
    const due = await this.deps.outbox.nextDueAt().catch(() => undefined);
    const delay = Math.max(0, Math.min(this.deps.config.pollIntervalMs, due === undefined ? Infinity : due - now));
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref();
  }

  /** One round: settle orphaned sends, then send everything due. Exposed for tests. */
  async runOnce(): Promise<void> {
    await this.recoverInterrupted();
    for (;;) {
      const claimed = await this.deps.outbox.claimDue(this.deps.clock.now(), batchSize);
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((row) => this.deliver(row)));
    }
  }

  /** Items left in `sending` by a process that died mid-send. */
  async recoverInterrupted(): Promise<void> {
    const now = this.deps.clock.now();
    // With SQLite no other process shares the database, so at start-up nothing can still be
    // sending; elsewhere the lease tells a dead worker's items from a slow live one's.
    const claimedBefore = this.deps.singleProcess ? Math.max(this.startedAt, now - this.deps.config.sendingLeaseMs) : now - this.deps.config.sendingLeaseMs;
    const stale = (await this.deps.outbox.listStaleSending(claimedBefore)).filter((row) => !this.inFlight.has(row.id));
    for (const row of stale) await this.settleInterrupted(row);
  }

  private async settleInterrupted(row: OutboxRow): Promise<void> {
    const log = this.deps.logger.child({ outboxId: row.id, accountId: row.account_id });
    const context = await this.deps.outbox.findSendContext(row.account_id);
    let found = false;
    if (context) {
      try {
        const credentials = await this.deps.credentials(context);
        found = await this.deps.sentFolder.contains(imapEndpoint(context), credentials, row.message_id);
      } catch (error) {
        if (!needsOwner(error)) {
          // The IMAP server may be down for a moment: ask again in the next recovery round.
          log.warn({ err: error }, 'could not look for an interrupted message in the Sent folder; will retry');
          await this.deps.outbox.touch(row.id, this.deps.clock.now());
          return;
        }
      }
    }
    log.info({ found }, 'settled a message interrupted while sending');
    await this.settle(
      row,
      found
        ? { status: 'sent', errorCode: null, errorMessage: null }
        : { status: 'uncertain', errorCode: 'may_have_been_sent', errorMessage: mayHaveBeenSentMessage },
    );
  }

  private async deliver(row: OutboxRow): Promise<void> {
    this.inFlight.add(row.id);
    const claimed = toOutboxItem(row);
    this.deps.events.publish({ type: 'outbox.updated', accountId: claimed.accountId, data: outboxEventData(claimed, row.user_id) });
    try {
      await this.deliverClaimed(row);
    } finally {
      this.inFlight.delete(row.id);
    }
  }

  private async deliverClaimed(row: OutboxRow): Promise<void> {
    const log = this.deps.logger.child({ outboxId: row.id, accountId: row.account_id });
    const payload = JSON.parse(row.payload) as OutboxPayload;
    const context = await this.deps.outbox.findSendContext(row.account_id);
    if (!context) {
      return this.fail(row, { code: 'account_unavailable', permanent: true, message: 'The mailbox this message was to be sent through no longer exists.' });
    }
    if (context.allowSend !== 1 || context.sendEnabled !== 1 || context.enabled !== 1) {
      return this.fail(row, { code: 'send_disabled', permanent: true, message: 'Sending through this mailbox was turned off before the message went out.' });
    }
    let credentials: MailCredentials;
    try {
      credentials = await this.deps.credentials(context);
    } catch (error) {
      // Only "enter the password / sign in again" is final; an OAuth provider that is away for a
      // moment (or any other surprise) must not fail the queued message for good.
      if (needsOwner(error)) return this.fail(row, { code: 'credentials_unavailable', permanent: true, message: error.message });
      log.warn({ err: error }, 'could not get the login of this mailbox; will retry');
      return this.fail(row, {
        code: 'credentials_unavailable',
        permanent: false,
        message: 'The login of this mailbox could not be obtained just now (the sign-in provider did not answer).',
      });
    }

    try {
      const raw = await this.readBlob(payload.rawSha256);
      const accepted = await this.send(smtpEndpoint(context), credentials, { from: context.email, to: payload.recipients, raw });
      if (accepted.rejected.length > 0) payload.rejectedRecipients = accepted.rejected;
    } catch (error) {
      const failure = translateSmtpError(error);
      log.info({ code: failure.code, permanent: failure.permanent, attempt: row.attempts }, 'sending failed');
      return this.fail(row, failure);
    }
    this.deps.checkpoint?.('after-smtp-accept');

    let note: { code: ErrorCode; message: string } | null = null;
    if (payload.rejectedRecipients?.length) {
      note = { code: 'recipient_rejected', message: `Sent, but the mail server refused ${payload.rejectedRecipients.join(', ')}.` };
    }
    if (!providerStoresSentCopies(context.smtpHost)) {
      try {
        const sentCopy = await this.readBlob(payload.sentCopySha256);
        const folder = await this.deps.sentFolder.append(imapEndpoint(context), credentials, sentCopy, new Date(row.created_at));
        if (!folder) note ??= { code: 'sent_copy_failed', message: 'Sent, but this mailbox has no Sent folder for a copy.' };
      } catch (error) {
        log.warn({ err: error }, 'could not append the copy to the Sent folder');
        note ??= { code: 'sent_copy_failed', message: 'Sent, but the copy could not be saved in the Sent folder.' };
      }
    }
    this.deps.checkpoint?.('after-sent-copy');

    await this.settle(row, { status: 'sent', errorCode: note?.code ?? null, errorMessage: note?.message ?? null, payload: JSON.stringify(payload) });
    log.info('message sent');
    this.deps.sync.refreshAccount(row.account_id).catch(() => undefined);
  }

  private async fail(row: OutboxRow, failure: SendFailure): Promise<void> {
    if (!failure.permanent && row.attempts < this.deps.config.maxAttempts) {
      const policy = { baseMs: this.deps.config.retryBaseMs, maxMs: this.deps.config.retryMaxMs, jitter: 'spread' } as const;
      const delay = backoffDelay(row.attempts, policy, this.deps.random);
      await this.settle(row, { status: 'queued', errorCode: failure.code, errorMessage: failure.message, nextAttemptAt: this.deps.clock.now() + delay });
      return;
    }
    const message = failure.permanent ? failure.message : `${failure.message} Gave up after ${row.attempts} attempts.`;
    await this.settle(row, { status: 'failed', errorCode: failure.code, errorMessage: message });
  }

  private async settle(
    row: OutboxRow,
    outcome: { status: 'queued' | 'sent' | 'failed' | 'uncertain'; errorCode: string | null; errorMessage: string | null; nextAttemptAt?: number; payload?: string },
  ): Promise<void> {
    const changed = await this.deps.outbox.settle(row.id, { ...outcome, now: this.deps.clock.now() });
    if (!changed) return;
    const updated = await this.deps.outbox.findById(row.id);
    if (!updated) return;
    const item = toOutboxItem(updated);
    this.deps.events.publish({ type: 'outbox.updated', accountId: item.accountId, data: outboxEventData(item, updated.user_id) });
    const { inReplyTo } = JSON.parse(updated.payload) as OutboxPayload;
    if (item.status === 'sent' && inReplyTo) {
      await this.deps.messages.markAnswered(inReplyTo).catch((error: unknown) =>
        this.deps.logger.warn({ err: error, outboxId: item.id }, 'could not mark the original of a reply as answered'),
      );
    }
  }

  private async readBlob(sha256: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.deps.blobs.open(sha256)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
