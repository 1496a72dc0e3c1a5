// In-process publish/subscribe for server events (domain/events.ts). The message store, the sync
// engine, the accounts service and the outbox publish; the live stream (SSE) subscribes. On
// PostgreSQL scale/event-bridge.ts subscribes too and publishes what arrives from other processes.
import type { ServerEvent } from '../domain/events.js';

export type EventListener = (event: ServerEvent) => void;

/** What a publisher needs of the bus. */
export type Publish = (event: ServerEvent) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  publish(event: ServerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber (a closed SSE stream) must not stop the others.
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
