import { Badge, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { formatDateTime } from '../../shared/format.js';
import { notifyError } from '../../shared/notify.js';
import { actionLabel, progressPercent, statusView, verificationSummary } from './account-status.js';
import { accountsApi, type Account } from './accounts.api.js';
import { ChangePasswordModal } from './ChangePasswordModal.js';
import { OAuthSignInButton } from '../oauth/OAuthSignInButton.js';

/** The status badge, sync progress ("120 of 480 messages") and the last error. */
export function AccountStatusLine({
  account,
  showProgressBar = false,
}: {
  account: Account;
  showProgressBar?: boolean;
}) {
  const view = statusView(account.status, account.archived);
  const percent = progressPercent(account.status);
  const verification = account.archived ? null : verificationSummary(account.status, Date.now());
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="nowrap">
        <Badge color={view.color} variant="light" aria-label={`Status: ${view.label}`}>
          {view.label}
        </Badge>
        {view.progress && (
          <Text size="sm" c="dimmed">
            {view.progress}
          </Text>
        )}
      </Group>
      {showProgressBar && account.status.state === 'syncing' && percent !== null && (
        <Progress value={percent} size="sm" aria-label={`Synchronised ${view.progress ?? ''}`} />
      )}
      {account.status.state === 'error' && account.status.error && (
        <Text size="sm" c="red">
          {account.status.error.message}
        </Text>
      )}
      {account.status.state === 'idle' && account.status.lastSyncAt && (
        <Text size="xs" c="dimmed">
          Last synchronised {formatDateTime(account.status.lastSyncAt)}
        </Text>
      )}
      {verification && (
        <Text size="xs" c={account.status.drift.found > account.status.drift.repaired ? 'orange' : 'dimmed'}>
          {verification}
        </Text>
      )}
    </Stack>
  );
}

/** The button that fixes the account's error, if it has one and the caller may manage it. */
export function AccountFixAction({
  account,
  onChanged,
}: {
  account: Account;
  onChanged: (account: Account) => void;
}) {
  const [passwordOpen, setPasswordOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const action = account.status.state === 'error' ? account.status.error?.action : null;
  if (!action) return null;

  switch (action) {
    case 'enter_new_password':
      if (!account.access.manage) return null;
      return (
        <>
          <Button size="xs" variant="light" color="red" onClick={() => setPasswordOpen(true)}>
            {actionLabel(action)}
          </Button>
          {passwordOpen && (
            <ChangePasswordModal
              account={account}
              onClose={() => setPasswordOpen(false)}
              onChanged={onChanged}
            />
          )}
        </>
      );
    case 'sign_in_again':
      // Consent again for the same address: the account keeps its id, folders and mail.
      if (!account.access.manage) return null;
      return (
        <OAuthSignInButton
          email={account.email}
          providerId={account.providerId}
          label={actionLabel(action)}
          size="xs"
          color="red"
          onError={(error) => notifyError(error)}
        />
      );
    case 'retry':
      if (!account.access.manage) return null;
      return (
        <Button
          size="xs"
          variant="light"
          loading={busy}
          onClick={() => {
            setBusy(true);
            accountsApi
              .sync(account.id)
              .then(onChanged, notifyError)
              .finally(() => setBusy(false));
          }}
        >
          {actionLabel(action)}
        </Button>
      );
  }
}
