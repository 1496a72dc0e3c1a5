// The IMAP client factory: every ImapFlow Mailyard opens comes from here, with timeouts set,
// certificates verified, an 'error' listener attached (an unhandled 'error' event would crash
// the process) and the library's log routed to ours at debug level without credentials.
import type { PeerCertificate, SecureContext } from 'node:tls';
import { checkServerIdentity, createSecureContext } from 'node:tls';
import { ImapFlow, type ImapFlowOptions, type ListResponse } from 'imapflow';
import type { Logger } from '../../lib/logger.js';

export const imapSecurities = ['tls', 'starttls', 'none'] as const;
export type ImapSecurity = (typeof imapSecurities)[number];

export interface ImapEndpoint {
  host: string;
  port: number;
  security: ImapSecurity;
  /** SHA-256 fingerprint (hex, any case, colons allowed) the certificate must also match */
  tlsFingerprint?: string | null;
}

export type ImapCredentials = { user: string; password: string } | { user: string; accessToken: string };

export interface ImapTimeouts {
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  /** no traffic for this long: imapflow probes with NOOP, then gives up on the connection */
  socketTimeoutMs: number;
  /** IDLE is broken and re-issued after this long (RFC 2177: well inside 29 minutes) */
  maxIdleTimeMs: number;
}

export const defaultImapTimeouts: ImapTimeouts = {
  connectionTimeoutMs: 20_000,
  greetingTimeoutMs: 15_000,
  socketTimeoutMs: 3 * 60_000,
  maxIdleTimeMs: 10 * 60_000,
};

export interface CreateImapClientOptions {
  logger?: Logger;
  timeouts?: Partial<ImapTimeouts>;
  /** enable QRESYNC when offered: expunges then carry UIDs (VANISHED) */
  qresync?: boolean;
}

const normaliseFingerprint = (value: string): string => value.replace(/:/g, '').toLowerCase();

/**
 * One TLS context (the system's CAs, TLS 1.2 or later) for every connection. Without it tls.connect
 * makes a context per connection, ~14 KB of native memory each for as long as it stays open.
 * Certificate and host name checks are per connection and unchanged.
 */
let sharedTlsContext: SecureContext | undefined;
const tlsContext = (): SecureContext => (sharedTlsContext ??= createSecureContext({ minVersion: 'TLSv1.2' }));

export function createImapClient(
  endpoint: ImapEndpoint,
  credentials: ImapCredentials,
  options: CreateImapClientOptions = {},
): ImapFlow {
  const timeouts = { ...defaultImapTimeouts, ...options.timeouts };
  const pinned = endpoint.tlsFingerprint ? normaliseFingerprint(endpoint.tlsFingerprint) : undefined;
  const flowOptions: ImapFlowOptions = {
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.security === 'tls',
    // starttls: the upgrade is required, a server that does not offer it is refused;
    // none: the owner chose clear text (the UI warned them).
    doSTARTTLS: endpoint.security === 'starttls' ? true : endpoint.security === 'none' ? false : undefined,
    auth:
      'password' in credentials
        ? { user: credentials.user, pass: credentials.password }
        : { user: credentials.user, accessToken: credentials.accessToken },
    tls: {
      // The default chain and host name checks always run; a pinned fingerprint adds a check.
      secureContext: tlsContext(),
      ...(pinned && {
        checkServerIdentity: (host: string, cert: PeerCertificate) => {
          const identityError = checkServerIdentity(host, cert);
          if (identityError) return identityError;
          if (normaliseFingerprint(cert.fingerprint256) !== pinned) {
            return new Error('certificate fingerprint does not match the pinned one');
          }
          return undefined;
        },
      }),
    },
    // We decide when to IDLE: imapflow's auto-IDLE timer would deliver push mail in 15 s batches.
    disableAutoIdle: true,
    maxIdleTime: timeouts.maxIdleTimeMs,
    connectionTimeout: timeouts.connectionTimeoutMs,
    greetingTimeout: timeouts.greetingTimeoutMs,
    socketTimeout: timeouts.socketTimeoutMs,
    qresync: options.qresync ?? false,
    clientInfo: { name: 'Mailyard' },
    logger: options.logger ? imapLogger(options.logger) : false,
  };
  const client = new ImapFlow(flowOptions);
  // The session owner learns about the failure from 'close' and from the rejected command.
  client.on('error', (error: Error) => {
    options.logger?.debug({ code: (error as { code?: unknown }).code }, 'imap connection error');
  });
  return client;
}

// imapflow hides credentials in its own log entries, but we forward only the message text of a
// few fields, at debug, and drop anything that looks like an authentication exchange.
function imapLogger(logger: Logger): NonNullable<ImapFlowOptions['logger']> {
  const forward = (entry: unknown) => {
    if (!logger.isLevelEnabled('debug')) return;
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as { msg?: unknown; cid?: unknown };
    const msg = typeof e.msg === 'string' ? e.msg : '';
    if (/LOGIN|AUTHENTICATE|XOAUTH|OAUTHBEARER/i.test(msg)) return;
    logger.debug({ imap: typeof e.cid === 'string' ? e.cid : undefined }, msg.slice(0, 200));
  };
  // isLevelEnabled: without it imapflow serialises every command and response for the log before
  // finding that nobody takes it (a first-sync profile had that at ~5% of the main thread).
  const levels = {
    debug: forward,
    info: forward,
    warn: forward,
    error: forward,
    isLevelEnabled: (level: string) => level !== 'trace' && logger.isLevelEnabled('debug'),
  };
  return levels;
}

export interface ServerFolder {
  path: string;
  name: string;
  delimiter: string | null;
  /** `\Inbox`, `\Sent`, `\Drafts`, `\Trash`, `\Junk`, `\Archive`, `\All`, `\Flagged`, or null */
  specialUse: string | null;
  /** false for `\Noselect` / `\NonExistent` entries (parents only) */
  selectable: boolean;
}

export function toServerFolder(entry: ListResponse): ServerFolder {
  const flags = [...entry.flags].map((f) => f.toLowerCase());
  return {
    path: entry.path,
    name: entry.name,
    delimiter: entry.delimiter || null,
    specialUse: entry.specialUse ?? (entry.path.toUpperCase() === 'INBOX' ? '\\Inbox' : null),
    selectable: !flags.includes('\\noselect') && !flags.includes('\\nonexistent'),
  };
}

/** Lists the folders of a mailbox over a short-lived connection (for the account settings). */
export async function listServerFolders(
  endpoint: ImapEndpoint,
  credentials: ImapCredentials,
  options: CreateImapClientOptions = {},
): Promise<ServerFolder[]> {
  const client = createImapClient(endpoint, credentials, options);
  try {
    await client.connect();
    const entries = await client.list();
    return entries.map(toServerFolder);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
