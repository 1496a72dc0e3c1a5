import { Button, Group, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import type { Account } from '../accounts.api.js';
import { AccountStatusLine } from '../AccountStatus.js';

/** Connected: the new mailbox's sync progress, and where to go next. */
export function DoneStep({
  account,
  onOpenSettings,
  onClose,
}: {
  account: Account;
  onOpenSettings: (account: Account) => void;
  onClose: () => void;
}) {
  return (
    <Stack>
      <Group gap="sm" wrap="nowrap">
        <ThemeIcon color="teal" variant="light" radius="xl" size="lg" aria-hidden>
          <IconCircleCheck size={20} />
        </ThemeIcon>
        <div>
          <Text fw={600}>Mailbox connected</Text>
          <Text size="sm" c="dimmed">
            {account.email} is saved and synchronisation has started.
          </Text>
        </div>
      </Group>
      <Paper withBorder p="sm">
        <AccountStatusLine account={account} showProgressBar />
      </Paper>
      <Group justify="flex-end">
        <Button variant="default" onClick={() => onOpenSettings(account)}>
          Account settings
        </Button>
        <Button onClick={onClose}>Done</Button>
      </Group>
    </Stack>
  );
}
