import { Alert, Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { IconInfoCircle, IconServer } from '@tabler/icons-react';
import type { Provider } from '../../providers/providers.api.js';
import type { Detection } from '../accounts.api.js';
import { VerificationFailure } from '../VerificationFailure.js';

/** When the address's provider is not known: pick one, or (if allowed) add a new server. */
export function ProviderStep({
  domain,
  detection,
  providers,
  chosenId,
  mayAddServers,
  error,
  onChoose,
  onPicked,
  onAddServers,
  onBack,
}: {
  domain: string;
  detection: Detection | null;
  providers: Provider[];
  chosenId: string;
  mayAddServers: boolean;
  error: unknown;
  onChoose: (providerId: string) => void;
  onPicked: (provider: Provider) => void;
  onAddServers: () => void;
  onBack: () => void;
}) {
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const chosen = providers.find((p) => p.id === chosenId);
        if (chosen) onPicked(chosen);
      }}
    >
      <Stack>
        <Alert
          variant="light"
          color="blue"
          icon={<IconInfoCircle size={18} />}
          title={`The provider of ${domain} is not known yet`}
        >
          Choose the provider (mail server) of this mailbox
          {mayAddServers
            ? ', or add a new server.'
            : '. If it is not listed, ask your administrator to add it.'}{' '}
          Mailyard remembers the choice for {domain}.
        </Alert>
        {detection?.provider?.imap?.host && (
          <Text size="sm" c="dimmed">
            Suggested settings: incoming {detection.provider.imap.host}, outgoing{' '}
            {detection.provider.smtp?.host ?? '—'}.
          </Text>
        )}
        {error !== null && <VerificationFailure error={error} />}
        <NativeSelect
          label="Provider"
          value={chosenId}
          onChange={(e) => onChoose(e.currentTarget.value)}
          data={[
            { value: '', label: providers.length > 0 ? 'Choose a provider…' : 'No providers yet' },
            ...providers.map((p) => ({ value: p.id, label: p.name })),
          ]}
        />
        <Group justify="space-between">
          {mayAddServers ? (
            <Button variant="light" leftSection={<IconServer size={16} />} onClick={onAddServers}>
              Add New Server
            </Button>
          ) : (
            <span />
          )}
          <Group>
            <Button variant="default" onClick={onBack}>
              Back
            </Button>
            <Button type="submit" disabled={chosenId === ''}>
              Next
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
