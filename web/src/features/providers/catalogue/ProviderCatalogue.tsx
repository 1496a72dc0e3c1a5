// "Well-known providers": the built-in catalogue, each entry one click away from being a
// provider. OAuth-only services (Outlook.com, Microsoft 365) first ask for the admin's OAuth client.
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { errorMessage, fieldErrorsOf } from '../../../shared/api.js';
import { notifySuccess } from '../../../shared/notify.js';
import { useApiData } from '../../../shared/useApiData.js';
import type { Provider, ServerEndpoint } from '../providers.api.js';
import { catalogueApi, needsOAuthClient, type CatalogueEntry, type OAuthClient } from './catalogue.api.js';

const SECURITY_LABELS = { tls: 'TLS', starttls: 'STARTTLS', none: 'no encryption' } as const;
const describe = (e: ServerEndpoint) => `${e.host}:${e.port} (${SECURITY_LABELS[e.security]})`;

function matches(entry: CatalogueEntry, query: string): boolean {
  const q = query.trim().toLowerCase();
  return q === '' || entry.name.toLowerCase().includes(q) || entry.domains.some((d) => d.includes(q));
}

export function ProviderCatalogue({ onCreated }: { onCreated?: (provider: Provider) => void }) {
  const catalogue = useApiData(catalogueApi.list);
  const [query, setQuery] = useState('');
  const [adding, setAdding] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [askClientFor, setAskClientFor] = useState<CatalogueEntry | null>(null);

  const items = useMemo(
    () => (catalogue.data?.items ?? []).filter((e) => matches(e, query)),
    [catalogue.data, query],
  );

  async function add(entry: CatalogueEntry, client?: OAuthClient): Promise<boolean> {
    setAdding(entry.id);
    setError(null);
    try {
      const provider = await catalogueApi.addProvider(entry, client);
      notifySuccess(`Added ${provider.name}`);
      onCreated?.(provider);
      return true;
    } catch (reason) {
      setError(reason);
      return false;
    } finally {
      setAdding(null);
    }
  }

  if (catalogue.error !== null) {
    return (
      <Alert color="red" variant="light">
        {errorMessage(catalogue.error)}
      </Alert>
    );
  }

  return (
    <Stack gap="md">
      <TextInput
        label="Search well-known providers"
        placeholder="Name or domain, e.g. gmail.com"
        leftSection={<IconSearch size={16} />}
        value={query}
        onChange={(event) => setQuery(event.currentTarget.value)}
        maw={360}
      />
      {error !== null && askClientFor === null && (
        <Alert color="red" variant="light" title="The provider was not added">
          {errorMessage(error)}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={900}>
        <Table verticalSpacing="sm" horizontalSpacing="md" aria-label="Well-known providers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Provider</Table.Th>
              <Table.Th>Inbound (IMAP)</Table.Th>
              <Table.Th>Outgoing (SMTP)</Table.Th>
              <Table.Th>Sign-in</Table.Th>
              <Table.Th>What people need to know</Table.Th>
              <Table.Th aria-label="Actions" />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((entry) => (
              <Table.Tr key={entry.id}>
                <Table.Td>
                  <Text fw={500}>{entry.name}</Text>
                  <Text size="xs" c="dimmed">
                    {entry.domains.length > 0
                      ? entry.domains.slice(0, 4).join(', ') + (entry.domains.length > 4 ? ', …' : '')
                      : 'custom domains'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{describe(entry.imap)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{describe(entry.smtp)}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {entry.authMethods.map((m) => (
                      <Badge key={m} variant="light" color={m === 'oauth2' ? 'grape' : 'gray'}>
                        {m === 'oauth2' ? 'OAuth 2.0' : 'Password'}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td maw={360}>
                  {entry.notes.map((note) => (
                    <Text key={note} size="xs">
                      {note}
                    </Text>
                  ))}
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    leftSection={<IconPlus size={14} />}
                    aria-label={`Add ${entry.name}`}
                    loading={adding === entry.id}
                    onClick={() => {
                      if (needsOAuthClient(entry)) {
                        setError(null);
                        setAskClientFor(entry);
                      } else void add(entry);
                    }}
                  >
                    Add
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {!catalogue.loading && items.length === 0 && (
        <Text size="sm" c="dimmed">
          No well-known provider matches “{query}”.
        </Text>
      )}
      {askClientFor && (
        <OAuthClientModal
          entry={askClientFor}
          error={error}
          saving={adding === askClientFor.id}
          onClose={() => setAskClientFor(null)}
          onSubmit={async (client) => {
            if (await add(askClientFor, client)) setAskClientFor(null);
          }}
        />
      )}
    </Stack>
  );
}

function OAuthClientModal(props: {
  entry: CatalogueEntry;
  error: unknown;
  saving: boolean;
  onClose: () => void;
  onSubmit: (client: OAuthClient) => Promise<void>;
}) {
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const fields = fieldErrorsOf(props.error);
  return (
    <Modal opened onClose={props.onClose} title={`Add ${props.entry.name}`}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void props.onSubmit({ clientId: clientId.trim(), clientSecret });
        }}
      >
        <Stack gap="sm">
          <Text size="sm">
            {props.entry.name} accepts only OAuth 2.0 sign-in. Enter the client ID and secret of the app you
            registered with the provider; the endpoints and scopes are filled in.
          </Text>
          <TextInput
            label="Client ID"
            required
            value={clientId}
            onChange={(e) => setClientId(e.currentTarget.value)}
            error={fields['auth.clientId']}
          />
          <PasswordInput
            label="Client secret"
            required
            value={clientSecret}
            onChange={(e) => setClientSecret(e.currentTarget.value)}
            error={fields['auth.clientSecret']}
          />
          {props.error !== null && Object.keys(fields).length === 0 && (
            <Alert color="red" variant="light">
              {errorMessage(props.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={props.saving}>
              Add provider
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
