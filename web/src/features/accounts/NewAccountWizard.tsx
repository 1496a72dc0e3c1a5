// The "New email account" window of the seed guide: address → Next → provider (identified, or
// picked, or Add New Server → Add → provider form → Apply) → credentials → Connect (IMAP login
// and SMTP authentication are verified before anything is saved) → connected, syncing.
import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Loader,
  Modal,
  NativeSelect,
  Paper,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  ThemeIcon,
} from '@mantine/core';
import { IconCircleCheck, IconInfoCircle, IconServer } from '@tabler/icons-react';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useCurrentUser } from '../../app/AuthContext.js';
import { ApiError, fieldErrorsOf } from '../../shared/api.js';
import { ProviderForm } from '../providers/ProviderForm.js';
import { providersApi, settingsApi, type Provider } from '../providers/providers.api.js';
import { notesOf } from './account-status.js';
import { AccountStatusLine } from './AccountStatus.js';
import { accountsApi, type Account, type Detection } from './accounts.api.js';
import { isBusy, usePolling } from './usePolling.js';
import { VerificationFailure } from './VerificationFailure.js';
import { OAuthReturnNotice } from '../oauth/OAuthReturnNotice.js';
import { OAuthSignInButton } from '../oauth/OAuthSignInButton.js';

type Step = 'address' | 'provider' | 'servers' | 'server-form' | 'credentials' | 'verifying' | 'done';

const LOGIN_FORMAT_WORDS: Record<Provider['loginFormat'], string> = {
  manual: 'entered by you',
  email: 'your email address',
  localPart: 'the part of your address before “@”',
};

const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function derivedLogin(provider: Provider, email: string): string {
  switch (provider.loginFormat) {
    case 'email':
      return email;
    case 'localPart':
      return email.slice(0, email.lastIndexOf('@'));
    case 'manual':
      return '';
  }
}

