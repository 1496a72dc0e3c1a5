// Server events: what happened, typed by one map from event type to payload. The message store
// (db/message-store), the sync engine, the accounts service and the outbox publish them on the
// EventBus (services/event-bus.ts); scale/event-bridge.ts carries them between processes; the
// live stream (http/routes/events.routes.ts) sends each to the browsers that may read its
// account, as a ClientEvent. Events report; they never ask for work: commands to the sync engine
// are method calls (services/account-sync.ts).
import type { AccountStatus } from './account.js';
import type { MessageListItem } from './message.js';
import type { OutboxEventData } from './outbox.js';

/**
 * A message removed: what the panel removed itself (`id`, `folder`, `threadId`), or the whole
 * list item when the sync engine removes one it had stored.
 */
export type DeletedMessage = Pick<MessageListItem, 'id' | 'accountId' | 'folder' | 'threadId'> & Partial<MessageListItem>;

export interface EventMap {
  /** a message stored for the first time, in its list shape */
  'message.created': MessageListItem;
  /** flags, folder or body changed */
  'message.updated': MessageListItem;
  'message.deleted': DeletedMessage;
  /** the `status` of the account API shape */
  'account.status': AccountStatus;
  /** the outbox item's contract fields and the user whose item it is (only they receive it) */
  'outbox.updated': OutboxEventData;
}

export type EventType = keyof EventMap;

export const eventTypes = [
  'message.created',
  'message.updated',
  'message.deleted',
  'account.status',
  'outbox.updated',
] as const satisfies readonly EventType[];

/** One server event: its type, the account it belongs to, and its payload. */
export type ServerEvent<T extends EventType = EventType> = {
  [K in T]: { type: K; accountId: string; data: EventMap[K] };
}[T];

export type MessageEventType = Extract<EventType, `message.${string}`>;

/**
 * What a browser receives on `GET /api/v1/events`: `event: <type>` and `data: <JSON>`, the
 * payload with its `accountId`.
 */
export interface ClientEvent<T extends EventType = EventType> {
  event: T;
  data: EventMap[T] & { accountId: string };
}

export const toClientEvent = (event: ServerEvent): ClientEvent => ({
  event: event.type,
  data: { ...event.data, accountId: event.accountId },
});
