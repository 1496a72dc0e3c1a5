// Sending, the request side: check who may send through which mailbox, validate recipients,
// build the message once (Message-ID and Date fixed now), store it and queue it. The worker
// (outbox-worker.ts) does the sending. An Idempotency-Key makes a retried request return the
// item the first one created instead of queueing the message twice.
import addressparser from 'nodemailer/lib/addressparser';
import { decodeCursor, encodeCursor } from '../../domain/cursor.js';
import { AppError, notFound, validationFailed } from '../../domain/errors.js';
import type { Actor } from '../../domain/user.js';
import type { OutboxRepository } from '../../db/repositories/outbox.repository.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { BlobStore } from '../../lib/blob-store.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { EventBus } from '../event-bus.js';
import type { MessagesService } from '../messages.service.js';
import type { MessageStore } from '../../db/message-store/message-store.js';
import type { OutboxWorker } from './outbox-worker.js';
import { buildMessage, type ComposeAttachment } from './mime-builder.js';
import { outboxEventData, toOutboxItem, type Mailbox, type OutboxItem, type OutboxPayload } from '../../domain/outbox.js';

export type RecipientInput = string | { name?: string; address: string };

export interface ComposeRequest {
  accountId: string;
  to?: RecipientInput[];
  cc?: RecipientInput[];
  bcc?: RecipientInput[];
  subject?: string;
  text?: string;
  html?: string;
  /** Mailyard id of the message this replies to */
  inReplyTo?: string;
  /** Mailyard id of the message this forwards (its attachments go along) */
  forwardOf?: string;
  attachments?: { filename: string; contentType: string; contentBase64: string }[];
  /** append the account's signature (default true; the compose UI shows it under the body) */
  signature?: boolean;
}

/** The checks AccountAccess offers (services/account-access.ts). */
export interface SendAccess {
  assertCan(caller: { id: string }, accountId: string, permission: 'read' | 'send'): Promise<unknown>;
}

export const maxRecipients = 500;
/** decoded attachment bytes per message; the route's body limit leaves room for base64 */
export const maxAttachmentBytes = 25 * 1024 * 1024;

// Deliberately plain: one @, no spaces or brackets, a dot in the domain. The SMTP server has the
// final word; this catches typing mistakes before the message is queued.
const addressPattern = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\].]{2,}$/u;
const base64Pattern = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

function parseRecipients(field: string, list: RecipientInput[] | undefined, errors: Record<string, string>): Mailbox[] {
  const result: Mailbox[] = [];
  (list ?? []).forEach((entry, index) => {
    const parsed =
      typeof entry === 'string'
        ? addressparser(entry, { flatten: true }).map((m) => ({ name: m.name, address: m.address }))
        : [{ name: entry.name ?? '', address: entry.address.trim() }];
    const bad = parsed.find((m) => !addressPattern.test(m.address));
    if (parsed.length === 0 || bad) {
      errors[`${field}.${index}`] = `"${bad?.address || (typeof entry === 'string' ? entry : entry.address)}" is not a valid email address`;
      return;
    }
    result.push(...parsed);
  });
  return result;
}

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1);

export interface OutboxServiceDeps {
  outbox: OutboxRepository;
  access: SendAccess;
  /** the originals of replies and forwards, and the forwarded attachments */
  store: Pick<MessageStore, 'original' | 'attachments'>;
  /**
   * fetches or parses a message the sync has listed but not yet downloaded, so a forward
   * carries its attachments
   */
  messages: Pick<MessagesService, 'completeById'>;
  /** woken at once when something is queued; workers of other processes find it on their next poll */
  worker: Pick<OutboxWorker, 'wake'>;
  blobs: BlobStore;
  events: EventBus;
  clock: Clock;
}

export class OutboxService {
  constructor(private readonly deps: OutboxServiceDeps) {}

