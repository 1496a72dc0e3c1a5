// Messages in domain terms: their API shapes, what the MIME parser makes of a source, what the
// sync engine hands the message store, where a message lives on its IMAP server, and the changes
// the panel queues for that server. No storage columns: db/message-store/ owns those (see
// docs/product.md "API contract" for the contract).
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, literals } from './schema.js';

export const MailAddressSchema = Type.Object({ name: Type.String(), address: Type.String() });
export type MailAddress = Static<typeof MailAddressSchema>;

export const messageDirections = ['incoming', 'outgoing'] as const;
export type MessageDirection = (typeof messageDirections)[number];
export const MessageDirectionSchema = literals(messageDirections);

export const messageListItemFields = {
  id: Type.String(),
  accountId: Type.String(),
  folder: Type.String(),
  threadId: Type.String(),
  subject: Type.String(),
  from: Type.Array(MailAddressSchema),
  to: Type.Array(MailAddressSchema),
  cc: Type.Array(MailAddressSchema),
  date: Type.String({ format: 'date-time' }),
  snippet: Type.String(),
  seen: Type.Boolean(),
  flagged: Type.Boolean(),
  answered: Type.Boolean({ description: 'a reply has been sent (IMAP \\Answered)' }),
  hasAttachments: Type.Boolean(),
  direction: MessageDirectionSchema,
};

/** An item of `GET /api/v1/messages` and the `data` of `message.*` events. */
export const MessageListItemSchema = Type.Object(messageListItemFields, { $id: 'MessageListItem' });
export type MessageListItem = Static<typeof MessageListItemSchema>;

export const MessageAttachmentSchema = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  contentId: Nullable(Type.String()),
  inline: Type.Boolean(),
});
export type MessageAttachment = Static<typeof MessageAttachmentSchema>;

/** `GET /api/v1/messages/{id}`: the list item and the message's content. */
export const MessageDetailSchema = Type.Object(
  {
    ...messageListItemFields,
    bcc: Type.Array(MailAddressSchema),
    messageId: Nullable(Type.String()),
    inReplyTo: Nullable(Type.String()),
    references: Type.Array(Type.String()),
    text: Nullable(Type.String()),
    html: Nullable(Type.String(), { description: 'sanitised at sync time; remote sources are in data-remote-src' }),
    headers: Type.Unknown({ description: 'the message headers as stored by the sync engine' }),
    attachments: Type.Array(MessageAttachmentSchema),
    parseError: Nullable(Type.String(), {
      description: 'set when the message could not be parsed and only its raw source is available',
    }),
  },
  { $id: 'MessageDetail' },
);
export type MessageDetail = Static<typeof MessageDetailSchema>;

/** `GET /api/v1/messages/unread-count`: unread incoming messages per readable account. */
export const UnreadCountSchema = Type.Object({
  total: Type.Integer(),
  items: Type.Array(Type.Object({ accountId: Type.String(), unread: Type.Integer() })),
});
export type UnreadCount = Static<typeof UnreadCountSchema>;

/** A stored message as the services see it: its list item, and how far its download got. */
export interface StoredMessage extends MessageListItem {
  /** where the server has it; a move the server has not made yet shows a placeholder (uidValidity 0) */
  location: ServerLocation;
  /** sha256 of the raw source in the blob store; '' while `sourcePending` */
  rawSha256: string;
  size: number;
  /** listed from its headers; the source is not downloaded yet */
  sourcePending: boolean;
  /** the source is stored but its body not parsed yet */
  contentPending: boolean;
}

/** What a reply or a forward takes from its original. */
export interface OriginalMessage {
  id: string;
  accountId: string;
  /** the Message-ID header */
  messageId: string | null;
  references: string[];
}

/** An attachment with the blob its bytes are in. */
export interface StoredAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  disposition: string;
  blobSha256: string;
}

export interface MessageFlags {
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
}

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  disposition: string;
  blobSha256: string;
  position: number;
}

