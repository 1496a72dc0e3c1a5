// The messages API (docs/product.md "API contract") as the Email tab uses it.
import { API_BASE, api, seg } from '../../shared/api.js';
import type { ListResponse } from '../../shared/types.js';

export interface MailAddress {
  name: string;
  address: string;
}

export type Direction = 'incoming' | 'outgoing';

/** An item of `GET /messages` and the data of `message.*` live events. */
export interface MessageItem {
  id: string;
  accountId: string;
  folder: string;
  threadId: string;
  subject: string;
  from: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  date: string;
  snippet: string;
  seen: boolean;
  flagged: boolean;
  /** a reply has been sent (IMAP \Answered) */
  answered: boolean;
  hasAttachments: boolean;
  direction: Direction;
}

export interface MessageAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
}

export interface MessageDetail extends MessageItem {
  bcc: MailAddress[];
  messageId: string | null;
  text: string | null;
  html: string | null;
  attachments: MessageAttachment[];
  parseError: string | null;
}

export interface MessageFilters {
  accountId?: string;
  folder?: string;
  q?: string;
  unread?: boolean;
  direction?: Direction;
}

export interface MailboxAccount {
  id: string;
  email: string;
  displayName: string;
  access: { read: boolean; send: boolean; manage: boolean };
}

export interface MailboxFolder {
  path: string;
  name: string;
  specialUse: string | null;
}

export interface UnreadCount {
  total: number;
  items: { accountId: string; unread: number }[];
}

export const pageSize = 50;

function listQuery(filters: MessageFilters, cursor: string | null): string {
  const query = new URLSearchParams({ limit: String(pageSize) });
  if (filters.accountId) query.set('accountId', filters.accountId);
  if (filters.folder) query.set('folder', filters.folder);
  if (filters.q?.trim()) query.set('q', filters.q.trim());
  if (filters.unread) query.set('unread', 'true');
  if (filters.direction) query.set('direction', filters.direction);
  if (cursor) query.set('cursor', cursor);
  return query.toString();
}

export const inboxApi = {
  accounts: (signal?: AbortSignal) => api.get<ListResponse<MailboxAccount>>('/accounts', signal ? { signal } : {}),
  /** The folders of every readable mailbox in one request (the panel may show hundreds of mailboxes). */
  folders: () => api.get<ListResponse<MailboxFolder & { accountId: string }>>('/folders'),
  list: (filters: MessageFilters, cursor: string | null, signal?: AbortSignal) =>
    api.get<{ items: MessageItem[]; nextCursor: string | null }>(`/messages?${listQuery(filters, cursor)}`, signal ? { signal } : {}),
  get: (id: string) => api.get<MessageDetail>(`/messages/${seg(id)}`),
  thread: (threadId: string) => api.get<{ items: MessageItem[] }>(`/threads/${seg(threadId)}`),
  unreadCount: () => api.get<UnreadCount>('/messages/unread-count'),
  update: (id: string, change: { seen?: boolean; flagged?: boolean; folder?: string }) =>
    api.patch<MessageItem>(`/messages/${seg(id)}`, change),
  remove: (id: string) => api.delete(`/messages/${seg(id)}`),
};

/** Same-origin URLs the browser fetches with the session cookie (downloads, inline parts). */
export const attachmentUrl = (messageId: string, attachmentId: string) =>
  `${API_BASE}/messages/${seg(messageId)}/attachments/${seg(attachmentId)}`;
export const rawUrl = (messageId: string) => `${API_BASE}/messages/${seg(messageId)}/raw`;
export const eventsUrl = `${API_BASE}/events`;
