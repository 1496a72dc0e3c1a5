// "Email providers": the mail servers people can connect mailboxes from (seed step 5: Add).
import { Alert, Badge, Button, Group, Paper, Stack, Switch, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { paths } from '../../app/paths.js';
import { navigate, toHref } from '../../app/router.js';
import { errorMessage } from '../../shared/api.js';
import { notifyError, notifySuccess } from '../../shared/notify.js';
import { PageHeader } from '../../shared/PageHeader.js';
import { useApiData } from '../../shared/useApiData.js';
import { DeleteProviderModal } from './DeleteProviderModal.js';
import { AUTH_METHOD_LABELS, LOGIN_FORMAT_LABELS, describeEndpoint } from './provider-form.js';
import { providersApi, settingsApi, type Provider } from './providers.api.js';

export function ProvidersPage() {
  const providers = useApiData(providersApi.list);
  const [deleting, setDeleting] = useState<Provider | null>(null);

  return (
    <>
      <PageHeader
        title="Email providers"
        description="The IMAP/SMTP mail servers people can connect mailboxes from."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => navigate(paths.newProvider)}>
            Add
          </Button>
        }
      />

      <Stack gap="lg">
        <Paper withBorder>
          {providers.error !== null ? (
            <Alert color="red" variant="light" m="md">
              {errorMessage(providers.error)}
            </Alert>
          ) : (
            <ProvidersTable
              items={providers.data?.items}
              loading={providers.loading}
              onDelete={setDeleting}
            />
          )}
        </Paper>
        <UsersMayAddProviders />
      </Stack>

      {deleting && (
        <DeleteProviderModal
          provider={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            notifySuccess(`Deleted ${deleting.name}`);
            setDeleting(null);
            providers.reload();
          }}
        />
      )}
    </>
  );
}

function ProvidersTable({
  items,
  loading,
  onDelete,
}: {
  items: Provider[] | undefined;
  loading: boolean;
  onDelete: (p: Provider) => void;
}) {
  if (!items || items.length === 0) {
    return (
      <Text p="md" c="dimmed" size="sm">
        {loading ? 'Loading providers…' : 'No providers yet. Click Add and enter the two mail servers.'}
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover aria-label="Email providers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Inbound (IMAP)</Table.Th>
            <Table.Th>Outgoing (SMTP)</Table.Th>
            <Table.Th>Login</Table.Th>
            <Table.Th>Domains</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((provider) => (
            <Table.Tr key={provider.id}>
              <Table.Td fw={500}>
                <a href={toHref(paths.provider(provider.id))}>{provider.name}</a>
                <Group gap={4} mt={4}>
                  <Badge
                    size="xs"
                    variant="light"
                    color={provider.auth.method === 'oauth2' ? 'grape' : 'gray'}
                  >
                    {AUTH_METHOD_LABELS[provider.auth.method]}
                  </Badge>
                  {provider.trusted === false && (
                    <Badge
                      size="xs"
                      variant="light"
                      color="red"
                      title="A user added this provider: check its servers, then save it to mark it reviewed"
                    >
                      Added by a user
                    </Badge>
                  )}
                  {!provider.allowReceive && (
                    <Badge size="xs" variant="light" color="orange">
                      No receiving
                    </Badge>
                  )}
                  {!provider.allowSend && (
                    <Badge size="xs" variant="light" color="orange">
                      No sending
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <Endpoint text={describeEndpoint(provider.imap)} clear={provider.imap.security === 'none'} />
              </Table.Td>
              <Table.Td>
                <Endpoint text={describeEndpoint(provider.smtp)} clear={provider.smtp.security === 'none'} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{LOGIN_FORMAT_LABELS[provider.loginFormat]}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{provider.domains.length > 0 ? provider.domains.join(', ') : '—'}</Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  <Button
                    variant="subtle"
                    size="compact-sm"
                    aria-label={`Edit ${provider.name}`}
                    onClick={() => navigate(paths.provider(provider.id))}
                  >
                    Edit
                  </Button>
                  <Button
                    variant="subtle"
                    color="red"
                    size="compact-sm"
                    aria-label={`Delete ${provider.name}`}
                    onClick={() => onDelete(provider)}
                  >
                    Delete
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Endpoint({ text, clear }: { text: string; clear: boolean }) {
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" ff="monospace">
        {text}
      </Text>
      {clear && (
        <Badge size="xs" color="orange" variant="light" title="Passwords cross the network in clear text">
          clear text
        </Badge>
      )}
    </Group>
  );
}

/** The system setting that lets users, not only admins, use "Add New Server" in the wizard. */
function UsersMayAddProviders() {
  const settings = useApiData(settingsApi.get);
  const [saving, setSaving] = useState(false);
  const checked = settings.data?.allowUsersToAddProviders ?? false;

  const toggle = async (allow: boolean) => {
    setSaving(true);
    try {
      await settingsApi.update({ allowUsersToAddProviders: allow });
      notifySuccess(
        allow ? 'Users can now add email providers' : 'Only administrators can add email providers now',
      );
      settings.reload();
    } catch (error) {
      notifyError(error, 'The setting was not saved');
    } finally {
      setSaving(false);
    }
  };

  return (
    <Paper withBorder p="md">
      <Switch
        label="Let users add email providers"
        description="When on, people who are not administrators can use “Add New Server” while connecting a mailbox (password sign-in only, no domains, no servers on private networks). Their providers are marked “Added by a user”: review each one and save it to trust it. Only administrators can change or delete providers."
        checked={checked}
        disabled={settings.loading || saving || settings.error !== null}
        onChange={(e) => void toggle(e.currentTarget.checked)}
      />
    </Paper>
  );
}
