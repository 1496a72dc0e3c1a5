// A message's columns and its domain shapes, both ways: the only code that knows that addresses,
// references and headers are JSON text, that flags are 0/1, where a parsed body goes, and how a
// row reads back as a list item, a detail or a StoredMessage.
import type { Insertable } from 'kysely';
import type { AttachmentsTable, MessageRow } from '../schema.js';
import type {
  MailAddress,
  MessageAttachment,
  MessageDetail,
  MessageFlags,
  MessageListItem,
  MessageDirection,
  MessageIdentity,
  OriginalMessage,
  ParsedMessage,
  ServerLocation,
  StoredAttachment,
  StoredMessage,
} from '../../domain/message.js';
import type { ThreadHeaders } from '../../domain/threading.js';

export type NewAttachment = Omit<Insertable<AttachmentsTable>, 'id' | 'message_id'>;

/** The columns toListItem reads; a full `messages` row satisfies it. */
export interface ListColumns {
  id: string;
  account_id: string;
  thread_id: string;
  subject: string;
  from_json: string;
  to_json: string;
  cc_json: string;
  date: number;
  snippet: string;
  seen: number;
  flagged: number;
  answered: number;
  has_attachments: number;
  direction: MessageDirection;
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}

/** Addresses are stored as JSON arrays of {name, address}; anything else reads as no address. */
export function parseAddressList(json: string): MailAddress[] {
  const value = parseJson(json);
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { name, address } = entry as { name?: unknown; address?: unknown };
    return [{ name: typeof name === 'string' ? name : '', address: typeof address === 'string' ? address : '' }];
  });
}

/** References are stored as a JSON array of message ids. */
export function parseIdList(json: string): string[] {
  const value = parseJson(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function toListItem(row: ListColumns, folderPath: string): MessageListItem {
  return {
    id: row.id,
    accountId: row.account_id,
    folder: folderPath,
    threadId: row.thread_id,
    subject: row.subject,
    from: parseAddressList(row.from_json),
    to: parseAddressList(row.to_json),
    cc: parseAddressList(row.cc_json),
    date: new Date(Number(row.date)).toISOString(),
    snippet: row.snippet,
    seen: row.seen === 1,
    flagged: row.flagged === 1,
    answered: row.answered === 1,
    hasAttachments: row.has_attachments === 1,
    direction: row.direction,
  };
}

export const serverLocationOf = (row: { folder_id: string; uid_validity: number; uid: number }): ServerLocation => ({
  folderId: row.folder_id,
  uidValidity: Number(row.uid_validity),
  uid: Number(row.uid),
});

/** How the message is recognised under another UID (after a UIDVALIDITY change, a move). */
export const identityOf = (row: { message_id: string | null; size: number }): MessageIdentity => ({
  messageId: row.message_id,
  size: Number(row.size),
});

export const toStoredMessage = (row: MessageRow, folderPath: string): StoredMessage => ({
  ...toListItem(row, folderPath),
  location: serverLocationOf(row),
  rawSha256: row.raw_sha256,
  size: Number(row.size),
  sourcePending: row.source_pending === 1,
  contentPending: row.content_pending === 1,
});

export const toOriginal = (row: Pick<MessageRow, 'id' | 'account_id' | 'message_id' | 'references'>): OriginalMessage => ({
  id: row.id,
  accountId: row.account_id,
  messageId: row.message_id,
  references: parseIdList(row.references),
});

type AttachmentRow = Omit<AttachmentsTable, 'message_id' | 'position'>;

export const toAttachment = (row: AttachmentRow): MessageAttachment => ({
  id: row.id,
  filename: row.filename,
  contentType: row.content_type,
  size: Number(row.size),
  contentId: row.content_id,
  inline: row.disposition === 'inline',
});

export const toStoredAttachment = (row: AttachmentRow): StoredAttachment => ({
  id: row.id,
  filename: row.filename,
  contentType: row.content_type,
  size: Number(row.size),
  contentId: row.content_id,
  disposition: row.disposition,
  blobSha256: row.blob_sha256,
});

export function toDetail(row: MessageRow, folderPath: string, attachments: readonly AttachmentRow[]): MessageDetail {
  return {
    ...toListItem(row, folderPath),
    bcc: parseAddressList(row.bcc_json),
    messageId: row.message_id,
    inReplyTo: row.in_reply_to,
    references: parseIdList(row.references),
    text: row.text,
    html: row.html,
    headers: parseJson(row.headers_json),
    attachments: attachments.map(toAttachment),
    parseError: row.parse_error,
  };
}

const bit = (value: boolean): number => (value ? 1 : 0);

export const flagColumns = (flags: MessageFlags) => ({
  seen: bit(flags.seen),
  flagged: bit(flags.flagged),
  answered: bit(flags.answered),
  draft: bit(flags.draft),
});

/** The flags of a row: flagColumns the other way round. */
export const flagsOfRow = (row: { seen: number; flagged: number; answered: number; draft: number }): MessageFlags => ({
  seen: row.seen === 1,
  flagged: row.flagged === 1,
  answered: row.answered === 1,
  draft: row.draft === 1,
});

/** The columns of a message's headers (what a listing from the header block already knows). */
export const headerColumns = (parsed: ParsedMessage) => ({
  message_id: parsed.messageId,
  in_reply_to: parsed.inReplyTo,
  references: JSON.stringify(parsed.references),
  subject: parsed.subject,
  from_json: JSON.stringify(parsed.from),
  to_json: JSON.stringify(parsed.to),
  cc_json: JSON.stringify(parsed.cc),
  bcc_json: JSON.stringify(parsed.bcc),
  headers_json: JSON.stringify(parsed.headers),
});

/** The columns a parsed body fills in. */
export type ContentColumns = Pick<MessageRow, 'text' | 'html' | 'snippet' | 'has_attachments' | 'parse_error'>;

export const contentColumns = (parsed: ParsedMessage, parseError: string | null): ContentColumns => ({
  text: parsed.text,
  html: parsed.html,
  snippet: parsed.snippet,
  has_attachments: parsed.attachments.some((a) => a.disposition === 'attachment') ? 1 : 0,
  parse_error: parseError,
});

export const attachmentColumns = (parsed: ParsedMessage): NewAttachment[] =>
  parsed.attachments.map((a) => ({
    filename: a.filename,
    content_type: a.contentType,
    size: a.size,
    content_id: a.contentId,
    disposition: a.disposition,
    blob_sha256: a.blobSha256,
    position: a.position,
  }));

export const threadHeadersOf = (parsed: ParsedMessage): ThreadHeaders => ({
  messageId: parsed.messageId,
  inReplyTo: parsed.inReplyTo,
  references: parsed.references,
  subject: parsed.subject,
});
