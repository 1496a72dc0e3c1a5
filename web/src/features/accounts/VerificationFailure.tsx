import { Alert, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiError, errorMessage } from '../../shared/api.js';
import { describeVerificationFailure, verificationCodes } from './account-status.js';

/** Why a mailbox could not be connected: the failed step in plain words, the server's answer, a hint. */
export function VerificationFailure({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || !verificationCodes.has(error.code)) {
    return (
      <Alert
        color="red"
        variant="light"
        role="alert"
        icon={<IconAlertTriangle size={18} />}
        title="Not connected"
      >
        {errorMessage(error)}
      </Alert>
    );
  }
  const failure = describeVerificationFailure(error.code, error.message, error.details);
  return (
    <Alert
      color="red"
      variant="light"
      role="alert"
      icon={<IconAlertTriangle size={18} />}
      title="Could not connect the mailbox"
    >
      <Stack gap={4}>
        {failure.step && (
          <Text size="sm">
            <b>Failed step:</b> {failure.step}
          </Text>
        )}
        <Text size="sm">{failure.message}</Text>
        {failure.hint && (
          <Text size="sm" c="dimmed">
            {failure.hint}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          Nothing was saved.
        </Text>
      </Stack>
    </Alert>
  );
}