  async enqueue(actor: Actor, request: ComposeRequest, idempotencyKey?: string): Promise<OutboxItem> {
    if (idempotencyKey !== undefined) {
      if (!/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
        throw validationFailed({ 'Idempotency-Key': 'use 1 to 200 printable characters without spaces' });
      }
      const first = await this.deps.outbox.findByIdempotencyKey(actor.id, idempotencyKey);
      if (first) return toOutboxItem(first);
    }

    await this.deps.access.assertCan(actor, request.accountId, 'send');
    const account = await this.deps.outbox.findSendContext(request.accountId);
    if (!account) throw notFound('Email account');
    if (account.allowSend !== 1) throw new AppError('send_disabled', `The administrator does not allow sending through ${account.providerName}`);
    if (account.sendEnabled !== 1) throw new AppError('send_disabled', 'Sending is turned off for this mailbox (mailbox settings → send through this mailbox)');
    if (account.enabled !== 1 || account.secret === null) throw new AppError('send_disabled', 'This mailbox is disabled or not connected');

    const errors: Record<string, string> = {};
    const to = parseRecipients('to', request.to, errors);
    const cc = parseRecipients('cc', request.cc, errors);
    const bcc = parseRecipients('bcc', request.bcc, errors);
    if (Object.keys(errors).length === 0 && to.length + cc.length + bcc.length === 0) errors.to = 'add at least one recipient';
    const recipients = [...new Set([...to, ...cc, ...bcc].map((m) => m.address.toLowerCase()))];
    if (recipients.length > maxRecipients) errors.to = `at most ${maxRecipients} recipients per message`;

    const uploads: ComposeAttachment[] = [];
    (request.attachments ?? []).forEach((a, index) => {
      if (!base64Pattern.test(a.contentBase64)) errors[`attachments.${index}.contentBase64`] = 'is not valid base64';
      else uploads.push({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64') });
    });

    const reply = request.inReplyTo ? await this.original(actor, request.inReplyTo, 'inReplyTo', errors) : undefined;
    const forward = request.forwardOf ? await this.original(actor, request.forwardOf, 'forwardOf', errors) : undefined;
    if (Object.keys(errors).length > 0) throw validationFailed(errors);

    // The forwarded files' sizes come from their stored metadata, so an oversized forward is
    // refused before any of them is read into memory.
    if (forward) await this.deps.messages.completeById(forward.id);
    const forwardedFiles = forward ? await this.deps.store.attachments(forward.id) : [];
    const totalBytes = forwardedFiles.reduce((sum, a) => sum + a.size, 0) + uploads.reduce((sum, a) => sum + a.content.length, 0);
    if (totalBytes > maxAttachmentBytes) {
      throw new AppError('payload_too_large', `Attachments may add up to ${maxAttachmentBytes / 1024 / 1024} MB per message`);
    }
    const forwarded: ComposeAttachment[] = [];
    for (const a of forwardedFiles) {
      forwarded.push({
        filename: a.filename,
        contentType: a.contentType,
        content: await this.readBlob(a.blobSha256),
        contentId: a.contentId,
        disposition: a.disposition,
      });
    }
    const attachments = [...forwarded, ...uploads];

    // Replies and forwards join the original's thread in every client: References carries the
    // chain so far plus the original itself (RFC 5322 §3.6.4).
    const original = reply ?? forward;
    const references = original?.messageId ? [...original.references, original.messageId] : [];
    const now = this.deps.clock.now();
    const messageId = `<${newId()}@${domainOf(account.email)}>`;
    const built = await buildMessage({
      from: { name: account.displayName, address: account.email },
      to,
      cc,
      bcc,
      subject: request.subject ?? '',
      ...(request.text !== undefined && { text: request.text }),
      ...(request.html !== undefined && { html: request.html }),
      signatureHtml: request.signature === false ? null : account.signature,
      messageId,
      date: new Date(now),
      inReplyTo: reply?.messageId ?? null,
      references,
      attachments,
    });

    const raw = await this.deps.blobs.put(built.raw);
    const sentCopy = built.sentCopy === built.raw ? raw : await this.deps.blobs.put(built.sentCopy);
    const storedAttachments = [];
    for (const a of attachments) {
      const blob = await this.deps.blobs.put(a.content);
      storedAttachments.push({ filename: a.filename, contentType: a.contentType, size: blob.size, sha256: blob.sha256 });
    }
    const payload: OutboxPayload = {
      subject: request.subject ?? '',
      from: { name: account.displayName, address: account.email },
      to,
      cc,
      bcc,
      recipients,
      rawSha256: raw.sha256,
      sentCopySha256: sentCopy.sha256,
      inReplyTo: request.inReplyTo ?? null,
      forwardOf: request.forwardOf ?? null,
      attachments: storedAttachments,
    };
    const row = {
      id: newId(),
      account_id: account.accountId,
      user_id: actor.id,
      status: 'queued' as const,
      payload: JSON.stringify(payload),
      message_id: messageId,
      idempotency_key: idempotencyKey ?? null,
      attempts: 0,
      next_attempt_at: now,
      error_code: null,
      error_message: null,
      created_at: now,
      updated_at: now,
      sent_at: null,
    };
    try {
      await this.deps.outbox.insert(row);
    } catch (error) {
      // A concurrent request with the same key won the race: its item is the answer.
      if (idempotencyKey !== undefined && isUniqueViolation(error)) {
        const first = await this.deps.outbox.findByIdempotencyKey(actor.id, idempotencyKey);
        if (first) return toOutboxItem(first);
      }
      throw error;
    }
    const item = toOutboxItem(row);
    this.deps.events.publish({ type: 'outbox.updated', accountId: item.accountId, data: outboxEventData(item, row.user_id) });
    this.deps.worker.wake();
    return item;
  }

  async get(actor: Actor, id: string): Promise<OutboxItem> {
    const row = await this.deps.outbox.findForUser(actor.id, id);
    if (!row) throw notFound('Outbox item');
    return toOutboxItem(row);
  }

  async list(actor: Actor, query: { limit?: number; cursor?: string }): Promise<{ items: OutboxItem[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const position = query.cursor ? decodeCursor(query.cursor) : undefined;
    const before = position && { createdAt: position.at, id: position.id };
    const rows = await this.deps.outbox.listForUser(actor.id, limit + 1, before);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toOutboxItem),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: Number(last.created_at), id: last.id }) : null,
    };
  }

  /** "Send again" after a failure or a "may have been sent": same message, same Message-ID. */
  async retry(actor: Actor, id: string): Promise<OutboxItem> {
    const row = await this.deps.outbox.findForUser(actor.id, id);
    if (!row) throw notFound('Outbox item');
    await this.deps.access.assertCan(actor, row.account_id, 'send');
    if (!(await this.deps.outbox.requeue(actor.id, id, this.deps.clock.now()))) {
      throw new AppError('outbox_not_retryable', `Only a failed message or one that may have been sent can be sent again; this one is ${row.status}`);
    }
    const item = await this.get(actor, id);
    this.deps.events.publish({ type: 'outbox.updated', accountId: item.accountId, data: outboxEventData(item, row.user_id) });
    this.deps.worker.wake();
    return item;
  }

  /** The message replied to or forwarded, if the caller may read it; else a field error (no existence leak). */
  private async original(actor: Actor, id: string, field: string, errors: Record<string, string>) {
    const message = await this.deps.store.original(id);
    if (message) {
      try {
        await this.deps.access.assertCan(actor, message.accountId, 'read');
        return message;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
      }
    }
    errors[field] = 'no such message';
    return undefined;
  }

  private async readBlob(sha256: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.deps.blobs.open(sha256)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