/** What the MIME parser (mail/mime/parse.ts) makes of a source, or of its header block alone. */
export interface ParsedMessage {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  from: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  /** epoch ms of the Date header, null when missing or invalid */
  date: number | null;
  text: string | null;
  /** sanitised for display (mail/mime/sanitize.ts) */
  html: string | null;
  snippet: string;
  headers: { name: string; value: string }[];
  attachments: ParsedAttachment[];
}

/** A raw source in the blob store. */
export interface SourceBlob {
  sha256: string;
  size: number;
}

/** A message the sync engine fetched, for the message store to keep. */
export interface IncomingMessage {
  uid: number;
  flags: MessageFlags;
  modseq: string | null;
  /** INTERNALDATE (epoch ms): the date when the Date header is missing */
  internalDate: number | null;
  /** the size the server reported */
  size: number;
  /** the whole message parsed, or (listed from its header block, or stored raw) its headers */
  parsed: ParsedMessage;
  /** its raw source; null: listed from its header block, the source is downloaded later */
  source: SourceBlob | null;
  /** false: the body is parsed from the stored source later (services/message-content.ts) */
  bodyParsed: boolean;
  parseError: string | null;
}

/** The source of a message listed from its headers, downloaded later. */
export interface DownloadedSource {
  uid: number;
  source: SourceBlob;
  /** its parsed body; null: stored raw, parsed later */
  parsed: ParsedMessage | null;
  parseError: string | null;
}

/** The body of a stored message, parsed from its stored source. */
export interface ParsedContent {
  id: string;
  parsed: ParsedMessage;
  parseError: string | null;
}

export interface FlagUpdate {
  uid: number;
  flags: MessageFlags;
  modseq: string | null;
}

/** Where a message lives on the IMAP server: (folder, UIDVALIDITY, UID). */
export interface ServerLocation {
  folderId: string;
  uidValidity: number;
  uid: number;
}

/**
 * `pending_changes.payload` by kind. The panel may change or delete the local row right away;
 * `from` records where the message was on the server when the change was made, so the engine
 * never has to guess it from a row that already moved.
 */
export interface PendingFlagsPayload {
  seen?: boolean;
  flagged?: boolean;
  answered?: boolean;
  from?: ServerLocation;
}
export interface PendingMovePayload {
  toFolderId: string;
  from?: ServerLocation;
}
export interface PendingDeletePayload {
  from?: ServerLocation;
  /**
   * Who the message is (Message-ID and size), since its row is gone: after a UIDVALIDITY change
   * the deletion follows the message to its new UID (sync/folder-sync.ts).
   */
  identity?: MessageIdentity;
}

/** How a message is recognised under another UID: its Message-ID header and its size. */
export interface MessageIdentity {
  messageId: string | null;
  size: number;
}

/** The flag fields a queued flags change sets (each is the user's until it reaches the server). */
export const changeableFlags = ['seen', 'flagged', 'answered'] as const;
export type ChangeableFlag = (typeof changeableFlags)[number];

/** A change queued by the panel for the sync engine to carry to the server. */
export type PendingChange = { id: number; accountId: string; messageId: string; attempts: number } & (
  | { kind: 'flags'; payload: PendingFlagsPayload }
  | { kind: 'move'; payload: PendingMovePayload }
  | { kind: 'delete'; payload: PendingDeletePayload }
);

/**
 * A message is outgoing when it sits in Sent or Drafts, or when the account's own address sent
 * it; everything else is incoming.
 */
export function directionOf(
  folder: { specialUse: string | null },
  accountEmail: string,
  from: readonly MailAddress[],
): MessageDirection {
  if (folder.specialUse === '\\Sent' || folder.specialUse === '\\Drafts') return 'outgoing';
  const own = accountEmail.toLowerCase();
  return from.some((a) => a.address.toLowerCase() === own) ? 'outgoing' : 'incoming';
}
