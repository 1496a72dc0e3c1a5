// The outbox item: its closed set of states, the payload stored with it, and its API shape.
import { Type, type Static } from '@sinclair/typebox';
import { literals } from './schema.js';

/**
 * queued → sending → sent | failed | queued (temporary failure, retried later);
 * sending → uncertain when Mailyard stopped mid-send and the Sent folder cannot settle it
 * (shown as "may have been sent"; never resent without the user asking).
 */
export const outboxStatuses = ['queued', 'sending', 'sent', 'failed', 'uncertain'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

export interface Mailbox {
  name: string;
  address: string;
}

/** What the outbox row's `payload` column holds (JSON). Message bytes live in the BlobStore. */
export interface OutboxPayload {
  subject: string;
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  /** SMTP envelope recipients: to + cc + bcc, de-duplicated */
  recipients: string[];
  /** the message as sent over SMTP (no Bcc header) */
  rawSha256: string;
  /** the copy for the Sent folder: same bytes plus the Bcc header, so the sender sees whom they blind-copied */
  sentCopySha256: string;
  inReplyTo: string | null;
  forwardOf: string | null;
  attachments: { filename: string; contentType: string; size: number; sha256: string }[];
  /** set when the server took the message but refused some recipients */
  rejectedRecipients?: string[];
}

const OutboxErrorSchema = Type.Object({ code: Type.String(), message: Type.String() });

/** The API shape (docs/product.md "API contract", sending), extended with what the compose UI and lists show. */
export const OutboxItemSchema = Type.Object(
  {
    id: Type.String(),
    accountId: Type.String(),
    status: literals(outboxStatuses, { description: '"uncertain": may have been sent' }),
    error: Type.Optional(OutboxErrorSchema),
    messageId: Type.Optional(Type.String()),
    subject: Type.String(),
    to: Type.Array(Type.String(), { description: 'the To addresses' }),
    cc: Type.Array(Type.String()),
    attempts: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    sentAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { $id: 'OutboxItem' },
);
export type OutboxItem = Static<typeof OutboxItemSchema>;

/** What toOutboxItem reads: an `outbox` row. */
export interface OutboxRecord {
  id: string;
  account_id: string;
  status: OutboxStatus;
  payload: string;
  message_id: string;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  sent_at: number | null;
}

export function toOutboxItem(row: OutboxRecord): OutboxItem {
  const payload = JSON.parse(row.payload) as OutboxPayload;
  return {
    id: row.id,
    accountId: row.account_id,
    status: row.status,
    ...(row.error_code && { error: { code: row.error_code, message: row.error_message ?? '' } }),
    // The Message-ID is ours from the start, but it only names a real message once sent.
    ...((row.status === 'sent' || row.status === 'uncertain') && { messageId: row.message_id }),
    subject: payload.subject,
    to: payload.to.map((m) => m.address),
    cc: payload.cc.map((m) => m.address),
    attempts: row.attempts,
    createdAt: new Date(row.created_at).toISOString(),
    ...(row.sent_at !== null && { sentAt: new Date(row.sent_at).toISOString() }),
  };
}

/**
 * The `outbox.updated` event's data: the contract's `{id,status,error?,messageId?}`, and the user
 * whose item it is. The outbox is per user (others who may read the mailbox do not see it), so
 * the live stream delivers the event to that user alone (http/routes/events.routes.ts).
 */
export const OutboxEventDataSchema = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  userId: Type.String(),
  status: literals(outboxStatuses),
  error: Type.Optional(OutboxErrorSchema),
  messageId: Type.Optional(Type.String()),
});
export type OutboxEventData = Static<typeof OutboxEventDataSchema>;

export function outboxEventData(item: OutboxItem, userId: string): OutboxEventData {
  return {
    id: item.id,
    accountId: item.accountId,
    userId,
    status: item.status,
    ...(item.error && { error: item.error }),
    ...(item.messageId && { messageId: item.messageId }),
  };
}
