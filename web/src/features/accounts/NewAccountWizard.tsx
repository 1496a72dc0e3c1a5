// The "New email account" window of the seed guide: address → Next → provider (identified, or
// picked, or Add New Server → Add → provider form → Apply) → credentials → Connect (IMAP login
// and SMTP authentication are verified before anything is saved) → connected, syncing.
import { Modal } from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useCurrentUser } from '../../app/AuthContext.js';
import { ApiError, fieldErrorsOf } from '../../shared/api.js';
import { ProviderForm } from '../providers/ProviderForm.js';
import { providersApi, settingsApi, type Provider } from '../providers/providers.api.js';
import { notesOf } from './account-status.js';
import { accountsApi, type Account, type Detection } from './accounts.api.js';
import { isBusy, usePolling } from './usePolling.js';
import { AddressStep } from './new-account/AddressStep.js';
import { CredentialsStep } from './new-account/CredentialsStep.js';
import { DoneStep } from './new-account/DoneStep.js';
import { ProviderStep } from './new-account/ProviderStep.js';
import { ServersStep } from './new-account/ServersStep.js';

type Step = 'address' | 'provider' | 'servers' | 'server-form' | 'credentials' | 'verifying' | 'done';

const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const notAnAddress = new ApiError(400, 'validation_failed', 'Enter an email address', {
  fields: { email: 'enter an email address such as name@example.com' },
});

/** The new mailbox's status, asked again while its first sync runs. */
function useFollowAccount(account: Account | null, setAccount: (account: Account) => void, active: boolean) {
  const refresh = useCallback(() => {
    if (!account) return;
    accountsApi.get(account.id).then(setAccount, () => undefined);
  }, [account, setAccount]);
  usePolling(refresh, active && account !== null && isBusy(account.status.state));
}

function derivedLogin(provider: Provider, email: string): string {
  switch (provider.loginFormat) {
    case 'email':
      return email;
    case 'localPart':
      return email.slice(0, email.lastIndexOf('@'));
    case 'manual':
      return '';
  }
}

/** Whether the user may add a server here: an admin always, a user when the settings allow it. */
function useMayAddServers(): boolean {
  const user = useCurrentUser();
  const [may, setMay] = useState(user.role === 'admin');
  useEffect(() => {
    if (user.role === 'admin') return;
    const controller = new AbortController();
    settingsApi.get(controller.signal).then(
      (s) => setMay(s.allowUsersToAddProviders),
      () => setMay(false),
    );
    return () => controller.abort();
  }, [user.role]);
  return may;
}

/** Detection's notes are about the provider it found (and repeat that provider's own): each once. */
function providerNotes(detection: Detection | null, provider: Provider | null): string[] {
  const detected =
    detection?.providerId !== undefined && detection.providerId === provider?.id
      ? notesOf(detection.notes)
      : [];
  return [...new Set([...detected, ...notesOf(provider?.notes)])];
}

export function NewAccountWizard({
  onClose,
  onOpenSettings,
}: {
  onClose: () => void;
  onOpenSettings: (account: Account) => void;
}) {
  const mayAddServers = useMayAddServers();
  const [step, setStep] = useState<Step>('address');
  const [email, setEmail] = useState('');
  const [detection, setDetection] = useState<Detection | null>(null);
  const [provider, setProvider] = useState<Provider | null>(null);
  const [providers, setProviders] = useState<Provider[]>([]);
  const [chosenId, setChosenId] = useState('');
  const [pickedByHand, setPickedByHand] = useState(false);
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [account, setAccount] = useState<Account | null>(null);
  const fields = fieldErrorsOf(error);
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();

  const loadProviders = useCallback(async () => {
    const list = (await providersApi.list()).items;
    setProviders(list);
    return list;
  }, []);

  const goToCredentials = (chosen: Provider, byHand: boolean) => {
    setProvider(chosen);
    setPickedByHand(byHand);
    setLogin(derivedLogin(chosen, email.trim().toLowerCase()));
    setError(null);
    setStep('credentials');
  };

  const submitAddress = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const address = email.trim();
    if (!emailShape.test(address)) {
      setError(notAnAddress);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Detection is a convenience: when it fails, the user picks the provider.
      const found = await accountsApi.detect(address).catch(() => null);
      setDetection(found);
      if (found?.providerId) {
        goToCredentials(await providersApi.get(found.providerId), false);
      } else {
        await loadProviders();
        setChosenId('');
        setStep('provider');
      }
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  const connect = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!provider) return;
    setError(null);
    setStep('verifying');
    try {
      const created = await accountsApi.create({
        email: email.trim(),
        password,
        ...(pickedByHand && { providerId: provider.id }),
        ...(provider.loginFormat === 'manual' && { login }),
      });
      setAccount(created);
      setPassword('');
      setStep('done');
    } catch (reason) {
      setError(reason);
      // The server may not know the provider for this domain after all (lookup changed meanwhile).
      if (reason instanceof ApiError && reason.code === 'provider_required') {
        await loadProviders();
        setStep('provider');
      } else {
        setStep('credentials');
      }
    }
  };

  useFollowAccount(account, setAccount, step === 'done');

  const wide = step === 'server-form' || step === 'servers';
  const notes = providerNotes(detection, provider);

  return (
    <Modal
      opened
      onClose={onClose}
      title="New email account"
      size={wide ? 'xl' : 'lg'}
      centered
      closeOnClickOutside={false}
    >
      {step === 'address' && (
        <AddressStep
          email={email}
          emailError={fields.email}
          busy={busy}
          onEmailChange={setEmail}
          onSubmit={submitAddress}
          onCancel={onClose}
        />
      )}

      {step === 'provider' && (
        <ProviderStep
          domain={domain}
          detection={detection}
          providers={providers}
          chosenId={chosenId}
          mayAddServers={mayAddServers}
          error={error}
          onChoose={setChosenId}
          onPicked={(chosen) => goToCredentials(chosen, true)}
          onAddServers={() => setStep('servers')}
          onBack={() => setStep('address')}
        />
      )}

      {step === 'servers' && (
        <ServersStep
          providers={providers}
          onAdd={() => setStep('server-form')}
          onBack={() => setStep('provider')}
        />
      )}

      {step === 'server-form' && (
        <ProviderForm
          initialDomains={domain ? [domain] : []}
          onCancel={() => setStep('servers')}
          onApplied={(saved) => {
            void loadProviders();
            goToCredentials(saved, true);
          }}
        />
      )}

      {(step === 'credentials' || step === 'verifying') && provider && (
        <CredentialsStep
          email={email.trim()}
          provider={provider}
          pickedByHand={pickedByHand}
          notes={notes}
          login={login}
          password={password}
          verifying={step === 'verifying'}
          error={error}
          fields={fields}
          onLoginChange={setLogin}
          onPasswordChange={setPassword}
          onConnect={connect}
          onBack={() => setStep(pickedByHand ? 'provider' : 'address')}
          onError={setError}
        />
      )}

      {step === 'done' && account && (
        <DoneStep account={account} onOpenSettings={onOpenSettings} onClose={onClose} />
      )}
    </Modal>
  );
}
