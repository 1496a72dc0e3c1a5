import { useCallback, useEffect, useRef, useState } from 'react';
import { inboxApi, type UnreadCount } from './inbox.api.js';

/**
 * The unread counts per account. `refreshUnread` asks again now; `refreshUnreadSoon` once a burst
 * of live events has settled.
 */
export function useUnreadCount() {
  const [unread, setUnread] = useState<UnreadCount | null>(null);
  const refreshUnread = useCallback(() => {
    inboxApi.unreadCount().then(setUnread, () => undefined);
  }, []);
  useEffect(() => {
    refreshUnread();
  }, [refreshUnread]);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const refreshUnreadSoon = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(refreshUnread, 250);
  }, [refreshUnread]);
  return { unread, refreshUnread, refreshUnreadSoon };
}
