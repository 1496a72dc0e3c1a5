// One EventSource per page for `GET /api/v1/events`, shared by every component that listens
// (the Email tab here; compose and the accounts pages may subscribe too). The browser reconnects
// by itself and sends the session cookie, so no polling is needed anywhere.
import { useEffect, useRef } from 'react';
import { eventsUrl } from './inbox.api.js';

export const liveEventTypes = ['message.created', 'message.updated', 'message.deleted', 'account.status', 'outbox.updated'] as const;
export type LiveEventType = (typeof liveEventTypes)[number];

/** `data` is the resource in its API shape, with `accountId`. */
export type LiveEventListener = (type: LiveEventType, data: Record<string, unknown>) => void;

const listeners = new Set<LiveEventListener>();
let source: EventSource | null = null;

function connect(): EventSource {
  const es = new EventSource(eventsUrl);
  for (const type of liveEventTypes) {
    es.addEventListener(type, (event: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (typeof data !== 'object' || data === null) return;
      for (const listener of listeners) listener(type, data as Record<string, unknown>);
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
  useEffect(() => subscribeLiveEvents((type, data) => latest.current(type, data)), []);
}
