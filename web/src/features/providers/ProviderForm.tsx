// The provider form of the seed guide (steps 6–10): Service type, the two required hosts, ports and
// security from drop-downs, login format, authentication, then Apply. Reusable: the providers page
// and the add-account wizard ("Add New Server") both render it and hear back through onApplied.
import {
  Accordion,
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  NativeSelect,
  PasswordInput,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage, fieldErrorsOf } from '../../shared/api.js';
import {
  AUTH_METHOD_LABELS,
  LOGIN_FORMAT_LABELS,
  SECURITY_LABELS,
  describeEndpoint,
  initialProviderFormValues,
  portOf,
  toProviderInput,
  wellKnownPorts,
  withPort,
  withSecurity,
  type EndpointValues,
  type Protocol,
  type ProviderFormValues,
  type SecurityChoice,
} from './provider-form.js';
import {
  AUTH_METHODS,
  LOGIN_FORMATS,
  SECURITY_MODES,
  providersApi,
  type LoginFormat,
  type Provider,
} from './providers.api.js';
import { ProviderOAuthPanel } from '../oauth/ProviderOAuthPanel.js';

export interface ProviderFormProps {
  /** The provider to edit; absent for a new one. */
  provider?: Provider;
  /** Called with the saved provider; `detected` lists the servers whose port and security the server filled in. */
  onApplied: (provider: Provider, info: { detected: Protocol[] }) => void;
  onCancel?: () => void;
  /** Domains to start a new provider with (the wizard passes the address's domain). */
  initialDomains?: string[];
  /** Shows the "saved" notice from the start: the page that created `provider` and then reopened it. */
  justCreated?: { detected: Protocol[] };
}

