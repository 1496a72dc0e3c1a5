// One mailbox's settings: sender name, signature, download period, folders, automatic download,
// sending, default sender, enabled; shares; password; delete (keep or erase the downloaded mail).
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Loader,
  Modal,
  NativeSelect,
  Paper,
  Radio,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useCurrentUser } from '../../app/AuthContext.js';
import { paths } from '../../app/paths.js';
import { navigate } from '../../app/router.js';
import { errorMessage, fieldErrorsOf } from '../../shared/api.js';
import { notifyError, notifySuccess } from '../../shared/notify.js';
import { PageHeader } from '../../shared/PageHeader.js';
import { useApiData } from '../../shared/useApiData.js';
import { AccountFixAction, AccountStatusLine } from './AccountStatus.js';
import {
  SYNC_PERIODS,
  accountsApi,
  type Account,
  type AccountFolder,
  type AccountRights,
  type DirectoryUser,
  type SyncPeriod,
} from './accounts.api.js';
import { ChangePasswordModal } from './ChangePasswordModal.js';
import { isBusy, usePolling } from './usePolling.js';
import { OAuthReturnNotice } from '../oauth/OAuthReturnNotice.js';

const PERIOD_LABELS: Record<SyncPeriod, string> = {
  day: 'Last day',
  week: 'Last week',
  month: 'Last month',
  year: 'Last year',
  all: 'All mail',
};

export function AccountSettingsPage({ id }: { id: string }) {
  const load = useCallback((signal: AbortSignal) => accountsApi.get(id, signal), [id]);
  const { data: loaded, error, reload } = useApiData(load);
  const [account, setAccount] = useState<Account | undefined>();
  useEffect(() => setAccount(loaded), [loaded]);
  usePolling(reload, account !== undefined && isBusy(account.status.state));

  if (error !== null && !account) {
    return (
      <>
        <PageHeader title="Email account" />
        <Alert color="red" variant="light" role="alert">
          {errorMessage(error)}
        </Alert>
      </>
    );
  }
  if (!account) return <Loader aria-label="Loading the email account" />;
  return <AccountSettings key={account.id} account={account} onChanged={setAccount} />;
}

