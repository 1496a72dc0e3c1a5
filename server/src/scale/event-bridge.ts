// Live events across processes on PostgreSQL: every process LISTENs on one channel and NOTIFYs
// what its own EventBus publishes, so a browser on any `api` process sees what any worker did.
// The same channel carries the sync engine's commands (services/account-sync.ts: refresh, stop,
// changes queued by the panel) from an `api` process to the worker holding the account.
// Events from this process are not delivered twice (each notification names its origin), and
// those that arrive from others are not sent back out.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DeletedMessage, MessageEventType, ServerEvent } from '../domain/events.js';
import type { MessageListItem } from '../domain/message.js';
import type { EventBus } from '../services/event-bus.js';
import type { Logger } from '../lib/logger.js';
import { backoffDelay } from '../lib/backoff.js';

const CHANNEL = 'mailyard_events';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7_900;
/**
 * What one round trip sends at most. A first sync publishes thousands of events a second: one
 * NOTIFY each fell behind, and the queue of unsent payloads grew the worker's heap.
 */
const BATCH_PAYLOADS = 500;

/** AccountSync calls (services/account-sync.ts) for the worker holding the account. */
export type SyncRequest = 'refresh' | 'remove' | 'pending' | 'verify';

/** A message event too large for NOTIFY: enough to load the message, or to remove it. */
export interface MessageEventRef {
  type: MessageEventType;
  accountId: string;
  data: DeletedMessage;
}

/** `o`: the origin process; `n`: its sequence number */
type Notification =
  | { o: string; n: number; k: 'event'; e: ServerEvent }
  /** a message event too large to send: the receiver loads the message itself */
  | { o: string; n: number; k: 'ref'; e: MessageEventRef }
  | { o: string; n: number; k: 'sync'; accountId: string; op: SyncRequest };

export interface EventBridgeDeps {
  url: string;
  events: EventBus;
  logger: Logger;
  /** the current list shape of a message whose event was too large to send (undefined: gone) */
  load(messageId: string): Promise<MessageListItem | undefined>;
  /** a sync request from another process (only workers act on it) */
  onSyncRequest?(accountId: string, op: SyncRequest): void;
}

