import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  ThemeIcon,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconMailbox, IconPlus } from '@tabler/icons-react';
import { useCurrentUser } from '../../app/AuthContext.js';
import { paths } from '../../app/paths.js';
import { navigate, toHref } from '../../app/router.js';
import { errorMessage } from '../../shared/api.js';
import { useApiData } from '../../shared/useApiData.js';
import { AccountFixAction, AccountStatusLine } from './AccountStatus.js';
import { accountsApi, type Account } from './accounts.api.js';
import { isBusy, usePolling } from './usePolling.js';

const loadAccounts = (signal: AbortSignal) => accountsApi.list(signal).then((r) => r.items);

export const accountPath = (id: string) => `${paths.accounts}/${encodeURIComponent(id)}`;

/**
 * "Email accounts": shared by Profile → Email accounts and Mailbox settings, so both entry points
 * of the seed guide look and work alike.
 */
export function EmailAccountsList() {
  const { data, error, loading, reload } = useApiData(loadAccounts);
  usePolling(
    reload,
    (data ?? []).some((a) => isBusy(a.status.state)),
  );

  return (
    <Paper withBorder>
      <Group justify="space-between" p="md" wrap="nowrap">
        <div>
          <Title order={3} fz="lg">
            Email accounts
          </Title>
          <Text c="dimmed" size="sm">
            Mailboxes you have connected to Mailyard, and those shared with you.
          </Text>
        </div>
        <Button leftSection={<IconPlus size={16} />} onClick={() => navigate(paths.newAccount)}>
          New
        </Button>
      </Group>
      <div style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
        {error !== null && !data ? (
          <Alert color="red" variant="light" m="md" role="alert">
            {errorMessage(error)}
          </Alert>
        ) : loading && !data ? (
          <Group justify="center" p="xl">
            <Loader size="sm" aria-label="Loading email accounts" />
          </Group>
        ) : data && data.length > 0 ? (
          <AccountsTable accounts={data} onChanged={reload} />
        ) : (
          <Stack align="center" gap="xs" p="xl">
            <ThemeIcon size={44} radius="xl" variant="light" color="gray" aria-hidden>
              <IconMailbox size={24} />
            </ThemeIcon>
            <Text c="dimmed" size="sm">
              No email accounts yet.
            </Text>
          </Stack>
        )}
      </div>
    </Paper>
  );
}

function AccountsTable({ accounts, onChanged }: { accounts: Account[]; onChanged: () => void }) {
  const me = useCurrentUser();
  return (
    <Table verticalSpacing="sm" horizontalSpacing="md" aria-label="Email accounts">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Mailbox</Table.Th>
          <Table.Th>Provider</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {accounts.map((account) => {
          const shared = account.owner.id === me.id ? undefined : account.owner;
          return (
            <Table.Tr key={account.id}>
              <Table.Td>
                <Stack gap={2}>
                  <Group gap="xs">
                    <Anchor href={toHref(accountPath(account.id))} fw={500}>
                      {account.email}
                    </Anchor>
                    {account.defaultSender && (
                      <Badge size="xs" variant="outline">
                        Default sender
                      </Badge>
                    )}
                  </Group>
                  {account.displayName && (
                    <Text size="xs" c="dimmed">
                      {account.displayName}
                    </Text>
                  )}
                  {shared && (
                    <Text size="xs" c="dimmed">
                      Shared by {shared.name || shared.email}
                    </Text>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>{account.providerName}</Table.Td>
              <Table.Td>
                <AccountStatusLine account={account} />
              </Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  <AccountFixAction account={account} onChanged={onChanged} />
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => navigate(accountPath(account.id))}
                    aria-label={`Settings of ${account.email}`}
                  >
                    Settings
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
