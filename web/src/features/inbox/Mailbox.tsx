import { Grid, Paper, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { notifyError } from '../../shared/notify.js';
import { navigate, toHref } from '../../app/router.js';
import {
  inboxApi,
  type MailboxAccount,
  type MailboxFolder,
  type MessageFilters,
  type MessageItem,
} from './inbox.api.js';
import { applyLiveEvent, type LiveMessageEvent } from './list-state.js';
import { useMessageList } from './useMessageList.js';
import { useUnreadCount } from './useUnreadCount.js';
import { useLiveEvents } from './live-events.js';
import { MailboxFilters } from './MailboxFilters.js';
import { useMailboxShortcuts } from './useMailboxShortcuts.js';
import { MessageListPanel } from './MessageListPanel.js';
import { ReadingPane, type ComposeMode, type MessageActions } from './ReadingPane.js';

/** The compose screen (features/compose/ComposePage.tsx) reads `mode` and `messageId` from its route. */
export const composeHref = (mode: ComposeMode, messageId: string) => toHref('/compose', { mode, messageId });

/** Folders per account, fetched in one request whenever the set of mailboxes changes. */
function useFolders(accounts: MailboxAccount[]) {
  const [folders, setFolders] = useState<Record<string, MailboxFolder[]>>({});
  useEffect(() => {
    let current = true;
    inboxApi.folders().then(
      (result) => {
        if (!current) return;
        const byAccount: Record<string, MailboxFolder[]> = {};
        for (const { accountId, ...folder } of result.items) (byAccount[accountId] ??= []).push(folder);
        setFolders(byAccount);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [accounts]);
  return folders;
}

export function Mailbox({ accounts }: { accounts: MailboxAccount[] }) {
  const [filters, setFilters] = useState<MessageFilters>({});
  const [searchInput, setSearchInput] = useState('');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const folders = useFolders(accounts);
  const { list, setList, loading, error, loadingMore, loadMore } = useMessageList(filters);
  const searchRef = useRef<HTMLInputElement>(null);

  // Live events and shortcuts read the current state through these refs.
  const filtersRef = useRef(filters);
  const openIdRef = useRef(openId);
  useEffect(() => {
    filtersRef.current = filters;
    openIdRef.current = openId;
  });

  const accountById = useMemo(() => new Map(accounts.map((a) => [a.id, a])), [accounts]);

  // Typing settles for a moment before the search runs.
  useEffect(() => {
    const timer = setTimeout(() => setFilters((f) => (f.q === searchInput ? f : { ...f, q: searchInput })), 300);
    return () => clearTimeout(timer);
  }, [searchInput]);

  const { unread, refreshUnread, refreshUnreadSoon } = useUnreadCount();

  const applyEvent = useCallback((event: LiveMessageEvent) => {
    setList((l) => applyLiveEvent(l, event, filtersRef.current, openIdRef.current ?? undefined));
  }, []);

  useLiveEvents((event) => {
    if (event.event === 'message.deleted') {
      applyEvent(event);
      if (openIdRef.current === event.data.id) setOpenId(null);
    } else if (event.event === 'message.created' || event.event === 'message.updated') {
      applyEvent(event);
    } else {
      return;
    }
    refreshUnreadSoon();
  });

  const update = useCallback(
    (message: MessageItem, change: { seen?: boolean; flagged?: boolean; folder?: string }) => {
      // Shown at once; the answer (and the live event) confirm it, an error puts it back.
      applyEvent({ event: 'message.updated', data: { ...message, ...change } });
      inboxApi.update(message.id, change).then(
        (updated) => {
          applyEvent({ event: 'message.updated', data: updated });
          refreshUnread();
        },
        (reason: unknown) => {
          applyEvent({ event: 'message.updated', data: message });
          notifyError(reason, 'The message was not changed');
        },
      );
    },
    [applyEvent, refreshUnread],
  );

  const open = useCallback(
    (id: string) => {
      setSelectedId(id);
      setOpenId(id);
      const message = list.items.find((m) => m.id === id);
      if (message && !message.seen) update(message, { seen: true });
    },
    [list.items, update],
  );

  const actions: MessageActions = {
    toggleSeen: (m) => update(m, { seen: !m.seen }),
    toggleFlag: (m) => update(m, { flagged: !m.flagged }),
    move: (m, folder) => update(m, { folder }),
    remove: (m) => {
      const index = list.items.findIndex((x) => x.id === m.id);
      const next = list.items[index + 1] ?? list.items[index - 1];
      inboxApi.remove(m.id).then(
        () => {
          applyEvent({ event: 'message.deleted', data: m });
          if (openIdRef.current === m.id) setOpenId(null);
          setSelectedId(next?.id ?? null);
          refreshUnread();
        },
        (reason: unknown) => notifyError(reason, 'The message was not deleted'),
      );
    },
    compose: (mode, m) => navigate(composeHref(mode, m.id)),
    open,
  };

  const actionsRef = useRef(actions);
  const stateRef = useRef({ items: list.items, selectedId, openId });
  useEffect(() => {
    actionsRef.current = actions;
    stateRef.current = { items: list.items, selectedId, openId };
  });

  useMailboxShortcuts(stateRef, actionsRef, setSelectedId, searchRef, accountById);

  const openMessage = list.items.find((m) => m.id === openId);

  return (
    <Stack gap="md">
      <MailboxFilters
        filters={filters}
        onFilters={setFilters}
        searchInput={searchInput}
        onSearchInput={setSearchInput}
        searchRef={searchRef}
        accounts={accounts}
        folders={folders}
        unread={unread}
      />

      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <MessageListPanel
            loading={loading}
            error={error}
            list={list}
            filtered={Boolean(filters.q || filters.unread || filters.folder || filters.direction || filters.accountId)}
            selectedId={selectedId}
            openId={openId}
            accountLabel={(id) => (accounts.length > 1 ? accountById.get(id)?.email : undefined)}
            loadingMore={loadingMore}
            onOpen={open}
            onLoadMore={loadMore}
          />
          <Text size="xs" c="dimmed" mt={4}>
            Keys: j/k or arrows to move, Enter to open, s to flag, u for read/unread, # or Delete to delete, r/a/f to reply, reply all,
            forward, / to search.
          </Text>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          {openId ? (
            <ReadingPane
              key={openId}
              messageId={openId}
              latest={openMessage}
              foldersOf={(accountId) => folders[accountId]}
              canManage={(accountId) => accountById.get(accountId)?.access.manage ?? false}
              actions={actions}
            />
          ) : (
            <Paper withBorder p="xl">
              <Text c="dimmed">Select a message to read it.</Text>
            </Paper>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
