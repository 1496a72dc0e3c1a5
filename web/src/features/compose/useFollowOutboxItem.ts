import { useEffect } from 'react';
import { useLiveEvents } from '../inbox/live-events.js';
import { composeApi, type OutboxItem } from './compose.api.js';
import { isFinal } from './compose-draft.js';

/** Follows a queued message to its end (outbox.updated events), and forgets its draft once sent. */
export function useFollowOutboxItem(
  item: OutboxItem | null,
  setItem: (update: OutboxItem | ((current: OutboxItem | null) => OutboxItem)) => void,
  storageKey: string,
): void {
  useLiveEvents(({ event, data }) => {
    if (event === 'outbox.updated' && item && data.id === item.id)
      setItem((current) => ({ ...(current ?? item), ...data }));
  });

  // Only without an event stream (very old browsers) is the status polled.
  useEffect(() => {
    if (!item || isFinal(item.status) || typeof EventSource !== 'undefined') return;
    const timer = setTimeout(() => {
      composeApi.status(item.id).then(setItem, () => undefined);
    }, 2000);
    return () => clearTimeout(timer);
  }, [item]);

  useEffect(() => {
    if (item?.status === 'sent') window.localStorage.removeItem(storageKey);
  }, [item?.status, storageKey]);
}
