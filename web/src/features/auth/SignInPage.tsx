import {
  Alert,
  Box,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { useAuth } from '../../app/AuthContext.js';
import { ApiError } from '../../shared/api.js';
import { Logo } from '../../shared/Logo.js';
import { signInErrorMessage } from './sign-in-errors.js';
import { authApi } from './auth.api.js';
import { FirstRunSetup } from './FirstRunSetup.js';

export function SignInPage() {
  const { signIn } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = error instanceof ApiError ? error.fieldErrors : {};

  const [setupNeeded, setSetupNeeded] = useState(false);

  useEffect(() => {
    document.title = 'Sign in · Mailyard';
    // A fresh installation has no users: offer the first-run setup instead of a sign-in that
    // cannot succeed. If the check fails, the ordinary sign-in form is the safe fallback.
    authApi.setupNeeded().then(
      (answer) => setSetupNeeded(answer.needed),
      () => undefined,
    );
  }, []);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  return (
    <Box
      mih="100dvh"
      style={{
        background:
          'radial-gradient(1200px 600px at 10% -10%, var(--mantine-color-indigo-light), transparent 60%), radial-gradient(900px 500px at 110% 110%, var(--mantine-color-cyan-light), transparent 60%)',
      }}
    >
      <Center mih="100dvh" p="md">
        <Stack w="100%" maw={400} gap="lg">
          <Center>
            <Logo size="lg" />
          </Center>
          <Paper withBorder shadow="md" p="xl" radius="lg">
            {setupNeeded ? (
              <FirstRunSetup onDone={() => setSetupNeeded(false)} />
            ) : (
              <form onSubmit={(event) => void submit(event)} noValidate>
                <Stack gap="md">
                  <div>
                    <Title order={1} fz={22}>
                      Sign in
                    </Title>
                    <Text c="dimmed" size="sm">
                      Use your Mailyard account.
                    </Text>
                  </div>
                  {error !== null && Object.keys(fields).length === 0 && (
                    <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
                      {signInErrorMessage(error)}
                    </Alert>
                  )}
                  <TextInput
                    label="Email"
                    type="email"
                    autoComplete="username"
                    placeholder="you@example.com"
                    value={email}
                    onChange={(event) => setEmail(event.currentTarget.value)}
                    error={fields.email}
                    autoFocus
                  />
                  <PasswordInput
                    label="Password"
                    autoComplete="current-password"
                    value={password}
                    onChange={(event) => setPassword(event.currentTarget.value)}
                    error={fields.password}
                    visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the text' }}
                  />
                  <Button type="submit" fullWidth loading={busy} mt="xs">
                    Sign in
                  </Button>
                </Stack>
              </form>
            )}
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
