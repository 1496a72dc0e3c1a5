// The provider form's values and how they become an API request. Pure, so it is tested without a browser.
import type { AuthMethod, LoginFormat, Provider, ProviderInput, SecurityMode } from './providers.api.js';

/** 'auto': leave it to the server, which probes the mail server (new providers only). */
export type SecurityChoice = SecurityMode | 'auto';
/** A well-known port, 'custom' (typed in) or 'auto'. */
export type PortChoice = string;

export interface EndpointValues {
  host: string;
  port: PortChoice;
  customPort: string;
  security: SecurityChoice;
}

export interface ProviderFormValues {
  name: string;
  serviceType: 'imap';
  imap: EndpointValues;
  smtp: EndpointValues;
  loginFormat: LoginFormat;
  authMethod: AuthMethod;
  clientId: string;
  /** write-only: empty keeps the stored secret */
  clientSecret: string;
  authorizationUrl: string;
  tokenUrl: string;
  /** space- or comma-separated */
  scopes: string;
  domains: string[];
  allowReceive: boolean;
  allowSend: boolean;
  tlsFingerprint: string;
  notes: string;
}

export type Protocol = 'imap' | 'smtp';

/** The seed's drop-downs: 993/143 for IMAP, 465/587 for SMTP (465, not the guide's 455). */
export const wellKnownPorts: Record<Protocol, { port: number; security: SecurityMode; label: string }[]> = {
  imap: [
    { port: 993, security: 'tls', label: '993 (secure connection)' },
    { port: 143, security: 'starttls', label: '143 (STARTTLS or no encryption)' },
  ],
  smtp: [
    { port: 465, security: 'tls', label: '465 (secure connection)' },
    { port: 587, security: 'starttls', label: '587 (STARTTLS or no encryption)' },
  ],
};

export const SECURITY_LABELS: Record<SecurityMode, string> = {
  tls: 'SSL/TLS',
  starttls: 'STARTTLS',
  none: 'None',
};

export const LOGIN_FORMAT_LABELS: Record<LoginFormat, string> = {
  manual: 'Use manual entry',
  email: 'Use email address',
  localPart: 'Use mailbox name',
};

export const AUTH_METHOD_LABELS: Record<AuthMethod, string> = { basic: 'Basic', oauth2: 'OAuth 2.0' };

function endpointValues(protocol: Protocol, endpoint: Provider['imap'] | undefined): EndpointValues {
  if (!endpoint) return { host: '', port: 'auto', customPort: '', security: 'auto' };
  const known = wellKnownPorts[protocol].some((p) => p.port === endpoint.port);
  return {
    host: endpoint.host,
    port: known ? String(endpoint.port) : 'custom',
    customPort: known ? '' : String(endpoint.port),
    security: endpoint.security,
  };
}

export function initialProviderFormValues(provider?: Provider): ProviderFormValues {
  return {
    name: provider?.name ?? '',
    serviceType: 'imap',
    imap: endpointValues('imap', provider?.imap),
    smtp: endpointValues('smtp', provider?.smtp),
    loginFormat: provider?.loginFormat ?? 'email',
    authMethod: provider?.auth.method ?? 'basic',
    clientId: provider?.auth.clientId ?? '',
    clientSecret: '',
    authorizationUrl: provider?.auth.authorizationUrl ?? '',
    tokenUrl: provider?.auth.tokenUrl ?? '',
    scopes: provider?.auth.scopes.join(' ') ?? '',
    domains: provider?.domains ?? [],
    allowReceive: provider?.allowReceive ?? true,
    allowSend: provider?.allowSend ?? true,
    tlsFingerprint: provider?.tlsFingerprint ?? '',
    notes: provider?.notes ?? '',
  };
}

/** Choosing a well-known port brings its usual security, as mail clients do (993 → SSL/TLS). */
export function withPort(protocol: Protocol, values: EndpointValues, port: PortChoice): EndpointValues {
  if (port === 'auto') return { ...values, port, security: 'auto' };
  const known = wellKnownPorts[protocol].find((p) => String(p.port) === port);
  if (!known) return { ...values, port };
  // "None" on 143/587 is a deliberate choice the admin already made: keep it.
  const keepNone = values.security === 'none' && known.security === 'starttls';
  return { ...values, port, security: keepNone ? 'none' : known.security };
}

/** Choosing a security moves a well-known port to its counterpart (SSL/TLS → 993) and keeps a custom one. */
export function withSecurity(
  protocol: Protocol,
  values: EndpointValues,
  security: SecurityChoice,
): EndpointValues {
  if (security === 'auto') return { ...values, security, port: 'auto' };
  if (values.port === 'custom') return { ...values, security };
  const target = wellKnownPorts[protocol].find(
    (p) => p.security === (security === 'none' ? 'starttls' : security),
  );
  return { ...values, security, port: target ? String(target.port) : values.port };
}

export function portOf(values: EndpointValues): number | undefined {
  if (values.port === 'auto') return undefined;
  const text = values.port === 'custom' ? values.customPort.trim() : values.port;
  // A custom port that is not a number goes to the server as NaN → null, which says what is wrong.
  return text === '' ? undefined : Number(text);
}

function endpointInput(values: EndpointValues): ProviderInput['imap'] {
  const port = portOf(values);
  return {
    host: values.host.trim(),
    ...(port !== undefined && { port }),
    ...(values.security !== 'auto' && { security: values.security }),
  };
}

const blankToNull = (value: string): string | null => (value.trim() === '' ? null : value.trim());

export function toProviderInput(values: ProviderFormValues): ProviderInput {
  const name = values.name.trim();
  const auth: ProviderInput['auth'] =
    values.authMethod === 'basic'
      ? { method: 'basic' }
      : {
          method: 'oauth2',
          clientId: blankToNull(values.clientId),
          ...(values.clientSecret !== '' && { clientSecret: values.clientSecret }),
          authorizationUrl: blankToNull(values.authorizationUrl),
          tokenUrl: blankToNull(values.tokenUrl),
          scopes: values.scopes.split(/[\s,]+/).filter(Boolean),
        };
  return {
    ...(name !== '' && { name }),
    serviceType: values.serviceType,
    imap: endpointInput(values.imap),
    smtp: endpointInput(values.smtp),
    loginFormat: values.loginFormat,
    auth,
    domains: values.domains.map((d) => d.trim()).filter(Boolean),
    allowReceive: values.allowReceive,
    allowSend: values.allowSend,
    tlsFingerprint: blankToNull(values.tlsFingerprint),
    notes: blankToNull(values.notes),
  };
}

export const describeEndpoint = (e: Provider['imap']) => `${e.host}:${e.port} ${SECURITY_LABELS[e.security]}`;
