import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import type { FormEvent } from 'react';
import { OAuthReturnNotice } from '../../oauth/OAuthReturnNotice.js';

/** The first step: the address of the mailbox to connect. */
export function AddressStep({
  email,
  emailError,
  busy,
  onEmailChange,
  onSubmit,
  onCancel,
}: {
  email: string;
  emailError: string | undefined;
  busy: boolean;
  onEmailChange: (email: string) => void;
  onSubmit: (event: FormEvent<HTMLFormElement>) => Promise<void>;
  onCancel: () => void;
}) {
  return (
    <form onSubmit={(event) => void onSubmit(event)} noValidate>
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
          onChange={(e) => onEmailChange(e.currentTarget.value)}
          error={emailError}
          autoComplete="email"
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Next
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
