// Live events (PRODUCT.md "Live events"): `type` becomes the SSE `event:` and `data` its JSON.
export const eventTypes = ['message.created', 'message.updated', 'message.deleted', 'account.status', 'outbox.updated'] as const;
export type EventType = (typeof eventTypes)[number];

export interface MailyardEvent {
  type: EventType;
  accountId: string;
  /** the resource in its API shape */
  data: Record<string, unknown>;
  /**
   * 'sync': the sync engine reports what it stored (flags read from the server, a parsed body);
   * such an update has nothing to carry back to the server, so it does not wake a session.
   */
  source?: 'sync';
}
