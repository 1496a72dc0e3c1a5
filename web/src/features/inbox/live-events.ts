// One EventSource per browser tab for `GET /api/v1/events`, shared by every component that
// listens (the Email tab here; compose and the accounts pages may subscribe too). The signed-in
// shell (app/AppLayout.tsx) holds it open from sign-in to sign-out, so moving between pages never
// reopens it. The browser reconnects by itself and sends the session cookie: no polling anywhere.
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

/** Opens the tab's stream (once) until the returned function is called. */
export function openLiveEvents(): () => void {
  const opened = source ?? connect();
  source = opened;
  return () => {
    if (source !== opened) return;
    source.close();
    source = null;
  };
}

/** Receives the tab's events until the returned function is called. */
export function subscribeLiveEvents(listener: LiveEventListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
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
