import { Alert, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { ApiError, errorMessage } from '../../shared/api.js';
import { providersApi, type AccountInUse, type Provider } from './providers.api.js';

/** The mailboxes listed by a 409 provider_in_use answer. */
function accountsInUse(error: unknown): AccountInUse[] {
  if (
    !(error instanceof ApiError) ||
    error.code !== 'provider_in_use' ||
    !Array.isArray(error.details.accounts)
  )
    return [];
  return error.details.accounts.filter(
    (a): a is AccountInUse =>
      typeof a === 'object' && a !== null && typeof (a as AccountInUse).email === 'string',
  );
}

/**
 * Deleting a provider that still has mailboxes is refused by the server (seed: "delete all its
 * mailboxes first"); this modal shows that answer with the mailboxes in question.
 */
export function DeleteProviderModal({
  provider,
  onClose,
  onDeleted,
}: {
  provider: Provider;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const inUse = accountsInUse(error);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await providersApi.remove(provider.id);
      onDeleted();
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title="Delete email provider" centered>
      <Stack>
        <Text size="sm">
          Delete <b>{provider.name}</b>? Its domains are removed from the domain lookup.
        </Text>
        {error !== null && (
          <Alert color="red" variant="light" role="alert" title="The provider was not deleted">
            <Text size="sm">{errorMessage(error)}</Text>
            {inUse.length > 0 && (
              <List size="sm" mt="xs" aria-label="Mailboxes using this provider">
                {inUse.map((account) => (
                  <List.Item key={account.id}>
                    {account.email}
                    {account.userEmail ? ` (${account.userEmail})` : ''}
                  </List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={busy}>
            {inUse.length > 0 ? 'Close' : 'Cancel'}
          </Button>
          {inUse.length === 0 && (
            <Button color="red" loading={busy} onClick={() => void confirm()}>
              Delete
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
