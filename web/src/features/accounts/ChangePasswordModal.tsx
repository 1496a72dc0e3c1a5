import { Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError, fieldErrorsOf } from '../../shared/api.js';
import { notifySuccess } from '../../shared/notify.js';
import { accountsApi, type Account } from './accounts.api.js';
import { VerificationFailure } from './VerificationFailure.js';

interface Props {
  account: Account;
  /** manual-login providers may also change the login */
  allowLogin?: boolean;
  onClose: () => void;
  onChanged: (account: Account) => void;
}

/** "Enter new password": checked against the servers before it is stored. Also reconnects an archive. */
export function ChangePasswordModal({ account, allowLogin = false, onClose, onChanged }: Props) {
  const [password, setPassword] = useState('');
  const [login, setLogin] = useState(account.login);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = fieldErrorsOf(error);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await accountsApi.changePassword(account.id, { password, ...(allowLogin && { login }) });
      notifySuccess(
        account.archived ? 'The mailbox is connected again.' : 'The new password works and is saved.',
      );
      onChanged(saved);
      onClose();
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={account.archived ? 'Reconnect mailbox' : 'Change password'}
      centered
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Stack>
          <Text size="sm">
            Mailyard checks the password with the mail servers of <b>{account.email}</b> before saving it.
          </Text>
          {error instanceof ApiError && Object.keys(fields).length === 0 && (
            <VerificationFailure error={error} />
          )}
          {allowLogin && (
            <TextInput
              label="Login"
              value={login}
              onChange={(e) => setLogin(e.currentTarget.value)}
              error={fields.login}
            />
          )}
          <PasswordInput
            label="New password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={fields.password}
            visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the password' }}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={password === ''}>
              Save password
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
