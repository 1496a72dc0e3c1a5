import { Badge, Box, Button, Checkbox, Group, Select, Skeleton, TextInput } from '@mantine/core';
import { IconPencil, IconSearch } from '@tabler/icons-react';
import type { RefObject } from 'react';
import { navigate } from '../../app/router.js';
import type { MailboxAccount, MailboxFolder, MessageFilters, UnreadCount } from './inbox.api.js';

type FiltersUpdate = (update: (filters: MessageFilters) => MessageFilters) => void;

/** The bar above the message list: search, account, folder, direction, unread only, New email. */
export function MailboxFilters({
  filters,
  onFilters,
  searchInput,
  onSearchInput,
  searchRef,
  accounts,
  folders,
  unread,
}: {
  filters: MessageFilters;
  onFilters: FiltersUpdate;
  searchInput: string;
  onSearchInput: (text: string) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  accounts: MailboxAccount[];
  folders: Record<string, MailboxFolder[]>;
  unread: UnreadCount | null;
}) {
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
    ...folderPaths
      .sort((a, b) => (a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a.localeCompare(b)))
      .map((p) => ({ value: p, label: p })),
  ];
  return (
    <Group align="flex-end" gap="sm" wrap="wrap">
      <TextInput
        ref={searchRef}
        label="Search mail"
        placeholder="Words, phrases in quotes, -exclude"
        leftSection={<IconSearch size={16} />}
        value={searchInput}
        onChange={(e) => onSearchInput(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onFilters((f) => ({ ...f, q: searchInput }));
        }}
        w={260}
      />
      <Select
        label="Account"
        data={accountOptions}
        value={filters.accountId ?? ''}
        onChange={(v) => onFilters((f) => ({ ...f, accountId: v || undefined, folder: undefined }))}
        allowDeselect={false}
        w={240}
      />
      <Select
        label="Folder"
        data={folderOptions}
        value={filters.folder ?? ''}
        onChange={(v) => onFilters((f) => ({ ...f, folder: v || undefined }))}
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
        onChange={(v) =>
          onFilters((f) => ({ ...f, direction: v === 'incoming' || v === 'outgoing' ? v : undefined }))
        }
        allowDeselect={false}
        w={200}
      />
      <Checkbox
        label="Unread only"
        checked={filters.unread ?? false}
        onChange={(e) => {
          const checked = e.currentTarget.checked;
          onFilters((f) => ({ ...f, unread: checked || undefined }));
        }}
        mb={8}
      />
      {unread ? (
        <Badge size="lg" variant="light" mb={6} aria-label="Unread messages" aria-live="polite">
          {unread.total} unread
        </Badge>
      ) : (
        // Not "0 unread" while the count is on its way: that would be a wrong answer.
        <Skeleton height={26} width={90} radius="xl" mb={6} aria-label="Counting unread messages" />
      )}
      <Box style={{ flex: 1 }} />
      <Button leftSection={<IconPencil size={16} />} onClick={() => navigate('/compose')} mb={2}>
        New email
      </Button>
    </Group>
  );
}
