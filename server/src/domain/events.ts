// Server events: what happened, typed by one map from event type to payload. The message store
// (db/message-store), the sync engine, the accounts service and the outbox publish them on the
// EventBus (services/event-bus.ts); scale/event-bridge.ts carries them between processes; the
// live stream (http/routes/events.routes.ts) sends each to the browsers that may read its
// account, as a ClientEvent. Events report; they never ask for work: commands to the sync engine
// are method calls (services/account-sync.ts).
import { Type, type Static } from '@sinclair/typebox';
import { AccountStatusSchema } from './account.js';
import { MessageListItemSchema, messageListItemFields } from './message.js';
import { OutboxEventDataSchema } from './outbox.js';
import { RefTo } from './schema.js';

const { id, accountId, folder, threadId, ...rest } = messageListItemFields;
/**
 * A message removed: what the panel removed itself (`id`, `folder`, `threadId`), or the whole
 * list item when the sync engine removes one it had stored.
 */
export const DeletedMessageSchema = Type.Composite([
  Type.Object({ id, accountId, folder, threadId }),
  Type.Partial(Type.Object(rest)),
]);
export type DeletedMessage = Static<typeof DeletedMessageSchema>;

/** Each event type's payload. */
export const eventPayloadSchemas = {
  /** a message stored for the first time, in its list shape */
  'message.created': RefTo(MessageListItemSchema),
  /** flags, folder or body changed */
  'message.updated': RefTo(MessageListItemSchema),
  'message.deleted': DeletedMessageSchema,
  /** the `status` of the account API shape */
  'account.status': AccountStatusSchema,
  /** the outbox item's contract fields and the user whose item it is (only they receive it) */
  'outbox.updated': OutboxEventDataSchema,
};

export type EventMap = { [K in keyof typeof eventPayloadSchemas]: Static<(typeof eventPayloadSchemas)[K]> };

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

/**
 * The ClientEvents as one schema, for the OpenAPI document (and from it the web UI's types):
 * one branch per event type.
 */
export const LiveEventSchema = Type.Union(
  eventTypes.map((type) =>
    Type.Object({
      event: Type.Literal(type),
      data: Type.Intersect([eventPayloadSchemas[type], Type.Object({ accountId: Type.String() })]),
    }),
  ),
  { $id: 'LiveEvent', description: 'what `GET /api/v1/events` sends: `event:` the type, `data:` the JSON data' },
);

export const toClientEvent = (event: ServerEvent): ClientEvent => ({
  event: event.type,
  data: { ...event.data, accountId: event.accountId },
});