export class EventBridge {
  private readonly origin = randomUUID();
  /** numbers this process's notifications: PostgreSQL drops a repeated payload within one transaction */
  private sequence = 0;
  private listener: pg.Client | undefined;
  private sender: pg.Client | undefined;
  /** payloads not sent yet, in publishing order */
  private readonly queue: string[] = [];
  private sending: Promise<void> | undefined;
  private readonly fromBridge = new WeakSet<ServerEvent>();
  private unsubscribe: (() => void) | undefined;
  private running = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly deps: EventBridgeDeps) {
    this.log = deps.logger.child({ component: 'event-bridge' });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.deps.events.subscribe((event) => {
      if (this.fromBridge.has(event)) return;
      const payload = this.toPayload(event);
      if (payload !== undefined) this.send(payload);
    });
    await this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.unsubscribe?.();
    await this.sending;
    this.queue.length = 0;
    await Promise.all([this.listener?.end().catch(() => undefined), this.sender?.end().catch(() => undefined)]);
    this.listener = undefined;
    this.sender = undefined;
  }

  /** Asks the worker holding `accountId` (whichever process it is) to refresh or stop its session. */
  requestSync(accountId: string, op: SyncRequest): void {
    this.send(JSON.stringify({ o: this.origin, n: this.sequence++, k: 'sync', accountId, op } satisfies Notification));
  }

  private toPayload(event: ServerEvent): string | undefined {
    const n = this.sequence++;
    const whole = JSON.stringify({ o: this.origin, n, k: 'event', e: event } satisfies Notification);
    if (Buffer.byteLength(whole) <= MAX_PAYLOAD_BYTES) return whole;
    // Only a message can be that large (500 addresses, a long subject); the rest are short.
    if (!isMessageEvent(event)) {
      this.log.warn({ type: event.type }, 'live event too large to forward; dropped');
      return undefined;
    }
    const { id, accountId, folder, threadId } = event.data;
    const ref: MessageEventRef = { type: event.type, accountId: event.accountId, data: { id, accountId, folder, threadId } };
    return JSON.stringify({ o: this.origin, n, k: 'ref', e: ref } satisfies Notification);
  }

  private send(payload: string): void {
    this.queue.push(payload);
    this.sending ??= Promise.resolve().then(() => this.drain());
  }

  /** Sends what is queued, in order, many payloads per round trip (in one transaction). */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const client = this.sender;
        if (!client) {
          // Reconnecting: live events are best effort, the next sync catches up.
          this.queue.length = 0;
          return;
        }
        const batch = this.queue.splice(0, BATCH_PAYLOADS);
        try {
          // unnest yields the array in order; notifications arrive in the order they were made.
          await client.query('select pg_notify($1, payload) from unnest($2::text[]) as payload', [CHANNEL, batch]);
        } catch (error) {
          this.log.warn({ err: error, events: batch.length }, 'could not forward live events');
        }
      }
    } finally {
      // In the same step as the last check of the queue: a payload queued later starts a new drain.
      this.sending = undefined;
    }
  }

  private async connect(): Promise<void> {
    const listener = new pg.Client({ connectionString: this.deps.url });
    const sender = new pg.Client({ connectionString: this.deps.url });
    const lost = (error?: unknown) => {
      if (this.listener !== listener) return;
      this.log.warn({ err: error }, 'event bridge connection lost; reconnecting');
      this.listener = undefined;
      this.sender = undefined;
      void listener.end().catch(() => undefined);
      void sender.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    listener.on('error', lost);
    listener.on('end', () => lost());
    sender.on('error', lost);
    sender.on('end', () => lost());
    listener.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) void this.receive(message.payload);
    });
    try {
      await Promise.all([listener.connect(), sender.connect()]);
      await listener.query(`listen ${CHANNEL}`);
    } catch (error) {
      await Promise.all([listener.end().catch(() => undefined), sender.end().catch(() => undefined)]);
      if (!this.running) return;
      this.failures += 1;
      if (this.failures === 1) this.log.warn({ err: error }, 'event bridge cannot connect; retrying');
      this.scheduleReconnect();
      return;
    }
    if (!this.running) {
      await Promise.all([listener.end(), sender.end()]);
      return;
    }
    this.failures = 0;
    this.listener = listener;
    this.sender = sender;
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    clearTimeout(this.reconnectTimer);
    const delay = 250 + backoffDelay(this.failures + 1, { baseMs: 500, maxMs: 30_000 });
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private async receive(payload: string): Promise<void> {
    let notification: Notification;
    try {
      notification = JSON.parse(payload) as Notification;
    } catch {
      return;
    }
    if (notification.o === this.origin) return;
    switch (notification.k) {
      case 'event':
        this.deliver(notification.e);
        return;
      case 'ref': {
        const ref = notification.e;
        if (ref.type === 'message.deleted') {
          this.deliver({ type: ref.type, accountId: ref.accountId, data: ref.data });
          return;
        }
        // Gone meanwhile (its deletion follows) or unreadable: the next list load shows it.
        const message = await this.deps.load(ref.data.id).catch(() => undefined);
        if (message) this.deliver({ type: ref.type, accountId: ref.accountId, data: message });
        return;
      }
      case 'sync':
        this.deps.onSyncRequest?.(notification.accountId, notification.op);
        return;
    }
  }

  private deliver(event: ServerEvent): void {
    this.fromBridge.add(event);
    this.deps.events.publish(event);
  }
}

const isMessageEvent = (event: ServerEvent): event is ServerEvent<MessageEventType> =>
  event.type === 'message.created' || event.type === 'message.updated' || event.type === 'message.deleted';
