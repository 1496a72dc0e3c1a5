// "Email providers domains": which provider serves each email domain, so people connecting a
// mailbox at that domain are not asked for a mail server.
import { Alert, Button, Group, NativeSelect, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { paths } from '../../app/paths.js';
import { toHref } from '../../app/router.js';
import { errorMessage, fieldErrorsOf } from '../../shared/api.js';
import { ConfirmModal } from '../../shared/ConfirmModal.js';
import { notifySuccess } from '../../shared/notify.js';
import { PageHeader } from '../../shared/PageHeader.js';
import { useApiData } from '../../shared/useApiData.js';
import { providersApi } from '../providers/providers.api.js';
import { domainsApi, type DomainEntry } from './domains.api.js';

export function ProviderDomainsPage() {
  const domains = useApiData(domainsApi.list);
  const [removing, setRemoving] = useState<DomainEntry | null>(null);

  return (
    <>
      <PageHeader
        title="Email providers domains"
        description="Which provider serves each email domain. Addresses at these domains are set up without asking for a mail server."
      />
      <Stack gap="lg">
        <AddDomainForm onAdded={domains.reload} />
        <Paper withBorder>
          {domains.error !== null ? (
            <Alert color="red" variant="light" m="md">
              {errorMessage(domains.error)}
            </Alert>
          ) : (
            <DomainsTable items={domains.data?.items} loading={domains.loading} onRemove={setRemoving} />
          )}
        </Paper>
      </Stack>

      {removing && (
        <ConfirmModal
          title="Remove domain"
          confirmLabel="Remove"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await domainsApi.remove(removing.domain);
            notifySuccess(`Removed ${removing.domain}`);
            domains.reload();
          }}
        >
          Remove <b>{removing.domain}</b> from {removing.providerName}? People with addresses at this domain
          will pick the provider themselves.
        </ConfirmModal>
      )}
    </>
  );
}

function AddDomainForm({ onAdded }: { onAdded: () => void }) {
  const providers = useApiData(providersApi.list);
  const [domain, setDomain] = useState('');
  const [providerId, setProviderId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = fieldErrorsOf(error);
  const items = providers.data?.items ?? [];
  const chosen = providerId || items[0]?.id || '';

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const added = await domainsApi.add(domain, chosen);
      notifySuccess(`${added.domain} now uses ${added.providerName}`);
      setDomain('');
      onAdded();
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  if (!providers.loading && items.length === 0) {
    return (
      <Alert variant="light">
        Add an email provider first: <a href={toHref(paths.providers)}>Email providers</a>.
      </Alert>
    );
  }

  return (
    <Paper withBorder p="md">
      <form onSubmit={(event) => void submit(event)} noValidate aria-label="Add domain">
        <Stack gap="sm">
          <Group align="flex-start" grow preventGrowOverflow={false}>
            <TextInput
              label="Domain"
              placeholder="example.com"
              required
              value={domain}
              onChange={(e) => setDomain(e.currentTarget.value)}
              error={fields.domain}
            />
            <NativeSelect
              label="Provider"
              data={items.map((p) => ({ value: p.id, label: p.name }))}
              value={chosen}
              onChange={(e) => setProviderId(e.currentTarget.value)}
              error={fields.providerId}
            />
          </Group>
          {error !== null && Object.keys(fields).length === 0 && (
            <Alert color="red" variant="light" role="alert">
              {errorMessage(error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button
              type="submit"
              loading={busy}
              disabled={chosen === ''}
              leftSection={<IconPlus size={16} />}
            >
              Add domain
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function DomainsTable({
  items,
  loading,
  onRemove,
}: {
  items: DomainEntry[] | undefined;
  loading: boolean;
  onRemove: (d: DomainEntry) => void;
}) {
  if (!items || items.length === 0) {
    return (
      <Text p="md" c="dimmed" size="sm">
        {loading ? 'Loading domains…' : 'No domains yet.'}
      </Text>
    );
  }
  return (
    <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover aria-label="Email providers domains">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Domain</Table.Th>
          <Table.Th>Provider</Table.Th>
          <Table.Th aria-label="Actions" />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((entry) => (
          <Table.Tr key={entry.domain}>
            <Table.Td ff="monospace">{entry.domain}</Table.Td>
            <Table.Td>
              <a href={toHref(paths.provider(entry.providerId))}>{entry.providerName}</a>
            </Table.Td>
            <Table.Td>
              <Group justify="flex-end">
                <Button
                  variant="subtle"
                  color="red"
                  size="compact-sm"
                  aria-label={`Remove ${entry.domain}`}
                  onClick={() => onRemove(entry)}
                >
                  Remove
                </Button>
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
