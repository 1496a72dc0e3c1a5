// Messages in their API shape (PRODUCT.md "Messages"), and the pending-change payloads the
// panel writes for the sync engine to carry to the IMAP server.

export interface MailAddress {
  name: string;
  address: string;
}

export const messageDirections = ['incoming', 'outgoing'] as const;
export type MessageDirection = (typeof messageDirections)[number];

/** An item of `GET /api/v1/messages` and the `data` of `message.*` events. */
export interface MessageListItem {
  id: string;
  accountId: string;
  folder: string;
  threadId: string;
  subject: string;
  from: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  /** ISO 8601 */
  date: string;
  snippet: string;
  seen: boolean;
  flagged: boolean;
  /** a reply has been sent (IMAP \Answered) */
  answered: boolean;
  hasAttachments: boolean;
  direction: MessageDirection;
}

/** The columns toMessageListItem reads; a full `messages` row satisfies it. */
export interface MessageListRow {
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

/** Addresses are stored as JSON arrays of {name, address}; anything else reads as no address. */
export function parseAddressList(json: string): MailAddress[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { name, address } = entry as { name?: unknown; address?: unknown };
    return [
      { name: typeof name === 'string' ? name : '', address: typeof address === 'string' ? address : '' },
    ];
  });
}

export function toMessageListItem(row: MessageListRow, folderPath: string): MessageListItem {
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
}

export const serverLocationOf = (row: {
  folder_id: string;
  uid_validity: number;
  uid: number;
}): ServerLocation => ({
  folderId: row.folder_id,
  uidValidity: Number(row.uid_validity),
  uid: Number(row.uid),
});
