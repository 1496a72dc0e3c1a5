import { useEffect, useState } from 'react';
import { notifyError } from '../../shared/notify.js';
import { inboxApi, type MessageFilters } from './inbox.api.js';
import type { MessageList } from './list-state.js';

const emptyList: MessageList = { items: [], nextCursor: null };

/** The first page of messages for the filters (loaded again when they change), and the next pages on request. */
export function useMessageList(filters: MessageFilters) {
  const [list, setList] = useState<MessageList>(emptyList);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    inboxApi.list(filters, null, controller.signal).then(
      (page) => {
        setList(page);
        setError(null);
        setLoading(false);
      },
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(reason);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [filters]);

  const loadMore = () => {
    if (!list.nextCursor) return;
    setLoadingMore(true);
    inboxApi.list(filters, list.nextCursor).then(
      (page) => {
        setList((l) => ({
          items: [...l.items, ...page.items.filter((m) => !l.items.some((x) => x.id === m.id))],
          nextCursor: page.nextCursor,
        }));
        setLoadingMore(false);
      },
      (reason: unknown) => {
        notifyError(reason, 'Could not load more messages');
        setLoadingMore(false);
      },
    );
  };

  return { list, setList, loading, error, loadingMore, loadMore };
}
