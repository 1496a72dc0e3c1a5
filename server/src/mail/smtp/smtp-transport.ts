// The one place that opens SMTP connections: timeouts on every wait, certificates always
// verified (an optional pinned fingerprint narrows trust further), password or XOAUTH2 login.
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';

export interface SmtpEndpoint {
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  /** pinned SHA-256 certificate fingerprint: 64 lower-case hex digits */
  tlsFingerprint: string | null;
}

export type SmtpCredentials = { user: string; password: string } | { user: string; accessToken: string };

export interface SmtpTimeouts {
  connectionMs: number;
  greetingMs: number;
  /** inactivity on an open connection, not the length of the whole upload */
  socketMs: number;
}

export const defaultSmtpTimeouts: SmtpTimeouts = { connectionMs: 15_000, greetingMs: 15_000, socketMs: 60_000 };

export interface SmtpAcceptance {
  /** addresses the server took */
  accepted: string[];
  /** addresses the server refused while taking the others */
  rejected: string[];
  /** the server's final reply, e.g. "250 2.0.0 Ok: queued as 4F2…" */
  response: string;
}

const normalizeFingerprint = (value: string) => value.replace(/:/g, '').toLowerCase();

/**
 * Identity check run after the normal chain verification succeeded: the usual host-name check,
 * then, when the admin pinned a certificate, its fingerprint must match too.
 */
export function pinnedIdentityCheck(pin: string | null) {
  return (host: string, cert: PeerCertificate): Error | undefined => {
    const hostError = checkServerIdentity(host, cert);
    if (hostError) return hostError;
    if (pin && normalizeFingerprint(cert.fingerprint256) !== normalizeFingerprint(pin)) {
      return Object.assign(new Error('The server certificate does not match the pinned fingerprint'), { code: 'ERR_TLS_CERT_PIN_MISMATCH' });
    }
    return undefined;
  };
}

export function createSmtpTransport(endpoint: SmtpEndpoint, credentials: SmtpCredentials, timeouts: SmtpTimeouts = defaultSmtpTimeouts) {
  const auth =
    'accessToken' in credentials
      ? { type: 'OAuth2', user: credentials.user, accessToken: credentials.accessToken }
      : { user: credentials.user, pass: credentials.password };
  return nodemailer.createTransport({
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.security === 'tls',
    requireTLS: endpoint.security === 'starttls',
    ignoreTLS: endpoint.security === 'none',
    auth,
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    // One message per connection: the outbox sends rarely and must not hold idle sessions.
    pool: false,
    tls: {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      // SNI must not carry an IP address (RFC 6066).
      ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }),
      checkServerIdentity: pinnedIdentityCheck(endpoint.tlsFingerprint),
    },
    logger: false,
  });
}

/**
 * Sends an already built message exactly as given (the bytes the Sent copy also gets). Resolves
 * when the server accepted it for at least one recipient; rejects with nodemailer's error
 * (translate it with translateSmtpError).
 */
export async function sendRaw(
  endpoint: SmtpEndpoint,
  credentials: SmtpCredentials,
  message: { from: string; to: string[]; raw: Buffer },
  timeouts?: SmtpTimeouts,
): Promise<SmtpAcceptance> {
  const transport = createSmtpTransport(endpoint, credentials, timeouts);
  try {
    const info = await transport.sendMail({ envelope: { from: message.from, to: message.to }, raw: message.raw });
    const addresses = (list: unknown): string[] =>
      Array.isArray(list) ? list.map((a) => (typeof a === 'string' ? a : String((a as { address?: string }).address ?? ''))) : [];
    return { accepted: addresses(info.accepted), rejected: addresses(info.rejected), response: String(info.response ?? '') };
  } finally {
    transport.close();
  }
}