export function NewAccountWizard({
  onClose,
  onOpenSettings,
}: {
  onClose: () => void;
  onOpenSettings: (account: Account) => void;
}) {
  const user = useCurrentUser();
  const [step, setStep] = useState<Step>('address');
  const [email, setEmail] = useState('');
  const [detection, setDetection] = useState<Detection | null>(null);
  const [provider, setProvider] = useState<Provider | null>(null);
  const [providers, setProviders] = useState<Provider[]>([]);
  const [chosenId, setChosenId] = useState('');
  const [pickedByHand, setPickedByHand] = useState(false);
  const [mayAddServers, setMayAddServers] = useState(user.role === 'admin');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [account, setAccount] = useState<Account | null>(null);
  const fields = fieldErrorsOf(error);
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();

  useEffect(() => {
    if (user.role === 'admin') return;
    const controller = new AbortController();
    settingsApi.get(controller.signal).then(
      (s) => setMayAddServers(s.allowUsersToAddProviders),
      () => setMayAddServers(false),
    );
    return () => controller.abort();
  }, [user.role]);

  const loadProviders = useCallback(async () => {
    const list = (await providersApi.list()).items;
    setProviders(list);
    return list;
  }, []);

  const goToCredentials = (chosen: Provider, byHand: boolean) => {
    setProvider(chosen);
    setPickedByHand(byHand);
    setLogin(derivedLogin(chosen, email.trim().toLowerCase()));
    setError(null);
    setStep('credentials');
  };

  const submitAddress = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const address = email.trim();
    if (!emailShape.test(address)) {
      setError(
        new ApiError(400, 'validation_failed', 'Enter an email address', {
          fields: { email: 'enter an email address such as name@example.com' },
        }),
      );
      return;
    }
    setBusy(true);
    setError(null);
    try {
      let found: Detection | null = null;
      try {
        found = await accountsApi.detect(address);
      } catch {
        // Detection is a convenience: when it fails, the user picks the provider.
      }
      setDetection(found);
      if (found?.providerId) {
        goToCredentials(await providersApi.get(found.providerId), false);
      } else {
        await loadProviders();
        setChosenId('');
        setStep('provider');
      }
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  const connect = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!provider) return;
    setError(null);
    setStep('verifying');
    try {
      const created = await accountsApi.create({
        email: email.trim(),
        password,
        ...(pickedByHand && { providerId: provider.id }),
        ...(provider.loginFormat === 'manual' && { login }),
      });
      setAccount(created);
      setPassword('');
      setStep('done');
    } catch (reason) {
      setError(reason);
      // The server may not know the provider for this domain after all (lookup changed meanwhile).
      if (reason instanceof ApiError && reason.code === 'provider_required') {
        await loadProviders();
        setStep('provider');
      } else {
        setStep('credentials');
      }
    }
  };

  const refreshAccount = useCallback(() => {
    if (!account) return;
    accountsApi.get(account.id).then(setAccount, () => undefined);
  }, [account]);
  usePolling(refreshAccount, step === 'done' && account !== null && isBusy(account.status.state));

  const wide = step === 'server-form' || step === 'servers';
  // Detection's notes are about the provider it found (and repeat that provider's own): show each once.
  const detectedNotes =
    detection?.providerId !== undefined && detection.providerId === provider?.id
      ? notesOf(detection.notes)
      : [];
  const notes = [...new Set([...detectedNotes, ...notesOf(provider?.notes)])];

  return (
    <Modal
      opened
      onClose={onClose}
      title="New email account"
      size={wide ? 'xl' : 'lg'}
      centered
      closeOnClickOutside={false}
    >
      {step === 'address' && (
        <form onSubmit={(event) => void submitAddress(event)} noValidate>
          <Stack>
            <OAuthReturnNotice />
            <Text size="sm" c="dimmed">
              Enter the address of the mailbox to connect. Mailyard finds its provider and server settings.
            </Text>
            <TextInput
              label="Email address"
              type="email"
              placeholder="name@example.com"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={fields.email}
              autoComplete="email"
              data-autofocus
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                Next
              </Button>
            </Group>
          </Stack>
        </form>
      )}

      {step === 'provider' && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const chosen = providers.find((p) => p.id === chosenId);
            if (chosen) goToCredentials(chosen, true);
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
              onChange={(e) => setChosenId(e.currentTarget.value)}
              data={[
                { value: '', label: providers.length > 0 ? 'Choose a provider…' : 'No providers yet' },
                ...providers.map((p) => ({ value: p.id, label: p.name })),
              ]}
            />
            <Group justify="space-between">
              {mayAddServers ? (
                <Button
                  variant="light"
                  leftSection={<IconServer size={16} />}
                  onClick={() => setStep('servers')}
                >
                  Add New Server
                </Button>
              ) : (
                <span />
              )}
              <Group>
                <Button variant="default" onClick={() => setStep('address')}>
                  Back
                </Button>
                <Button type="submit" disabled={chosenId === ''}>
                  Next
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      )}

      {step === 'servers' && (
        <Stack>
          <Group justify="space-between">
            <Text fw={500}>Email providers</Text>
            <Button onClick={() => setStep('server-form')}>Add</Button>
          </Group>
          <Paper withBorder>
            <Table aria-label="Email providers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Inbound mail server (IMAP)</Table.Th>
                  <Table.Th>Outgoing mail server (SMTP)</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {providers.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>{p.name}</Table.Td>
                    <Table.Td>{p.imap.host}</Table.Td>
                    <Table.Td>{p.smtp.host}</Table.Td>
                  </Table.Tr>
                ))}
                {providers.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={3}>
                      <Text size="sm" c="dimmed">
                        No providers yet.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </Paper>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setStep('provider')}>
              Back
            </Button>
          </Group>
        </Stack>
      )}

      {step === 'server-form' && (
        <ProviderForm
          initialDomains={domain ? [domain] : []}
          onCancel={() => setStep('servers')}
          onApplied={(saved) => {
            void loadProviders();
            goToCredentials(saved, true);
          }}
        />
      )}

      {(step === 'credentials' || step === 'verifying') && provider && (
        <form onSubmit={(event) => void connect(event)} noValidate>
          <Stack>
            <Paper withBorder p="sm">
              <Group justify="space-between" wrap="nowrap">
                <Stack gap={2}>
                  <Text fw={500}>{email.trim()}</Text>
                  <Text size="sm" c="dimmed">
                    {provider.name} · {provider.imap.host} / {provider.smtp.host}
                  </Text>
                </Stack>
                <Badge variant="light">{pickedByHand ? 'Chosen by you' : 'Identified'}</Badge>
              </Group>
            </Paper>
            {notes.length > 0 && (
              <Alert
                variant="light"
                color="yellow"
                icon={<IconInfoCircle size={18} />}
                title="Note from the provider settings"
              >
                <List size="sm">
                  {notes.map((note) => (
                    <List.Item key={note}>{note}</List.Item>
                  ))}
                </List>
              </Alert>
            )}
            {step === 'credentials' && error !== null && Object.keys(fields).length === 0 && (
              <VerificationFailure error={error} />
            )}
            {provider.auth.method === 'oauth2' ? (
              <Text size="sm">
                {provider.name} signs in with OAuth 2.0 instead of a password: <b>Sign in</b> opens its sign-in page;
                sign in there as {email.trim()} and allow access.
              </Text>
            ) : (
              <>
                {provider.loginFormat === 'manual' ? (
                  <TextInput
                    label="Login"
                    description="The user name this mailbox signs in with."
                    value={login}
                    onChange={(e) => setLogin(e.currentTarget.value)}
                    error={fields.login}
                    autoComplete="username"
                    disabled={step === 'verifying'}
                  />
                ) : (
                  <Text size="sm">
                    Login: <b>{login}</b>{' '}
                    <Text span c="dimmed" size="sm">
                      ({LOGIN_FORMAT_WORDS[provider.loginFormat]})
                    </Text>
                  </Text>
                )}
                <PasswordInput
                  label="Password"
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                  error={fields.password}
                  autoComplete="current-password"
                  disabled={step === 'verifying'}
                  visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the password' }}
                  data-autofocus
                />
              </>
            )}
            {step === 'verifying' && (
              <Group gap="sm" role="status">
                <Loader size="sm" />
                <Text size="sm">Checking the IMAP login and SMTP authentication…</Text>
              </Group>
            )}
            <Group justify="flex-end">
              <Button
                variant="default"
                onClick={() => setStep(pickedByHand ? 'provider' : 'address')}
                disabled={step === 'verifying'}
              >
                Back
              </Button>
              {provider.auth.method === 'oauth2' && (
                <OAuthSignInButton email={email.trim()} providerId={provider.id} onError={setError} />
              )}
              {provider.auth.method !== 'oauth2' && (
                <Button
                  type="submit"
                  loading={step === 'verifying'}
                  disabled={password === '' || (provider.loginFormat === 'manual' && login.trim() === '')}
                >
                  Connect
                </Button>
              )}
            </Group>
          </Stack>
        </form>
      )}

      {step === 'done' && account && (
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
      )}
    </Modal>
  );
}
