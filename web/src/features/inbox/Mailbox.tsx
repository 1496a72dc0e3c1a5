import { Alert, Badge, Box, Button, Checkbox, Grid, Group, Loader, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPencil, IconSearch } from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../shared/api.js';
import { notifyError } from '../../shared/notify.js';
import { navigate, toHref } from '../../app/router.js';
import {
  inboxApi,
  type MailboxAccount,
  type MailboxFolder,
  type MessageFilters,
  type MessageItem,
  type UnreadCount,
} from './inbox.api.js';
import { applyLiveEvent, type LiveMessageEvent, type MessageList } from './list-state.js';
import { useLiveEvents } from './live-events.js';
import { MessageListView } from './MessageListView.js';
import { ReadingPane, type ComposeMode, type MessageActions } from './ReadingPane.js';

const emptyList: MessageList = { items: [], nextCursor: null };

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

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
  const [list, setList] = useState<MessageList>(emptyList);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [unread, setUnread] = useState<UnreadCount | null>(null);
  const folders = useFolders(accounts);
  const searchRef = useRef<HTMLInputElement>(null);

  // Live events and shortcuts read the current state through these refs.
  const filtersRef = useRef(filters);
  const openIdRef = useRef(openId);
  useEffect(() => {
    filtersRef.current = filters;
    openIdRef.current = openId;
  });

  const accountById = useMemo(() => new Map(accounts.map((a) => [a.id, a])), [accounts]);

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

  // Typing settles for a moment before the search runs.
  useEffect(() => {
    const timer = setTimeout(() => setFilters((f) => (f.q === searchInput ? f : { ...f, q: searchInput })), 300);
    return () => clearTimeout(timer);
  }, [searchInput]);

  const refreshUnread = useCallback(() => {
    inboxApi.unreadCount().then(setUnread, () => undefined);
  }, []);
  useEffect(() => {
    refreshUnread();
  }, [refreshUnread]);
  const unreadTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

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
    clearTimeout(unreadTimer.current);
    unreadTimer.current = setTimeout(refreshUnread, 250);
  });

  const loadMore = () => {
    if (!list.nextCursor) return;
    setLoadingMore(true);
    inboxApi.list(filters, list.nextCursor).then(
      (page) => {
        setList((l) => ({ items: [...l.items, ...page.items.filter((m) => !l.items.some((x) => x.id === m.id))], nextCursor: page.nextCursor }));
        setLoadingMore(false);
      },
      (reason: unknown) => {
        notifyError(reason, 'Could not load more messages');
        setLoadingMore(false);
      },
    );
  };

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

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const { items, selectedId: current, openId: opened } = stateRef.current;
      const act = actionsRef.current;
      const index = items.findIndex((m) => m.id === current);
      const target = items[index] ?? items.find((m) => m.id === opened);
      const handled = (() => {
        switch (event.key) {
          case 'j':
          case 'ArrowDown': {
            const next = items[Math.min(index + 1, items.length - 1)];
            if (next) setSelectedId(next.id);
            return true;
          }
          case 'k':
          case 'ArrowUp': {
            const previous = items[Math.max(index - 1, 0)];
            if (previous) setSelectedId(previous.id);
            return true;
          }
          case 'Enter':
            if (target) act.open(target.id);
            return true;
          case 's':
            if (target) act.toggleFlag(target);
            return true;
          case 'u':
            if (target) act.toggleSeen(target);
            return true;
          case '#':
          case 'Delete':
            if (target && accountById.get(target.accountId)?.access.manage) act.remove(target);
            return true;
          case 'r':
            if (target) act.compose('reply', target);
            return true;
          case 'a':
            if (target) act.compose('replyAll', target);
            return true;
          case 'f':
            if (target) act.compose('forward', target);
            return true;
          case '/':
            searchRef.current?.focus();
            return true;
          default:
            return false;
        }
      })();
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [accountById]);

  const accountOptions = [
    { value: '', label: 'All accounts' },
    ...accounts.map((a) => {
      const count = unread?.items.find((u) => u.accountId === a.id)?.unread ?? 0;
      return { value: a.id, label: count > 0 ? `${a.email} (${count})` : a.email };
    }),
  ];
  const folderPaths = filters.accountId
    ? (folders[filters.accountId] ?? []).map((f) => f.path)
    : [...new Set(Object.values(folders).flatMap((list) => list.map((f) => f.path)))];
  const folderOptions = [
    { value: '', label: 'All folders' },
    ...folderPaths.sort((a, b) => (a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a.localeCompare(b))).map((p) => ({ value: p, label: p })),
  ];
  const openMessage = list.items.find((m) => m.id === openId);

  return (
    <Stack gap="md">
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput
          ref={searchRef}
          label="Search mail"
          placeholder="Words, phrases in quotes, -exclude"
          leftSection={<IconSearch size={16} />}
          value={searchInput}
          onChange={(e) => setSearchInput(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') setFilters((f) => ({ ...f, q: searchInput }));
          }}
          w={260}
        />
        <Select
          label="Account"
          data={accountOptions}
          value={filters.accountId ?? ''}
          onChange={(v) => setFilters((f) => ({ ...f, accountId: v || undefined, folder: undefined }))}
          allowDeselect={false}
          w={240}
        />
        <Select
          label="Folder"
          data={folderOptions}
          value={filters.folder ?? ''}
          onChange={(v) => setFilters((f) => ({ ...f, folder: v || undefined }))}
          allowDeselect={false}
          w={180}
        />
        <Select
          label="Direction"
          data={[
            { value: '', label: 'Incoming and outgoing' },
            { value: 'incoming', label: 'Incoming' },
            { value: 'outgoing', label: 'Outgoing' },
          ]}
          value={filters.direction ?? ''}
          onChange={(v) => setFilters((f) => ({ ...f, direction: v === 'incoming' || v === 'outgoing' ? v : undefined }))}
          allowDeselect={false}
          w={200}
        />
        <Checkbox
          label="Unread only"
          checked={filters.unread ?? false}
          onChange={(e) => {
            const checked = e.currentTarget.checked;
            setFilters((f) => ({ ...f, unread: checked || undefined }));
          }}
          mb={8}
        />
        <Badge size="lg" variant="light" mb={6} aria-label="Unread messages" aria-live="polite">
          {unread?.total ?? 0} unread
        </Badge>
        <Box style={{ flex: 1 }} />
        <Button leftSection={<IconPencil size={16} />} onClick={() => navigate('/compose')} mb={2}>
          New email
        </Button>
      </Group>

      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 5 }}>
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
                {filters.q || filters.unread || filters.folder || filters.direction || filters.accountId
                  ? 'No messages match these filters.'
                  : 'No messages yet. New mail appears here as soon as it arrives.'}
              </Text>
            ) : (
              <MessageListView
                items={list.items}
                selectedId={selectedId}
                openId={openId}
                accountLabel={(id) => (accounts.length > 1 ? accountById.get(id)?.email : undefined)}
                hasMore={list.nextCursor !== null}
                loadingMore={loadingMore}
                onOpen={open}
                onLoadMore={loadMore}
              />
            )}
          </Paper>
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
