// The messages API (docs/product.md "API contract") as the Email tab uses it.
import { API_BASE, api, call, seg } from '../../shared/api.js';
import type { BodyOf, ItemOf, QueryOf, ResponseOf, Schemas } from '../../shared/api-types.js';

export type MessageItem = Schemas['MessageListItem'];
export type MessageDetail = Schemas['MessageDetail'];
export type MailAddress = MessageItem['from'][number];
export type MessageAttachment = MessageDetail['attachments'][number];
export type Direction = MessageItem['direction'];

export type MessageFilters = Pick<QueryOf<'/api/v1/messages', 'get'>, 'accountId' | 'folder' | 'q' | 'unread' | 'direction'>;
export type MailboxAccount = Schemas['Account'];
export type MailboxFolder = Omit<ItemOf<'/api/v1/folders', 'get'>, 'accountId'>;
export type UnreadCount = ResponseOf<'/api/v1/messages/unread-count', 'get'>;

export const pageSize = 50;

function listQuery(filters: MessageFilters, cursor: string | null): QueryOf<'/api/v1/messages', 'get'> {
  return {
    limit: pageSize,
    ...(filters.accountId && { accountId: filters.accountId }),
    ...(filters.folder && { folder: filters.folder }),
    ...(filters.q?.trim() && { q: filters.q.trim() }),
    ...(filters.unread && { unread: true }),
    ...(filters.direction && { direction: filters.direction }),
    ...(cursor && { cursor }),
  };
}

const path = (id: string) => ({ params: { path: { id } } });

export const inboxApi = {
  accounts: (signal?: AbortSignal) => call(api.GET('/api/v1/accounts', { signal })),
  /** The folders of every readable mailbox in one request (the panel may show hundreds of mailboxes). */
  folders: () => call(api.GET('/api/v1/folders')),
  list: (filters: MessageFilters, cursor: string | null, signal?: AbortSignal) =>
    call(api.GET('/api/v1/messages', { params: { query: listQuery(filters, cursor) }, signal })),
  get: (id: string) => call(api.GET('/api/v1/messages/{id}', path(id))),
  thread: (threadId: string) => call(api.GET('/api/v1/threads/{id}', path(threadId))),
  unreadCount: () => call(api.GET('/api/v1/messages/unread-count')),
  update: (id: string, body: BodyOf<'/api/v1/messages/{id}', 'patch'>) =>
    call(api.PATCH('/api/v1/messages/{id}', { ...path(id), body })),
  remove: (id: string) => call(api.DELETE('/api/v1/messages/{id}', path(id))),
};

/** Same-origin URLs the browser fetches with the session cookie (downloads, inline parts). */
export const attachmentUrl = (messageId: string, attachmentId: string) =>
  `${API_BASE}/messages/${seg(messageId)}/attachments/${seg(attachmentId)}`;
export const rawUrl = (messageId: string) => `${API_BASE}/messages/${seg(messageId)}/raw`;
export const eventsUrl = `${API_BASE}/events`;
