import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Loader,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import type { FormEvent } from 'react';
import { OAuthSignInButton } from '../../oauth/OAuthSignInButton.js';
import type { Provider } from '../../providers/providers.api.js';
import { VerificationFailure } from '../VerificationFailure.js';

const LOGIN_FORMAT_WORDS: Record<Provider['loginFormat'], string> = {
  manual: 'entered by you',
  email: 'your email address',
  localPart: 'the part of your address before “@”',
};

/** The login and password (or OAuth sign-in) for the chosen provider, and Connect. */
export function CredentialsStep({
  email,
  provider,
  pickedByHand,
  notes,
  login,
  password,
  verifying,
  error,
  fields,
  onLoginChange,
  onPasswordChange,
  onConnect,
  onBack,
  onError,
}: {
  email: string;
  provider: Provider;
  pickedByHand: boolean;
  notes: string[];
  login: string;
  password: string;
  /** Connect was pressed: the servers are checking the login */
  verifying: boolean;
  error: unknown;
  fields: Record<string, string>;
  onLoginChange: (login: string) => void;
  onPasswordChange: (password: string) => void;
  onConnect: (event: FormEvent<HTMLFormElement>) => Promise<void>;
  onBack: () => void;
  onError: (error: unknown) => void;
}) {
  return (
    <form onSubmit={(event) => void onConnect(event)} noValidate>
      <Stack>
        <Paper withBorder p="sm">
          <Group justify="space-between" wrap="nowrap">
            <Stack gap={2}>
              <Text fw={500}>{email}</Text>
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
        {!verifying && error !== null && Object.keys(fields).length === 0 && (
          <VerificationFailure error={error} />
        )}
        {provider.auth.method === 'oauth2' ? (
          <Text size="sm">
            {provider.name} signs in with OAuth 2.0 instead of a password: <b>Sign in</b> opens its sign-in
            page; sign in there as {email} and allow access.
          </Text>
        ) : (
          <>
            {provider.loginFormat === 'manual' ? (
              <TextInput
                label="Login"
                description="The user name this mailbox signs in with."
                value={login}
                onChange={(e) => onLoginChange(e.currentTarget.value)}
                error={fields.login}
                autoComplete="username"
                disabled={verifying}
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
              onChange={(e) => onPasswordChange(e.currentTarget.value)}
              error={fields.password}
              autoComplete="current-password"
              disabled={verifying}
              visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the password' }}
              data-autofocus
            />
          </>
        )}
        {verifying && (
          <Group gap="sm" role="status">
            <Loader size="sm" />
            <Text size="sm">Checking the IMAP login and SMTP authentication…</Text>
          </Group>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onBack} disabled={verifying}>
            Back
          </Button>
          {provider.auth.method === 'oauth2' && (
            <OAuthSignInButton email={email} providerId={provider.id} onError={onError} />
          )}
          {provider.auth.method !== 'oauth2' && (
            <Button
              type="submit"
              loading={verifying}
              disabled={password === '' || (provider.loginFormat === 'manual' && login.trim() === '')}
            >
              Connect
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
