// One EventSource per page for `GET /api/v1/events`, shared by every component that listens
// (the Email tab here; compose and the accounts pages may subscribe too). The browser reconnects
// by itself and sends the session cookie, so no polling is needed anywhere.
import { useEffect, useRef } from 'react';
import type { Schemas } from '../../shared/api-types.js';
import { eventsUrl } from './inbox.api.js';

/** What the server sends: `event:` the type, `data:` the resource in its API shape, with `accountId`. */
export type LiveEvent = Schemas['LiveEvent'];
export type LiveEventType = LiveEvent['event'];

/** Every type of LiveEvent (the compiler checks the list against the server's). */
const liveEventTypes = {
  'message.created': true,
  'message.updated': true,
  'message.deleted': true,
  'account.status': true,
  'outbox.updated': true,
} satisfies Record<LiveEventType, true>;

export type LiveEventListener = (event: LiveEvent) => void;

const listeners = new Set<LiveEventListener>();
let source: EventSource | null = null;

function connect(): EventSource {
  const es = new EventSource(eventsUrl);
  for (const type of Object.keys(liveEventTypes) as LiveEventType[]) {
    es.addEventListener(type, (message: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      // The server's schema is the event's type: its shape is not checked again here.
      const event = { event: type, data } as LiveEvent;
      for (const listener of listeners) listener(event);
    });
  }
  return es;
}

/** Subscribes until the returned function is called; the stream closes with the last listener. */
export function subscribeLiveEvents(listener: LiveEventListener): () => void {
  listeners.add(listener);
  source ??= connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && source) {
      source.close();
      source = null;
    }
  };
}

/** React binding: the latest `listener` is called, without resubscribing on every render. */
export function useLiveEvents(listener: LiveEventListener): void {
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => subscribeLiveEvents((event) => latest.current(event)), []);
}
