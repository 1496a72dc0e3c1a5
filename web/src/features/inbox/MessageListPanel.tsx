import { Alert, Group, Loader, Paper, Text } from '@mantine/core';
import { errorMessage } from '../../shared/api.js';
import type { MessageList } from './list-state.js';
import { MessageListView } from './MessageListView.js';

/** The message list, or what stands in its place: loading, the error, "no messages". */
export function MessageListPanel({
  loading,
  error,
  list,
  filtered,
  selectedId,
  openId,
  accountLabel,
  loadingMore,
  onOpen,
  onLoadMore,
}: {
  loading: boolean;
  error: unknown;
  list: MessageList;
  /** some filter is set (the empty list says so) */
  filtered: boolean;
  selectedId: string | null;
  openId: string | null;
  accountLabel: (accountId: string) => string | undefined;
  loadingMore: boolean;
  onOpen: (id: string) => void;
  onLoadMore: () => void;
}) {
  return (
    <Paper withBorder style={{ overflow: 'hidden' }}>
      {loading ? (
        <Group p="lg">
          <Loader size="sm" aria-label="Loading messages" />
        </Group>
      ) : error ? (
        <Alert color="red" m="sm">
          {errorMessage(error)}
        </Alert>
      ) : list.items.length === 0 ? (
        <Text p="lg" c="dimmed">
          {filtered
            ? 'No messages match these filters.'
            : 'No messages yet. New mail appears here as soon as it arrives.'}
        </Text>
      ) : (
        <MessageListView
          items={list.items}
          selectedId={selectedId}
          openId={openId}
          accountLabel={accountLabel}
          hasMore={list.nextCursor !== null}
          loadingMore={loadingMore}
          onOpen={onOpen}
          onLoadMore={onLoadMore}
        />
      )}
    </Paper>
  );
}
