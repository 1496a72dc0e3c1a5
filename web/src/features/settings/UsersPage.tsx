import { Alert, Badge, Button, Group, Paper, Table, Text, Tooltip } from '@mantine/core';
import { IconUserPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useCurrentUser } from '../../app/AuthContext.js';
import { errorMessage } from '../../shared/api.js';
import { ConfirmModal } from '../../shared/ConfirmModal.js';
import { notifySuccess } from '../../shared/notify.js';
import { PageHeader } from '../../shared/PageHeader.js';
import type { User } from '../../shared/types.js';
import { useApiData } from '../../shared/useApiData.js';
import { UserFormModal } from './UserFormModal.js';
import { UserTokensModal } from './UserTokensModal.js';
import { usersApi } from './users.api.js';

type Dialog =
  | { kind: 'create' }
  | { kind: 'edit'; user: User }
  | { kind: 'tokens'; user: User }
  | { kind: 'delete'; user: User }
  | null;

export function UsersPage() {
  const me = useCurrentUser();
  const users = useApiData(usersApi.list);
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);

  return (
    <>
      <PageHeader
        title="Users"
        description="People who can sign in to Mailyard. Administrators also manage providers and settings."
        actions={
          <Button leftSection={<IconUserPlus size={16} />} onClick={() => setDialog({ kind: 'create' })}>
            New user
          </Button>
        }
      />

      <Paper withBorder>
        {users.error !== null ? (
          <Alert color="red" variant="light" m="md">
            {errorMessage(users.error)}
          </Alert>
        ) : (
          <UsersTable
            items={users.data?.items}
            loading={users.loading}
            myId={me.id}
            onEdit={(user) => setDialog({ kind: 'edit', user })}
            onTokens={(user) => setDialog({ kind: 'tokens', user })}
            onDelete={(user) => setDialog({ kind: 'delete', user })}
          />
        )}
      </Paper>

      {(dialog?.kind === 'create' || dialog?.kind === 'edit') && (
        <UserFormModal
          user={dialog.kind === 'edit' ? dialog.user : undefined}
          onClose={close}
          onSaved={(user) => {
            notifySuccess(dialog.kind === 'edit' ? `Saved ${user.email}` : `Created ${user.email}`);
            close();
            users.reload();
          }}
        />
      )}

      {dialog?.kind === 'tokens' && <UserTokensModal user={dialog.user} onClose={close} />}

      {dialog?.kind === 'delete' && (
        <ConfirmModal
          title="Delete user"
          confirmLabel="Delete"
          onClose={close}
          onConfirm={async () => {
            await usersApi.remove(dialog.user.id);
            notifySuccess(`Deleted ${dialog.user.email}`);
            users.reload();
          }}
        >
          Delete <b>{dialog.user.email}</b>? They can no longer sign in, and their API tokens stop working.
        </ConfirmModal>
      )}
    </>
  );
}

interface UsersTableProps {
  items: User[] | undefined;
  loading: boolean;
  myId: string;
  onEdit: (user: User) => void;
  onTokens: (user: User) => void;
  onDelete: (user: User) => void;
}

function UsersTable({ items, loading, myId, onEdit, onTokens, onDelete }: UsersTableProps) {
  if (!items || items.length === 0) {
    return (
      <Text p="md" c="dimmed" size="sm">
        {loading ? 'Loading users…' : 'No users yet.'}
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover aria-label="Users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((user) => {
            const isMe = user.id === myId;
            return (
              <Table.Tr key={user.id}>
                <Table.Td fw={500}>
                  <Group gap="xs" wrap="nowrap">
                    {user.name || '—'}
                    {isMe && (
                      <Badge size="xs" variant="light">
                        You
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>{user.email}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={user.role === 'admin' ? 'grape' : 'gray'}>
                    {user.role === 'admin' ? 'Administrator' : 'User'}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      aria-label={`Edit ${user.email}`}
                      onClick={() => onEdit(user)}
                    >
                      Edit
                    </Button>
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      aria-label={`API tokens of ${user.email}`}
                      onClick={() => onTokens(user)}
                    >
                      Tokens
                    </Button>
                    <Tooltip label="You cannot delete yourself" disabled={!isMe}>
                      <Button
                        variant="subtle"
                        color="red"
                        size="compact-sm"
                        aria-label={`Delete ${user.email}`}
                        disabled={isMe}
                        onClick={() => onDelete(user)}
                      >
                        Delete
                      </Button>
                    </Tooltip>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
