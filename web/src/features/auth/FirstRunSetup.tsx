import { Alert, Button, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useAuth } from '../../app/AuthContext.js';
import { ApiError } from '../../shared/api.js';
import { authApi } from './auth.api.js';

/** Shown instead of the sign-in form while no user exists: creates the first administrator. */
export function FirstRunSetup({ onDone }: { onDone: () => void }) {
  const { signIn } = useAuth();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const fields = error instanceof ApiError ? error.fieldErrors : {};

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await authApi.setup({ name: name.trim(), email: email.trim(), password });
      onDone();
      await signIn(email.trim(), password);
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <div>
          <Title order={1} fz={22}>
            Welcome to Mailyard
          </Title>
          <Text c="dimmed" size="sm">
            Create the first administrator account to get started.
          </Text>
        </div>
        {error && Object.keys(fields).length === 0 && (
          <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
            {error.message}
          </Alert>
        )}
        <TextInput
          label="Name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fields.name}
          autoFocus
        />
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={fields.email}
        />
        <PasswordInput
          label="Password"
          description="At least 8 characters"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={fields.password}
          visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the text' }}
        />
        <Button type="submit" fullWidth loading={busy} mt="xs">
          Create administrator
        </Button>
      </Stack>
    </form>
  );
}
