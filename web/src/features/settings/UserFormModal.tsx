import { Alert, Button, Group, Modal, NativeSelect, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { errorMessage, fieldErrorsOf } from '../../shared/api.js';
import { ROLES, type Role, type User } from '../../shared/types.js';
import { initialUserFormValues, toNewUser, toUserChanges, type UserFormValues } from './user-form.js';
import { usersApi } from './users.api.js';

const ROLE_LABELS: Record<Role, string> = { admin: 'Administrator', user: 'User' };
const roleOptions = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }));

interface UserFormModalProps {
  /** The user to edit; absent for "New user". */
  user?: User;
  onClose: () => void;
  onSaved: (user: User) => void;
}

/** Render it only while open (`{open && <UserFormModal/>}`): each opening starts from fresh values. */
export function UserFormModal({ user, onClose, onSaved }: UserFormModalProps) {
  const editing = user !== undefined;
  const [values, setValues] = useState<UserFormValues>(() => initialUserFormValues(user));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = fieldErrorsOf(error);
  const showGeneralError = error !== null && Object.keys(fields).length === 0;

  const set = <K extends keyof UserFormValues>(key: K, value: UserFormValues[K]) =>
    setValues((current) => ({ ...current, [key]: value }));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (editing) {
        const changes = toUserChanges(user, values);
        onSaved(Object.keys(changes).length === 0 ? user : await usersApi.update(user.id, changes));
      } else {
        onSaved(await usersApi.create(toNewUser(values)));
      }
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={editing ? 'Edit user' : 'New user'} centered>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Stack gap="md">
          {showGeneralError && (
            <Alert color="red" variant="light" role="alert">
              {errorMessage(error)}
            </Alert>
          )}
          <TextInput
            label="Name"
            value={values.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={fields.name}
            withAsterisk
            data-autofocus
          />
          <TextInput
            label="Email"
            type="email"
            value={values.email}
            onChange={(e) => set('email', e.currentTarget.value)}
            error={fields.email}
            withAsterisk={!editing}
            disabled={editing}
            description={editing ? 'The sign-in address cannot be changed.' : undefined}
          />
          <PasswordInput
            label={editing ? 'New password' : 'Password'}
            description={
              editing
                ? 'Leave empty to keep the current password. A new one signs them out everywhere and revokes their API tokens.'
                : undefined
            }
            autoComplete="new-password"
            value={values.password}
            onChange={(e) => set('password', e.currentTarget.value)}
            error={fields.password}
            withAsterisk={!editing}
            visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the text' }}
          />
          <NativeSelect
            label="Role"
            data={roleOptions}
            value={values.role}
            onChange={(e) => set('role', ROLES.find((role) => role === e.currentTarget.value) ?? 'user')}
            error={fields.role}
          />
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {editing ? 'Save' : 'Create user'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