function AccountSettings({
  account,
  onChanged,
}: {
  account: Account;
  onChanged: (account: Account) => void;
}) {
  const me = useCurrentUser();
  const isOwner = account.owner.id === me.id;
  const [passwordOpen, setPasswordOpen] = useState(false);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [syncing, setSyncing] = useState(false);

  return (
    <>
      <PageHeader
        title={account.email}
        description={`${account.providerName} · login ${account.login}${isOwner ? '' : ` · shared by ${account.owner.name || account.owner.email}`}`}
        actions={
          <Button variant="default" onClick={() => navigate(paths.accounts)}>
            All email accounts
          </Button>
        }
      />
      <Stack gap="lg">
        <OAuthReturnNotice />
        <Section title="Status">
          <Group justify="space-between" align="flex-start">
            <AccountStatusLine account={account} showProgressBar />
            <Group gap="xs">
              <AccountFixAction account={account} onChanged={onChanged} />
              {account.enabled && account.access.manage && (
                <Button
                  variant="default"
                  size="xs"
                  loading={syncing}
                  onClick={() => {
                    setSyncing(true);
                    accountsApi
                      .sync(account.id)
                      .then(onChanged, notifyError)
                      .finally(() => setSyncing(false));
                  }}
                >
                  Sync now
                </Button>
              )}
            </Group>
          </Group>
          {account.archived && (
            <Alert variant="light" color="gray" mt="sm">
              This mailbox was deleted keeping its mail: the downloaded messages stay readable, but it no
              longer syncs or sends.
              {account.access.manage && ' Reconnect it with its password to use it again.'}
            </Alert>
          )}
        </Section>

        {account.access.manage && (
          <GeneralSettings account={account} isOwner={isOwner} onChanged={onChanged} />
        )}
        {account.access.manage && !account.archived && (
          <FolderSettings account={account} onChanged={onChanged} />
        )}
        {isOwner && <ShareSettings account={account} />}

        {account.access.manage && (
          <Section title={account.archived ? 'Reconnect' : 'Password'}>
            <Group justify="space-between">
              <Text size="sm" c="dimmed">
                {account.archived
                  ? 'Enter the mailbox password to connect it again; its kept mail stays.'
                  : 'Changed the password at your provider? Enter the new one; Mailyard checks it before saving.'}
              </Text>
              <Button variant="default" onClick={() => setPasswordOpen(true)}>
                {account.archived ? 'Reconnect' : 'Change password'}
              </Button>
            </Group>
          </Section>
        )}

        {isOwner && (
          <Section title="Delete mailbox">
            <Group justify="space-between">
              <Text size="sm" c="dimmed">
                Stops syncing and erases the stored password. You choose whether the downloaded mail stays.
              </Text>
              <Button color="red" variant="light" onClick={() => setDeleteOpen(true)}>
                Delete
              </Button>
            </Group>
          </Section>
        )}
      </Stack>
      {passwordOpen && (
        <ChangePasswordModal account={account} onClose={() => setPasswordOpen(false)} onChanged={onChanged} />
      )}
      {deleteOpen && <DeleteAccountModal account={account} onClose={() => setDeleteOpen(false)} />}
    </>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={3} fz="md" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function GeneralSettings({
  account,
  isOwner,
  onChanged,
}: {
  account: Account;
  isOwner: boolean;
  onChanged: (a: Account) => void;
}) {
  const [values, setValues] = useState(() => ({
    displayName: account.displayName,
    signature: account.signature,
    syncPeriod: account.syncPeriod,
    autoDownload: account.autoDownload,
    sendEnabled: account.sendEnabled,
    defaultSender: account.defaultSender,
    enabled: account.enabled,
  }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = fieldErrorsOf(error);
  const set = <K extends keyof typeof values>(key: K, value: (typeof values)[K]) =>
    setValues((v) => ({ ...v, [key]: value }));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { defaultSender, enabled, ...rest } = values;
      const changes = {
        ...rest,
        ...(isOwner && defaultSender !== account.defaultSender && { defaultSender }),
        ...(!account.archived && enabled !== account.enabled && { enabled }),
      };
      const saved = await accountsApi.update(account.id, changes);
      onChanged(saved);
      setValues((v) => ({ ...v, signature: saved.signature }));
      notifySuccess('Settings saved.');
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Settings">
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Stack>
          {error !== null && Object.keys(fields).length === 0 && (
            <Alert color="red" variant="light" role="alert">
              {errorMessage(error)}
            </Alert>
          )}
          <TextInput
            label="Sender name"
            description="Shown to recipients as the sender."
            value={values.displayName}
            onChange={(e) => set('displayName', e.currentTarget.value)}
            error={fields.displayName}
          />
          <Textarea
            label="Signature (HTML)"
            description="Added to new messages. Formatting, links and images are kept; scripts are removed."
            autosize
            minRows={3}
            value={values.signature}
            onChange={(e) => set('signature', e.currentTarget.value)}
            error={fields.signature}
          />
          <NativeSelect
            label="Download period"
            description="How far back the first synchronisation goes."
            data={SYNC_PERIODS.map((p) => ({ value: p, label: PERIOD_LABELS[p] }))}
            value={values.syncPeriod}
            onChange={(e) =>
              set('syncPeriod', SYNC_PERIODS.find((p) => p === e.currentTarget.value) ?? 'month')
            }
          />
          <Switch
            label="Automatically download new mail"
            checked={values.autoDownload}
            onChange={(e) => set('autoDownload', e.currentTarget.checked)}
          />
          <Switch
            label="Send through this mailbox"
            checked={values.sendEnabled}
            onChange={(e) => set('sendEnabled', e.currentTarget.checked)}
          />
          {isOwner && (
            <Switch
              label="Default sender"
              description="New messages are sent from this mailbox unless you choose another."
              checked={values.defaultSender}
              disabled={account.archived}
              onChange={(e) => set('defaultSender', e.currentTarget.checked)}
            />
          )}
          {!account.archived && (
            <Switch
              label="Enabled"
              description="Switched off, the mailbox neither syncs nor sends."
              checked={values.enabled}
              onChange={(e) => set('enabled', e.currentTarget.checked)}
            />
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={busy}>
              Save settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

function FolderSettings({ account, onChanged }: { account: Account; onChanged: (a: Account) => void }) {
  const [mode, setMode] = useState<'all' | 'chosen'>(account.folders === 'all' ? 'all' : 'chosen');
  const [chosen, setChosen] = useState<string[]>(account.folders === 'all' ? [] : account.folders);
  const [serverFolders, setServerFolders] = useState<AccountFolder[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (mode !== 'chosen' || serverFolders !== null) return;
    const controller = new AbortController();
    accountsApi.folders(account.id, true, controller.signal).then(
      (r) => {
        setServerFolders(r.items);
        setLoadError(null);
      },
      (reason: unknown) => {
        if (!controller.signal.aborted) setLoadError(reason);
      },
    );
    return () => controller.abort();
  }, [mode, serverFolders, account.id]);

  const save = async () => {
    setBusy(true);
    try {
      onChanged(await accountsApi.update(account.id, { folders: mode === 'all' ? 'all' : chosen }));
      notifySuccess('Folder choice saved.');
    } catch (reason) {
      notifyError(reason);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Folders">
      <Stack>
        <Radio.Group
          label="Folders to synchronise"
          value={mode}
          onChange={(value) => setMode(value === 'chosen' ? 'chosen' : 'all')}
        >
          <Group mt="xs">
            <Radio value="all" label="All folders" />
            <Radio value="chosen" label="Chosen folders" />
          </Group>
        </Radio.Group>
        {mode === 'chosen' &&
          (loadError !== null ? (
            <Alert color="red" variant="light" role="alert">
              {errorMessage(loadError)}
            </Alert>
          ) : serverFolders === null ? (
            <Group gap="xs">
              <Loader size="xs" />
              <Text size="sm">Listing the folders on the server…</Text>
            </Group>
          ) : (
            <Checkbox.Group
              label="Folders on the server"
              description="A folder does not include its subfolders: choose each one."
              value={chosen}
              onChange={setChosen}
            >
              <Stack gap={6} mt="xs">
                {serverFolders.map((f) => (
                  <Checkbox key={f.path} value={f.path} label={f.path} />
                ))}
              </Stack>
            </Checkbox.Group>
          ))}
        <Group justify="flex-end">
          <Button
            onClick={() => void save()}
            loading={busy}
            disabled={mode === 'chosen' && chosen.length === 0}
          >
            Save folders
          </Button>
        </Group>
      </Stack>
    </Section>
  );
}

type ShareRow = AccountRights & { userId: string; name: string; email: string };

function ShareSettings({ account }: { account: Account }) {
  const loadShares = useCallback(
    (signal: AbortSignal) => accountsApi.shares(account.id, signal).then((r) => r.items),
    [account.id],
  );
  const loadDirectory = useCallback(
    (signal: AbortSignal) => accountsApi.directory(signal).then((r) => r.items),
    [],
  );
  const shares = useApiData(loadShares);
  const directory = useApiData(loadDirectory);
  const [rows, setRows] = useState<ShareRow[] | null>(null);
  const [adding, setAdding] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (shares.data) setRows(shares.data);
  }, [shares.data]);

  const candidates: DirectoryUser[] = (directory.data ?? []).filter(
    (u) => u.id !== account.owner.id && !(rows ?? []).some((r) => r.userId === u.id),
  );
  const setRight = (userId: string, right: keyof AccountRights, value: boolean) =>
    setRows((current) => (current ?? []).map((r) => (r.userId === userId ? { ...r, [right]: value } : r)));

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const saved = await accountsApi.replaceShares(
        account.id,
        (rows ?? []).map(({ userId, read, send, manage }) => ({ userId, read, send, manage })),
      );
      setRows(saved.items);
      notifySuccess('Sharing saved.');
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Sharing">
      <Stack>
        <Text size="sm" c="dimmed">
          People you share with see this mailbox in their communication panel. Sending or managing includes
          reading.
        </Text>
        {error !== null && (
          <Alert color="red" variant="light" role="alert">
            {errorMessage(error)}
          </Alert>
        )}
        {rows === null ? (
          <Loader size="xs" aria-label="Loading shares" />
        ) : (
          <Table aria-label="Shares">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Person</Table.Th>
                <Table.Th>Read</Table.Th>
                <Table.Th>Send</Table.Th>
                <Table.Th>Manage</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.userId}>
                  <Table.Td>
                    <Text size="sm">{r.name || r.email}</Text>
                    <Text size="xs" c="dimmed">
                      {r.email}
                    </Text>
                  </Table.Td>
                  {(['read', 'send', 'manage'] as const).map((right) => (
                    <Table.Td key={right}>
                      <Checkbox
                        aria-label={`${right} for ${r.name || r.email}`}
                        checked={r[right] || (right === 'read' && (r.send || r.manage))}
                        disabled={right === 'read' && (r.send || r.manage)}
                        onChange={(e) => setRight(r.userId, right, e.currentTarget.checked)}
                      />
                    </Table.Td>
                  ))}
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() =>
                        setRows((current) => (current ?? []).filter((x) => x.userId !== r.userId))
                      }
                    >
                      Remove
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
              {rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text size="sm" c="dimmed">
                      Not shared with anyone.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        )}
        <Group align="flex-end">
          <NativeSelect
            label="Share with"
            style={{ flex: 1 }}
            value={adding}
            onChange={(e) => setAdding(e.currentTarget.value)}
            data={[
              { value: '', label: 'Choose a person…' },
              ...candidates.map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` })),
            ]}
          />
          <Button
            variant="default"
            disabled={adding === ''}
            onClick={() => {
              const user = candidates.find((u) => u.id === adding);
              if (user)
                setRows((current) => [
                  ...(current ?? []),
                  {
                    userId: user.id,
                    name: user.name,
                    email: user.email,
                    read: true,
                    send: false,
                    manage: false,
                  },
                ]);
              setAdding('');
            }}
          >
            Add person
          </Button>
        </Group>
        <Group justify="flex-end">
          <Button onClick={() => void save()} loading={busy} disabled={rows === null}>
            Save sharing
          </Button>
        </Group>
      </Stack>
    </Section>
  );
}

function DeleteAccountModal({ account, onClose }: { account: Account; onClose: () => void }) {
  const [keep, setKeep] = useState<'keep' | 'erase'>('keep');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await accountsApi.remove(account.id, keep === 'keep');
      notifySuccess(
        keep === 'keep'
          ? `${account.email} is deleted; its mail is kept.`
          : `${account.email} and its mail are deleted.`,
      );
      navigate(paths.accounts);
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={`Delete ${account.email}?`} centered>
      <Stack>
        <Text size="sm">
          Mailyard stops syncing this mailbox and erases its stored password. Nothing changes on the mail
          server.
        </Text>
        <Radio.Group
          label="Downloaded mail"
          value={keep}
          onChange={(value) => setKeep(value === 'erase' ? 'erase' : 'keep')}
        >
          <Stack gap="xs" mt="xs">
            <Radio value="keep" label="Keep the downloaded mail (readable, no longer synced)" />
            <Radio value="erase" label="Erase the downloaded mail from Mailyard" />
          </Stack>
        </Radio.Group>
        {error !== null && (
          <Alert color="red" variant="light" role="alert">
            {errorMessage(error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={() => void confirm()}>
            Delete mailbox
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
