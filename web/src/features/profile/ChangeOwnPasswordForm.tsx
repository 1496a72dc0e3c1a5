import { Alert, Button, Group, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { errorMessage, fieldErrorsOf } from '../../shared/api.js';
import { notifySuccess } from '../../shared/notify.js';
import { profileApi } from './profile.api.js';

const toggle = { 'aria-label': 'Show or hide the text' };

/** The signed-in user's own password: the current one proves it is them. */
export function ChangeOwnPasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = fieldErrorsOf(error);
  const showGeneralError = error !== null && Object.keys(fields).length === 0;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await profileApi.changePassword(current, next);
      setCurrent('');
      setNext('');
      notifySuccess('Password changed; your other sessions were signed out');
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="lg">
      <Title order={3} fz="lg" mb={4}>
        Password
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        Changing it signs you out everywhere else; this browser stays signed in.
      </Text>
      <form onSubmit={(event) => void submit(event)} noValidate aria-label="Change password">
        <Stack gap="md" maw={420}>
          {showGeneralError && (
            <Alert color="red" variant="light" role="alert">
              {errorMessage(error)}
            </Alert>
          )}
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            error={fields.currentPassword}
            visibilityToggleButtonProps={toggle}
          />
          <PasswordInput
            label="New password"
            description="At least 8 characters"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
            error={fields.newPassword}
            visibilityToggleButtonProps={toggle}
          />
          <Group>
            <Button type="submit" loading={busy} disabled={!current || !next}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
