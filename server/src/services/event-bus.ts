// In-process publish/subscribe for live events. The sync engine and the outbox publish; the
// SSE route subscribes. A multi-process deployment bridges buses (PostgreSQL LISTEN/NOTIFY)
// by subscribing here and publishing what arrives from other processes.
import type { MailyardEvent } from '../domain/events.js';

export type EventListener = (event: MailyardEvent) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  publish(event: MailyardEvent): void {
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
