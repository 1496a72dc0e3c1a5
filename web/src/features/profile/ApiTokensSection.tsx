import { Alert, Button, CopyButton, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconCheck, IconCopy, IconKey } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage, fieldErrorsOf } from '../../shared/api.js';
import { ConfirmModal } from '../../shared/ConfirmModal.js';
import { formatDateTime } from '../../shared/format.js';
import { notifySuccess } from '../../shared/notify.js';
import { useApiData } from '../../shared/useApiData.js';
import { tokensApi, type ApiToken, type CreatedApiToken } from './tokens.api.js';

export function ApiTokensSection() {
  const tokens = useApiData(tokensApi.list);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  return (
    <Stack gap="lg">
      <Paper withBorder p="lg">
        <Title order={3} fz="lg" mb={4}>
          API tokens
        </Title>
        <Text c="dimmed" size="sm" mb="md">
          Integrations call the Mailyard API as you with <code>Authorization: Bearer &lt;token&gt;</code>.
        </Text>
        {created ? (
          <NewTokenNotice token={created} onDone={() => setCreated(null)} />
        ) : (
          <CreateTokenForm
            onCreated={(token) => {
              setCreated(token);
              tokens.reload();
            }}
          />
        )}
      </Paper>

      <Paper withBorder>
        {tokens.error !== null ? (
          <Alert color="red" variant="light" m="md">
            {errorMessage(tokens.error)}
          </Alert>
        ) : (
          <TokensTable items={tokens.data?.items} loading={tokens.loading} onRevoke={setRevoking} />
        )}
      </Paper>

      {revoking && (
        <RevokeTokenModal
          token={revoking}
          revoke={() => tokensApi.revoke(revoking.id)}
          onClose={() => setRevoking(null)}
          onRevoked={tokens.reload}
        />
      )}
    </Stack>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedApiToken) => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = fieldErrorsOf(error);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onCreated(await tokensApi.create(name.trim()));
      setName('');
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Group align="flex-start" gap="sm">
        <TextInput
          label="Token name"
          placeholder="e.g. CRM integration"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={fields.name ?? (error !== null ? errorMessage(error) : undefined)}
          style={{ flex: 1, minWidth: 220 }}
        />
        <Button type="submit" loading={busy} leftSection={<IconKey size={16} />} mt={25}>
          Create token
        </Button>
      </Group>
    </form>
  );
}

function NewTokenNotice({ token, onDone }: { token: CreatedApiToken; onDone: () => void }) {
  return (
    <Alert
      color="teal"
      variant="outline"
      icon={<IconCheck size={18} />}
      title={`Token “${token.name}” created`}
    >
      <Stack gap="sm">
        <Text size="sm">Copy it now: it is shown only once and cannot be retrieved later.</Text>
        <Group gap="sm" align="flex-end" wrap="nowrap">
          <TextInput
            label="New token"
            value={token.token}
            readOnly
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            style={{ flex: 1 }}
            onFocus={(event) => event.currentTarget.select()}
          />
          <CopyButton value={token.token}>
            {({ copied, copy }) => (
              <Button
                variant={copied ? 'filled' : 'default'}
                color={copied ? 'teal' : undefined}
                leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                onClick={copy}
              >
                {copied ? 'Copied' : 'Copy token'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Group justify="flex-end">
          <Button variant="subtle" onClick={onDone}>
            Done
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

/** The last question before a token stops working. */
export function RevokeTokenModal({
  token,
  revoke,
  onClose,
  onRevoked,
}: {
  token: ApiToken;
  revoke: () => Promise<unknown>;
  onClose: () => void;
  onRevoked: () => void;
}) {
  return (
    <ConfirmModal
      title="Revoke token"
      confirmLabel="Revoke"
      onClose={onClose}
      onConfirm={async () => {
        await revoke();
        notifySuccess(`Token “${token.name}” revoked`);
        onRevoked();
      }}
    >
      Integrations using “{token.name}” stop working immediately. This cannot be undone.
    </ConfirmModal>
  );
}

/** A list of API tokens with a Revoke button each (one's own, or an admin's view of a user's). */
export function TokensTable({
  items,
  loading,
  onRevoke,
}: {
  items: ApiToken[] | undefined;
  loading: boolean;
  onRevoke: (token: ApiToken) => void;
}) {
  if (!items)
    return (
      <Text p="md" c="dimmed" size="sm">
        {loading ? 'Loading tokens…' : 'No API tokens yet.'}
      </Text>
    );
  if (items.length === 0)
    return (
      <Text p="md" c="dimmed" size="sm">
        No API tokens yet.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover aria-label="API tokens">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((token) => (
            <Table.Tr key={token.id}>
              <Table.Td fw={500}>{token.name}</Table.Td>
              <Table.Td>{formatDateTime(token.createdAt)}</Table.Td>
              <Table.Td>{formatDateTime(token.lastUsedAt)}</Table.Td>
              <Table.Td ta="right">
                <Button
                  variant="subtle"
                  color="red"
                  size="compact-sm"
                  aria-label={`Revoke ${token.name}`}
                  onClick={() => onRevoke(token)}
                >
                  Revoke
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
