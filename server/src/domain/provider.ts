// The provider (mail server) registry's value types and the canonical forms of host names and
// domains. Pure: no I/O.
import { Type, type Static } from '@sinclair/typebox';
import { isIP } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';
import { validationFailed } from './errors.js';
import { Nullable, StringEnum } from './schema.js';

export const serviceTypes = ['imap'] as const;
export type ServiceType = (typeof serviceTypes)[number];

export const securityModes = ['tls', 'starttls', 'none'] as const;
export type SecurityMode = (typeof securityModes)[number];

export const loginFormats = ['manual', 'email', 'localPart'] as const;
export type LoginFormat = (typeof loginFormats)[number];

export const authMethods = ['basic', 'oauth2'] as const;
export type AuthMethod = (typeof authMethods)[number];

export const SecuritySchema = StringEnum(securityModes, {
  description: 'tls = implicit TLS (993/465), starttls (143/587), none = clear text',
});

export const ServerEndpointSchema = Type.Object({
  host: Type.String(),
  port: Type.Integer(),
  security: SecuritySchema,
});
export type ServerEndpoint = Static<typeof ServerEndpointSchema>;

/** The API shape (docs/product.md "Provider"). The OAuth client secret is write-only: never here. */
export const ProviderSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    serviceType: StringEnum(serviceTypes),
    imap: ServerEndpointSchema,
    smtp: ServerEndpointSchema,
    loginFormat: StringEnum(loginFormats),
    auth: Type.Object({
      method: StringEnum(authMethods),
      clientId: Nullable(Type.String()),
      authorizationUrl: Nullable(Type.String()),
      tokenUrl: Nullable(Type.String()),
      scopes: Type.Array(Type.String()),
      hasClientSecret: Type.Boolean({ description: 'the client secret itself is write-only' }),
    }),
    domains: Type.Array(Type.String(), {
      description: 'canonical (lower-case, punycode) domains this provider serves, sorted',
    }),
    allowReceive: Type.Boolean(),
    allowSend: Type.Boolean(),
    tlsFingerprint: Nullable(
      Type.String({ description: 'pinned SHA-256 certificate fingerprint, 64 lower-case hex digits' }),
    ),
    notes: Nullable(Type.String()),
    // A provider an ordinary user added (setting allowUsersToAddProviders) learns no domains and
    // is reached only through the private-network guard until an admin edits it.
    trusted: Type.Boolean({
      description:
        'read-only: false for a provider a user added that no administrator has edited since (review it)',
    }),
  },
  { $id: 'Provider' },
);
export type Provider = Static<typeof ProviderSchema>;

/** One row of the "Email providers domains" lookup: each domain belongs to at most one provider. */
export const DomainEntrySchema = Type.Object({
  domain: Type.String(),
  providerId: Type.String(),
  providerName: Type.String(),
});
export type DomainEntry = Static<typeof DomainEntrySchema>;

/**
 * Who may see a provider: one a user added and no admin has reviewed is offered only to that
 * user and to admins, so nobody else picks it and sends it their mailbox password.
 */
export function providerVisibleTo(
  actor: { id: string; role: 'admin' | 'user' },
  row: { trusted: number; created_by: string | null },
): boolean {
  return actor.role === 'admin' || row.trusted === 1 || row.created_by === actor.id;
}

/** The ports a client uses when the admin chose only the security (RFC 8314: 465, not 455). */
export const standardPorts = {
  imap: { tls: 993, starttls: 143, none: 143 },
  smtp: { tls: 465, starttls: 587, none: 587 },
} as const satisfies Record<'imap' | 'smtp', Record<SecurityMode, number>>;

/** Security implied by a well-known port when the admin chose only the port. */
export function securityForPort(protocol: 'imap' | 'smtp', port: number): SecurityMode | undefined {
  if (protocol === 'imap') return port === 993 ? 'tls' : port === 143 ? 'starttls' : undefined;
  return port === 465 ? 'tls' : port === 587 || port === 25 ? 'starttls' : undefined;
}

/** The fallback when probing finds nothing: implicit TLS on both (docs/product.md "Provider"). */
export const defaultEndpoints = {
  imap: { port: 993, security: 'tls' },
  smtp: { port: 465, security: 'tls' },
} as const satisfies Record<'imap' | 'smtp', { port: number; security: SecurityMode }>;

/** OAuth scopes are stored space-separated, as OAuth itself writes them. */
export const parseScopes = (stored: string | null): string[] =>
  stored ? stored.split(' ').filter(Boolean) : [];
export const formatScopes = (scopes: readonly string[]): string | null => {
  const clean = [...new Set(scopes.map((s) => s.trim()).filter(Boolean))];
  return clean.length > 0 ? clean.join(' ') : null;
};

/** What toProvider reads: a `providers` row. */
export interface ProviderRecord {
  id: string;
  name: string;
  service_type: ServiceType;
  imap_host: string;
  imap_port: number;
  imap_security: SecurityMode;
  smtp_host: string;
  smtp_port: number;
  smtp_security: SecurityMode;
  login_format: LoginFormat;
  auth_method: AuthMethod;
  oauth_client_id: string | null;
  oauth_client_secret: string | null;
  oauth_authorization_url: string | null;
  oauth_token_url: string | null;
  oauth_scopes: string | null;
  allow_receive: number;
  allow_send: number;
  tls_fingerprint: string | null;
  notes: string | null;
  trusted: number;
}

