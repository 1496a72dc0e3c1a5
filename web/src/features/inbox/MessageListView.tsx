import { Button, Group, Stack, Text } from '@mantine/core';
import { IconArrowBackUp, IconPaperclip, IconStarFilled } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import type { MessageItem } from './inbox.api.js';
import { displayName, formatListDate } from './format.js';

interface MessageListViewProps {
  items: MessageItem[];
  selectedId: string | null;
  openId: string | null;
  accountLabel: (accountId: string) => string | undefined;
  hasMore: boolean;
  loadingMore: boolean;
  onOpen: (id: string) => void;
  onLoadMore: () => void;
}

/** Incoming mail shows its sender, sent mail its recipients. */
const counterpart = (m: MessageItem) => (m.direction === 'outgoing' ? `To: ${displayName(m.to[0])}` : displayName(m.from[0]));

export function MessageListView({ items, selectedId, openId, accountLabel, hasMore, loadingMore, onOpen, onLoadMore }: MessageListViewProps) {
  const selectedRef = useRef<HTMLLIElement>(null);
  useEffect(() => {
    // newer Chromium returns a promise here; an effect must return nothing
    void selectedRef.current?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);

  return (
    <Stack gap={0}>
      <ul role="listbox" aria-label="Messages" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {items.map((m) => {
          const selected = m.id === selectedId;
          return (
            <li
              key={m.id}
              ref={selected ? selectedRef : undefined}
              role="option"
              aria-selected={selected}
              aria-current={m.id === openId ? 'true' : undefined}
              aria-label={`${m.seen ? '' : 'Unread, '}${m.flagged ? 'Flagged, ' : ''}${m.answered ? 'Answered, ' : ''}${counterpart(m)}: ${m.subject || '(no subject)'}`}
              data-message-id={m.id}
              onClick={() => onOpen(m.id)}
              style={{
                cursor: 'pointer',
                padding: '8px 10px',
                borderBottom: '1px solid var(--mantine-color-default-border)',
                borderLeft: `3px solid ${selected ? 'var(--mantine-color-blue-filled)' : 'transparent'}`,
                background: m.id === openId ? 'var(--mantine-color-blue-light)' : undefined,
              }}
            >
              <Group gap="xs" wrap="nowrap" justify="space-between">
                <Text size="sm" fw={m.seen ? 400 : 700} truncate style={{ flex: 1 }}>
                  {counterpart(m)}
                </Text>
                {m.answered && <IconArrowBackUp size={14} color="var(--mantine-color-dimmed)" aria-hidden />}
                {m.flagged && <IconStarFilled size={14} color="var(--mantine-color-yellow-filled)" aria-hidden />}
                {m.hasAttachments && <IconPaperclip size={14} aria-hidden />}
                <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {formatListDate(m.date)}
                </Text>
              </Group>
              <Text size="sm" fw={m.seen ? 400 : 600} truncate>
                {m.subject || '(no subject)'}
              </Text>
              <Text size="xs" c="dimmed" truncate>
                {accountLabel(m.accountId) ? `${accountLabel(m.accountId)} · ${m.folder} · ` : ''}
                {m.snippet}
              </Text>
            </li>
          );
        })}
      </ul>
      {hasMore && (
        <Button variant="subtle" onClick={onLoadMore} loading={loadingMore} mt="xs">
          Load more
        </Button>
      )}
    </Stack>
  );
}