export function ProviderForm({
  provider: initial,
  onApplied,
  onCancel,
  initialDomains,
  justCreated,
}: ProviderFormProps) {
  const [provider, setProvider] = useState<Provider | undefined>(initial);
  const [values, setValues] = useState<ProviderFormValues>(() => ({
    ...initialProviderFormValues(initial),
    ...(!initial && initialDomains && { domains: initialDomains }),
  }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [applied, setApplied] = useState<{ provider: Provider; detected: Protocol[] } | null>(
    initial && justCreated ? { provider: initial, detected: justCreated.detected } : null,
  );
  const fields = { ...fieldErrorsOf(error), ...localErrors };
  const showGeneralError = error !== null && Object.keys(fieldErrorsOf(error)).length === 0;
  const editing = provider !== undefined;
  const top = useRef<HTMLDivElement>(null);
  // Apply sits at the bottom of a long form; its outcome is shown at the top.
  useEffect(() => {
    if (applied || error !== null) top.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [applied, error]);

  const set = <K extends keyof ProviderFormValues>(key: K, value: ProviderFormValues[K]) =>
    setValues((current) => ({ ...current, [key]: value }));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problems = checkLocally(values);
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setError(null);
    setApplied(null);
    const detected = (['imap', 'smtp'] as const).filter(
      (p) => values[p].port === 'auto' && values[p].security === 'auto',
    );
    try {
      const input = toProviderInput(values);
      const saved = provider
        ? await providersApi.update(provider.id, input)
        : await providersApi.create(input);
      setProvider(saved);
      setValues(initialProviderFormValues(saved));
      setApplied({ provider: saved, detected });
      onApplied(saved, { detected });
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-label="Email provider">
      <Stack gap="lg" ref={top}>
        {showGeneralError && (
          <Alert color="red" variant="light" role="alert" title="The provider was not saved">
            {errorMessage(error)}
          </Alert>
        )}
        {applied && <AppliedNotice provider={applied.provider} detected={applied.detected} />}

        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NativeSelect
            label="Service type"
            data={[{ value: 'imap', label: 'IMAP' }]}
            value={values.serviceType}
            onChange={() => set('serviceType', 'imap')}
          />
          <TextInput
            label="Name"
            description={editing ? undefined : 'Leave empty to name it after the IMAP server.'}
            placeholder="example.com"
            value={values.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={fields.name}
          />
        </SimpleGrid>

        <ServerFieldset
          protocol="imap"
          values={values.imap}
          editing={editing}
          fields={fields}
          onChange={(imap) => set('imap', imap)}
        />
        <ServerFieldset
          protocol="smtp"
          values={values.smtp}
          editing={editing}
          fields={fields}
          onChange={(smtp) => set('smtp', smtp)}
        />

        <AdditionalSettings values={values} provider={provider} fields={fields} set={set} />

        <AdvancedSettings values={values} fields={fields} set={set} />

        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel} disabled={busy}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={busy}>
            Apply
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

type SetValue = <K extends keyof ProviderFormValues>(key: K, value: ProviderFormValues[K]) => void;

/** Login format, authentication (with the OAuth client), what the provider is allowed, its domains. */
function AdditionalSettings({
  values,
  provider,
  fields,
  set,
}: {
  values: ProviderFormValues;
  provider: Provider | undefined;
  fields: Record<string, string>;
  set: SetValue;
}) {
  return (
    <Fieldset legend="Additional settings">
      <Stack gap="md">
        <NativeSelect
          label="Mailbox login format"
          description={loginFormatHelp[values.loginFormat]}
          data={LOGIN_FORMATS.map((f) => ({ value: f, label: LOGIN_FORMAT_LABELS[f] }))}
          value={values.loginFormat}
          onChange={(e) =>
            set('loginFormat', LOGIN_FORMATS.find((f) => f === e.currentTarget.value) ?? 'email')
          }
          error={fields.loginFormat}
        />
        <NativeSelect
          label="Authentication"
          data={AUTH_METHODS.map((m) => ({ value: m, label: AUTH_METHOD_LABELS[m] }))}
          value={values.authMethod}
          onChange={(e) =>
            set('authMethod', AUTH_METHODS.find((m) => m === e.currentTarget.value) ?? 'basic')
          }
          error={fields['auth.method']}
        />
        {values.authMethod === 'oauth2' && (
          <OAuthFields
            providerId={provider?.id}
            values={values}
            hasSecret={provider?.auth.hasClientSecret ?? false}
            fields={fields}
            set={set}
          />
        )}
        <Group gap="xl">
          <Checkbox
            label="Allow receiving email"
            checked={values.allowReceive}
            onChange={(e) => set('allowReceive', e.currentTarget.checked)}
          />
          <Checkbox
            label="Allow sending email"
            checked={values.allowSend}
            onChange={(e) => set('allowSend', e.currentTarget.checked)}
          />
        </Group>
        <TagsInput
          label="Domains"
          description="Addresses at these domains use this provider automatically. Press Enter after each domain."
          placeholder="example.com"
          value={values.domains}
          onChange={(domains) => set('domains', domains)}
          splitChars={[',', ' ']}
          acceptValueOnBlur
          clearable
          error={fields.domains}
        />
      </Stack>
    </Fieldset>
  );
}

/** The pinned certificate and the notes, folded away unless set. */
function AdvancedSettings({
  values,
  fields,
  set,
}: {
  values: ProviderFormValues;
  fields: Record<string, string>;
  set: SetValue;
}) {
  return (
    <Accordion variant="contained" defaultValue={values.tlsFingerprint || values.notes ? 'advanced' : null}>
      <Accordion.Item value="advanced">
        <Accordion.Control>Advanced</Accordion.Control>
        <Accordion.Panel>
          <Stack gap="md">
            <TextInput
              label="Pinned certificate fingerprint (SHA-256)"
              description="Only for a server whose certificate comes from a private CA: Mailyard then trusts exactly this certificate. Certificates are always verified."
              placeholder="AB:CD:…"
              value={values.tlsFingerprint}
              onChange={(e) => set('tlsFingerprint', e.currentTarget.value)}
              error={fields.tlsFingerprint}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            />
            <Textarea
              label="Notes"
              description="Shown to people who connect a mailbox, e.g. “needs an app password”."
              autosize
              minRows={2}
              value={values.notes}
              onChange={(e) => set('notes', e.currentTarget.value)}
              error={fields.notes}
            />
          </Stack>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}

const loginFormatHelp: Record<LoginFormat, string> = {
  manual: 'Users enter their email address and their user name.',
  email: 'The full email address is the login, e.g. example@google.com.',
  localPart: 'The part before “@” is the login: “test” for test@google.com.',
};

const serverLabels: Record<Protocol, { legend: string; host: string; placeholder: string; short: string }> = {
  imap: {
    legend: 'Incoming mail',
    host: 'Inbound mail server (IMAP)',
    placeholder: 'imap.example.com',
    short: 'IMAP',
  },
  smtp: {
    legend: 'Outgoing mail',
    host: 'Outgoing mail server (SMTP)',
    placeholder: 'smtp.example.com',
    short: 'SMTP',
  },
};

interface ServerFieldsetProps {
  protocol: Protocol;
  values: EndpointValues;
  editing: boolean;
  fields: Record<string, string>;
  onChange: (values: EndpointValues) => void;
}

function ServerFieldset({ protocol, values, editing, fields, onChange }: ServerFieldsetProps) {
  const labels = serverLabels[protocol];
  // 'Detect automatically' exists until the server has filled the values in.
  const autoOption =
    editing && values.port !== 'auto' ? [] : [{ value: 'auto', label: 'Detect automatically' }];
  const portOptions = [
    ...autoOption,
    ...wellKnownPorts[protocol].map((p) => ({ value: String(p.port), label: p.label })),
    { value: 'custom', label: 'Other port…' },
  ];
  const securityOptions = [
    ...autoOption,
    ...SECURITY_MODES.map((m) => ({ value: m, label: SECURITY_LABELS[m] })),
  ];

  return (
    <Fieldset legend={labels.legend}>
      <Stack gap="md">
        <TextInput
          label={labels.host}
          description={`A host name such as ${labels.placeholder} (not an address like ${protocol}@domain.com).`}
          placeholder={labels.placeholder}
          required
          autoComplete="off"
          spellCheck={false}
          value={values.host}
          onChange={(e) => onChange({ ...values, host: e.currentTarget.value })}
          error={fields[`${protocol}.host`]}
        />
        <SimpleGrid cols={{ base: 1, sm: values.port === 'custom' ? 3 : 2 }}>
          <NativeSelect
            label={`${labels.short} port`}
            data={portOptions}
            value={values.port}
            onChange={(e) => onChange(withPort(protocol, values, e.currentTarget.value))}
            error={values.port === 'custom' ? undefined : fields[`${protocol}.port`]}
          />
          {values.port === 'custom' && (
            <TextInput
              label={`Custom ${labels.short} port`}
              inputMode="numeric"
              value={values.customPort}
              onChange={(e) => onChange({ ...values, customPort: e.currentTarget.value })}
              error={fields[`${protocol}.port`]}
            />
          )}
          <NativeSelect
            label={`${labels.short} security`}
            data={securityOptions}
            value={values.security}
            onChange={(e) => onChange(withSecurity(protocol, values, securityChoice(e.currentTarget.value)))}
            error={fields[`${protocol}.security`]}
          />
        </SimpleGrid>
        {values.security === 'none' && (
          <Alert
            color="orange"
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            role="alert"
            title="No encryption"
          >
            With security “None”, passwords and mail cross the network in clear text. Use it only on a network
            you trust completely.
          </Alert>
        )}
      </Stack>
    </Fieldset>
  );
}

const securityChoice = (value: string): SecurityChoice => SECURITY_MODES.find((m) => m === value) ?? 'auto';

interface OAuthFieldsProps {
  providerId: string | undefined;
  values: ProviderFormValues;
  hasSecret: boolean;
  fields: Record<string, string>;
  set: <K extends keyof ProviderFormValues>(key: K, value: ProviderFormValues[K]) => void;
}

function OAuthFields({ providerId, values, hasSecret, fields, set }: OAuthFieldsProps) {
  return (
    <Stack gap="md" pl="md" style={{ borderLeft: '3px solid var(--mantine-color-indigo-2)' }}>
      {/* The redirect URI to register, Google/Microsoft presets, the last sign-in failure. */}
      <ProviderOAuthPanel
        providerId={providerId}
        onPreset={(preset) => {
          set('authorizationUrl', preset.authorizationUrl);
          set('tokenUrl', preset.tokenUrl);
          set('scopes', preset.scopes);
        }}
      />
      <TextInput
        label="Application (client) ID"
        description="Generated by the mail service's authorization server; also called “Product ID”."
        required
        value={values.clientId}
        onChange={(e) => set('clientId', e.currentTarget.value)}
        error={fields['auth.clientId']}
      />
      <PasswordInput
        label="Client secret"
        description={
          hasSecret
            ? 'A client secret is stored. Leave empty to keep it.'
            : 'Also called “Product key”. It is stored encrypted and never shown again.'
        }
        required={!hasSecret}
        autoComplete="new-password"
        value={values.clientSecret}
        onChange={(e) => set('clientSecret', e.currentTarget.value)}
        error={fields['auth.clientSecret']}
        visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the client secret' }}
      />
      <Text size="xs" c="dimmed">
        For Google and Microsoft the endpoints and scopes below are filled in automatically when left empty.
      </Text>
      <TextInput
        label="Authorization URL"
        placeholder="https://login.example.com/oauth2/authorize"
        value={values.authorizationUrl}
        onChange={(e) => set('authorizationUrl', e.currentTarget.value)}
        error={fields['auth.authorizationUrl']}
      />
      <TextInput
        label="Token URL"
        placeholder="https://login.example.com/oauth2/token"
        value={values.tokenUrl}
        onChange={(e) => set('tokenUrl', e.currentTarget.value)}
        error={fields['auth.tokenUrl']}
      />
      <TextInput
        label="Scopes"
        description="Separated by spaces."
        value={values.scopes}
        onChange={(e) => set('scopes', e.currentTarget.value)}
        error={fields['auth.scopes']}
      />
    </Stack>
  );
}

function AppliedNotice({ provider, detected }: { provider: Provider; detected: Protocol[] }) {
  return (
    <Alert
      color="teal"
      variant="light"
      icon={<IconCircleCheck size={18} />}
      title={`Saved ${provider.name}`}
      role="status"
    >
      <Text size="sm">
        IMAP {describeEndpoint(provider.imap)} · SMTP {describeEndpoint(provider.smtp)}
      </Text>
      {detected.length > 0 && (
        <Text size="sm" mt={4}>
          {detected.map((p) => p.toUpperCase()).join(' and ')} port and security were filled in automatically;
          change them below if needed.
        </Text>
      )}
    </Alert>
  );
}

function checkLocally(values: ProviderFormValues): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const protocol of ['imap', 'smtp'] as const) {
    if (values[protocol].host.trim() === '') problems[`${protocol}.host`] = 'is required';
    if (values[protocol].port === 'custom') {
      const port = portOf(values[protocol]);
      if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535)
        problems[`${protocol}.port`] = 'enter a port between 1 and 65535';
    }
  }
  return problems;
}
