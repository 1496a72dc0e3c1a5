// The one place where imapflow (and socket/TLS) errors become Mailyard's failure kinds. Callers
// switch on `kind` and `code`, never on message text.
import type { ImapFlowError } from 'imapflow';
import type { ErrorCode } from '../../domain/errors.js';

export const imapFailureKinds = [
  /** login rejected or token revoked: retrying cannot help until the owner acts */
  'auth',
  /** network, timeout, server restart, throttling: retry with backoff */
  'temporary',
  /** certificate or TLS negotiation: retried, but shown to the owner */
  'tls',
  /** the server refused one command (NO/BAD): that command failed, the session is fine */
  'command',
] as const;
export type ImapFailureKind = (typeof imapFailureKinds)[number];

export interface ImapFailure {
  kind: ImapFailureKind;
  /** its code in domain/errors.ts */
  code: Extract<ErrorCode, 'auth_failed' | 'imap_unreachable' | 'tls_error' | 'imap_command_failed'>;
  /** safe to show to the owner: never contains credentials */
  message: string;
}

const tlsCodes = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

// Server response codes (RFC 5530) that mean "these credentials will not work".
const authResponseCodes = new Set([
  'AUTHENTICATIONFAILED',
  'AUTHORIZATIONFAILED',
  'EXPIRED',
  'PRIVACYREQUIRED',
]);

export function classifyImapError(error: unknown): ImapFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ImapFlowError;
  const code = typeof e.code === 'string' ? e.code : undefined;

  if (
    e.authenticationFailed ||
    (e.serverResponseCode && authResponseCodes.has(e.serverResponseCode.toUpperCase()))
  ) {
    return { kind: 'auth', code: 'auth_failed', message: 'The server rejected the login' };
  }
  if (e.tlsFailed || (code !== undefined && tlsCodes.has(code))) {
    return {
      kind: 'tls',
      code: 'tls_error',
      message: `The server's TLS certificate could not be verified (${code ?? 'TLS failure'})`,
    };
  }
  // A NO/BAD to one command on a live connection: the command failed, not the session.
  if ((e.responseStatus === 'NO' || e.responseStatus === 'BAD') && code === undefined) {
    return {
      kind: 'command',
      code: 'imap_command_failed',
      message: `The server refused ${e.command ?? 'a command'}`,
    };
  }
  return { kind: 'temporary', code: 'imap_unreachable', message: describeTemporary(code) };
}

function describeTemporary(code: string | undefined): string {
  switch (code ?? '') {
    case 'ECONNREFUSED':
      return 'The mail server refused the connection';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'The mail server name could not be resolved';
    case 'ETIMEOUT':
    case 'ETIMEDOUT':
    case 'CONNECT_TIMEOUT':
    case 'GREETING_TIMEOUT':
    case 'UPGRADE_TIMEOUT':
      return 'The mail server stopped answering';
    case 'ETHROTTLE':
      return 'The mail server asked us to slow down';
    default:
      return 'The connection to the mail server was lost';
  }
}

/** Raised by our own watchdogs (command deadlines, liveness checks): a temporary failure. */
export class ImapTimeoutError extends Error {
  override name = 'ImapTimeoutError';
  readonly code = 'ETIMEOUT';
}