export function toProvider(row: ProviderRecord, domains: readonly string[]): Provider {
  return {
    id: row.id,
    name: row.name,
    serviceType: row.service_type,
    imap: { host: row.imap_host, port: row.imap_port, security: row.imap_security },
    smtp: { host: row.smtp_host, port: row.smtp_port, security: row.smtp_security },
    loginFormat: row.login_format,
    auth: {
      method: row.auth_method,
      clientId: row.oauth_client_id,
      authorizationUrl: row.oauth_authorization_url,
      tokenUrl: row.oauth_token_url,
      scopes: parseScopes(row.oauth_scopes),
      hasClientSecret: row.oauth_client_secret !== null,
    },
    domains: [...domains].sort(),
    allowReceive: row.allow_receive === 1,
    allowSend: row.allow_send === 1,
    tlsFingerprint: row.tls_fingerprint,
    notes: row.notes,
    trusted: row.trusted === 1,
  };
}

// Letters, digits and inner hyphens; `xn--` labels are what domainToASCII makes of IDNs.
const ldhLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The A-label form of a DNS name, or undefined when it is not a valid one. */
function asciiName(input: string): string | undefined {
  const trimmed = input.trim().toLowerCase().replace(/\.$/, '');
  if (trimmed === '' || trimmed.length > 253) return undefined;
  const ascii = domainToASCII(trimmed);
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (!labels.every((label) => ldhLabel.test(label))) return undefined;
  // A punycode label must decode: Node 24's domainToASCII passes `xn--zz` through, Node 20's refuses it.
  if (labels.some((label) => label.startsWith('xn--') && [label, ''].includes(domainToUnicode(label)))) {
    return undefined;
  }
  // A name whose last label is all digits would be read as an IPv4 address (1.2.3 → 1.2.0.3).
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return undefined;
  return ascii;
}

/**
 * The one stored form of an email domain: trimmed, lower-case, no trailing dot, IDN as punycode,
 * so `BÜCHER.example` and `xn--bcher-kva.example` are the same domain.
 */
export function canonicalDomain(input: string, field = 'domain'): string {
  const value = input.trim();
  if (value.includes('@')) {
    throw validationFailed({ [field]: 'enter a domain such as example.com, not an email address' });
  }
  const ascii = asciiName(value);
  if (!ascii || !ascii.includes('.')) {
    throw validationFailed({ [field]: 'enter a valid domain such as example.com' });
  }
  return ascii;
}

/**
 * A server's host name (canonical like a domain) or IP literal. The seed guide writes hosts as
 * "imap@domain.com"; that is an address, not a host, and gets a message saying what to enter.
 */
export function canonicalHost(input: string, field = 'host'): string {
  const value = input.trim();
  const example = field.startsWith('smtp') ? 'smtp.example.com' : 'imap.example.com';
  const unbracketed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(unbracketed) === 4) return unbracketed;
  if (isIP(unbracketed) === 6) return unbracketed.toLowerCase();
  if (value.includes('@')) {
    throw validationFailed({
      [field]: `enter a host name such as ${example}, not an address like imap@domain.com`,
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw validationFailed({
      [field]: `enter only the host name, such as ${example}, without a scheme like imaps://`,
    });
  }
  if (/:\d*$/.test(value)) {
    throw validationFailed({
      [field]: `enter the host name without a port (${example}); choose the port in its own field`,
    });
  }
  const ascii = asciiName(value);
  if (!ascii) throw validationFailed({ [field]: `enter a host name such as ${example}` });
  return ascii;
}

/** A SHA-256 fingerprint as people paste it (colons, spaces, upper case) → 64 lower-case hex digits. */
export function canonicalFingerprint(input: string, field = 'tlsFingerprint'): string {
  const hex = input
    .replace(/^sha-?256[:/\s]*/i, '')
    .replace(/[\s:]/g, '')
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw validationFailed({
      [field]: 'enter the SHA-256 fingerprint of the certificate (64 hexadecimal digits)',
    });
  }
  return hex;
}

/** A provider name for when the admin gave only hosts: `imap.example.com` → `example.com`. */
export function defaultProviderName(imapHost: string): string {
  if (isIP(imapHost)) return imapHost;
  const stripped = imapHost.replace(/^(imaps?|mail|mx)\./, '');
  return stripped.includes('.') ? stripped : imapHost;
}

/** OAuth endpoints of the big providers, used when an admin chose OAuth 2.0 but left them empty. */
export const oauthPresets = [
  {
    name: 'Google',
    hosts: ['imap.gmail.com', 'smtp.gmail.com'],
    authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    scopes: ['https://mail.google.com/'],
  },
  {
    name: 'Microsoft',
    hosts: ['outlook.office365.com', 'smtp.office365.com', 'imap-mail.outlook.com', 'smtp-mail.outlook.com'],
    authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    scopes: [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/SMTP.Send',
      'offline_access',
    ],
  },
] as const;

export const oauthPresetForHost = (host: string) =>
  oauthPresets.find((preset) => (preset.hosts as readonly string[]).includes(host));
