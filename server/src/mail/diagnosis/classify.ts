// The one place where failures of a mail connection — Node's socket, DNS and TLS errors,
// imapflow's and nodemailer's errors, and Mailyard's own DiagnosisErrors — become the
// contract's error codes with an explanation a person can act on. Decided by error codes and
// properties; server response text is read only where the server gives no code (e.g. Google's
// "Application-specific password required", which arrives as a plain [ALERT] or 534 text).
import type { RequestErrorCode } from '../../domain/errors.js';
import type { SecurityMode } from '../../domain/provider.js';
import type { Protocol, StepError, StepName } from './types.js';

export interface FailureContext {
  protocol: Protocol;
  step: StepName;
  host: string;
  port: number;
  security: SecurityMode;
  /** the authentication used an OAuth access token */
  oauth?: boolean;
  /** false: never quote what the server said (answers about a server a user chose); default true */
  quoteServer?: boolean;
}

interface ErrorShape {
  code?: unknown;
  originalCode?: unknown;
  message?: unknown;
  authenticationFailed?: unknown;
  serverResponseCode?: unknown;
  responseText?: unknown;
  response?: unknown;
  responseCode?: unknown;
  oauthError?: unknown;
  info?: unknown;
  cert?: unknown;
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const protocolName = (p: Protocol) => (p === 'imap' ? 'IMAP' : 'SMTP');
const tlsPort = (p: Protocol) => (p === 'imap' ? 993 : 465);
const starttlsPort = (p: Protocol) => (p === 'imap' ? 143 : 587);
const unreachable = (p: Protocol): RequestErrorCode => (p === 'imap' ? 'imap_unreachable' : 'smtp_unreachable');

const certificateCodes: Record<string, string> = {
  CERT_HAS_EXPIRED: 'The server’s certificate has expired. The server’s administrator must renew it.',
  CERT_NOT_YET_VALID:
    'The server’s certificate is not valid yet (check the clock of the server and of Mailyard).',
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'The server uses a self-signed certificate, which nobody vouches for. Install a certificate from a public authority on the server, or add this certificate to the certificates Mailyard trusts (NODE_EXTRA_CA_CERTS).',
  SELF_SIGNED_CERT_IN_CHAIN:
    'The server’s certificate is signed by a private certificate authority that Mailyard does not trust. Add that CA to Mailyard (NODE_EXTRA_CA_CERTS) or use a certificate from a public authority.',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'The server’s certificate cannot be traced to a trusted authority (an untrusted CA, or the server does not send its intermediate certificates).',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'The server’s certificate is issued by an authority Mailyard does not trust (a private CA, or a missing intermediate certificate).',
  UNABLE_TO_GET_ISSUER_CERT: 'The server’s certificate is issued by an authority Mailyard does not trust.',
  CERT_REVOKED: 'The server’s certificate has been revoked.',
  CERT_SIGNATURE_FAILURE: 'The server’s certificate has an invalid signature.',
  CERT_UNTRUSTED: 'The server’s certificate is not trusted.',
  CERT_REJECTED: 'The server’s certificate was rejected.',
};

// OpenSSL's complaints when the other side does not speak TLS at all.
const notTlsCodes = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_RECORD_LAYER_FAILURE',
]);

/** Server texts that mean "use an app password" (no response code exists for them). */
const appPasswordHints = [
  /application-specific password/i,
  /app(lication)? password/i,
  /\b534[- ]5\.7\.9\b/,
  /WEBLOGINREQUIRED/i,
];
const basicAuthDisabledHints = [/basic authentication is disabled/i, /5\.7\.139/];

function codeOf(error: ErrorShape): string | undefined {
  return str(error.originalCode) ?? str(error.code);
}

function serverText(error: ErrorShape): string {
  return [str(error.responseText), str(error.response), str(error.message)].filter(Boolean).join(' ');
}

export function classifyFailure(error: unknown, ctx: FailureContext): StepError {
  const e: ErrorShape = typeof error === 'object' && error !== null ? error : { message: String(error) };
  const code = codeOf(e);
  const P = protocolName(ctx.protocol);
  const where = `${ctx.host}:${ctx.port}`;

  if (ctx.step === 'dns' && code !== 'PRIVATE_NETWORK') {
    const missing = code === 'ENOTFOUND' || code === 'ENODATA' || code === 'NO_ADDRESS' || code === 'EDNS';
    return {
      code: 'dns_failed',
      explanation: missing
        ? `The name ${ctx.host} does not exist in DNS. Check the spelling of the ${P} server.`
        : `The name ${ctx.host} could not be looked up right now (the DNS server did not answer${code ? `: ${code}` : ''}). Try again later.`,
    };
  }

  switch (code ?? '') {
    // ---- TCP
    case 'ECONNREFUSED':
      return {
        code: unreachable(ctx.protocol),
        explanation: `${ctx.host} refused the connection on port ${ctx.port}: nothing listens there. Check the port (${P} usually uses ${tlsPort(ctx.protocol)} with TLS or ${starttlsPort(ctx.protocol)} with STARTTLS) and that the server is running.`,
      };
    case 'CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
    case 'ECONNECTION':
      if (ctx.step === 'tcp' || code === 'CONNECT_TIMEOUT') {
        return {
          code: unreachable(ctx.protocol),
          explanation: `No answer from ${where}. A firewall may drop the connection, or the host or port is wrong.`,
        };
      }
      break;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return {
        code: unreachable(ctx.protocol),
        explanation: `${ctx.host} cannot be reached from the Mailyard server (no route to it).`,
      };
    case 'PRIVATE_NETWORK':
      return {
        code: 'private_network_refused',
        explanation: `${ctx.host} is on a private or local network, which Mailyard does not contact on a user's behalf unless an administrator allows private networks.`,
      };

    // ---- TLS
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const names = str((e.cert as { subjectaltname?: unknown } | undefined)?.subjectaltname);
      return {
        code: 'tls_error',
        explanation: `The server’s certificate is for another name${names ? ` (${names.replace(/DNS:|IP Address:/g, '')})` : ''}, not ${ctx.host}. Use the host name the certificate names, or pin the certificate’s fingerprint.`,
      };
    }
    case 'CERT_PIN_MISMATCH':
      return {
        code: 'tls_error',
        explanation:
          'The server’s certificate is not the one whose fingerprint is pinned in the provider settings. If the server got a new certificate, update the fingerprint.',
      };
    case 'EXPECTS_IMPLICIT_TLS':
      return {
        code: 'tls_error',
        explanation: `Port ${ctx.port} expects TLS from the first byte (implicit TLS), but security is set to ${ctx.security === 'none' ? 'none' : 'STARTTLS'}. Choose security TLS for this port, or use port ${starttlsPort(ctx.protocol)} for STARTTLS.`,
      };
    case 'TLS_TIMEOUT':
      return {
        code: 'tls_error',
        explanation: `The TLS handshake with ${where} did not finish. The port may not speak TLS.`,
      };
    case 'STARTTLS_NOT_OFFERED':
      return {
        code: 'starttls_unavailable',
        explanation: `The ${P} server on port ${ctx.port} does not offer STARTTLS, so the connection cannot be encrypted. Use the TLS port (${tlsPort(ctx.protocol)}) with security TLS, or ask the server's administrator to enable STARTTLS.`,
      };
    case 'STARTTLS_REFUSED':
      return {
        code: 'starttls_unavailable',
        explanation: `The ${P} server announced STARTTLS but refused it. The server is misconfigured.`,
      };
    case 'ETLS':
    case 'STARTTLS_INJECTION':
      return { code: 'tls_error', explanation: `The encrypted connection to ${where} could not be set up.` };

    // ---- protocol
    case 'GREETING_TIMEOUT':
      return {
        code: unreachable(ctx.protocol),
        explanation: `${where} accepted the connection but never greeted. If this port uses implicit TLS, set security to TLS; otherwise the service may be overloaded.`,
      };
    case 'RESPONSE_TIMEOUT':
      return {
        code: unreachable(ctx.protocol),
        explanation: `The ${P} server at ${where} stopped answering.`,
      };
    case 'WRONG_PROTOCOL':
      return {
        code: unreachable(ctx.protocol),
        explanation: `The service on ${where} is not an ${P} server${ctx.protocol === 'imap' ? ' (is this the SMTP port?)' : ' (is this the IMAP port?)'}.`,
      };
    case 'GREETING_REJECTED':
      return {
        code: unreachable(ctx.protocol),
        explanation: `The ${P} server at ${where} refused to talk to Mailyard${ctx.quoteServer === false ? '.' : `: ${str(e.message) ?? ''}`}`,
      };
    case 'CONNECTION_CLOSED':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'NoConnection':
    case 'EConnectionClosed':
    case 'ClosedAfterConnectText':
    case 'ClosedAfterConnectTLS':
      if (ctx.step === 'auth' && ctx.oauth) return oauthRejected(ctx);
      return {
        code: unreachable(ctx.protocol),
        explanation: `The ${P} server at ${where} closed the connection unexpectedly.`,
      };
    case 'AUTH_MECHANISM_MISSING':
      return { code: 'auth_mechanism_unavailable', explanation: mechanismExplanation(e, ctx) };
    default:
      break;
  }

  if (code && code in certificateCodes)
    return { code: 'tls_error', explanation: certificateCodes[code] ?? '' };
  if (code && notTlsCodes.has(code)) {
    return {
      code: 'tls_error',
      explanation: `Port ${ctx.port} does not speak TLS: the server answered in plain text. Set security to STARTTLS (usual port ${starttlsPort(ctx.protocol)}), or use port ${tlsPort(ctx.protocol)} for TLS.`,
    };
  }

  // ---- authentication (imapflow sets authenticationFailed; nodemailer uses EAUTH)
  if (e.authenticationFailed === true || code === 'EAUTH' || code === 'EOAUTH2') {
    const text = serverText(e);
    const responseCode = str(e.serverResponseCode)?.toUpperCase();
    if (appPasswordHints.some((re) => re.test(text))) {
      return {
        code: 'app_password_required',
        explanation:
          'The provider requires an app password for mail programs: create one in the account’s security settings and use it instead of the normal password.',
      };
    }
    if (basicAuthDisabledHints.some((re) => re.test(text))) {
      return {
        code: 'auth_failed',
        explanation:
          'The provider has turned off password sign-in for this mailbox: connect with OAuth 2.0 (Sign in) instead.',
      };
    }
    if (ctx.oauth && (responseCode === 'UNAVAILABLE' || e.oauthError !== undefined || code === 'EOAUTH2'))
      return oauthRejected(ctx);
    if (responseCode === 'UNAVAILABLE') {
      return {
        code: 'auth_failed',
        explanation: `The ${P} server could not check the login right now (Internal login failure). Try again later.`,
      };
    }
    return {
      code: 'auth_failed',
      explanation: ctx.oauth
        ? `The ${P} server rejected the OAuth access token. Sign in again.`
        : `The ${P} server rejected the login: the user name or password is wrong${responseCode === 'AUTHENTICATIONFAILED' ? '' : ', or the account may not be allowed to use ' + P}.`,
    };
  }
  if (ctx.step === 'auth' && ctx.oauth && /internal login failure/i.test(serverText(e)))
    return oauthRejected(ctx);

  return {
    code:
      ctx.step === 'dns'
        ? 'dns_failed'
        : ctx.step === 'tls' || ctx.step === 'starttls'
          ? 'tls_error'
          : unreachable(ctx.protocol),
    explanation: `The ${P} check failed at ${where}${code ? ` (${code})` : ''}.`,
  };
}

function oauthRejected(ctx: FailureContext): StepError {
  return {
    code: 'auth_failed',
    explanation: `The ${protocolName(ctx.protocol)} server did not accept the OAuth sign-in (it reported an internal login failure or closed the connection). The token may be for another user, expired, or missing the mail scopes: sign in again.`,
  };
}

function mechanismExplanation(e: ErrorShape, ctx: FailureContext): string {
  const info = (e.info ?? {}) as { offered?: unknown };
  const offered = Array.isArray(info.offered) && info.offered.length > 0 ? info.offered.join(', ') : 'none';
  const P = protocolName(ctx.protocol);
  if (ctx.oauth)
    return `The ${P} server does not offer OAuth sign-in (XOAUTH2 or OAUTHBEARER); it offers: ${offered}.`;
  if (ctx.security === 'none') {
    return `The ${P} server offers no password sign-in (AUTH PLAIN/LOGIN) on an unencrypted connection (offered: ${offered}). Most servers allow it only after TLS: choose TLS or STARTTLS.`;
  }
  return `The ${P} server offers no password sign-in mechanism Mailyard supports (AUTH PLAIN or LOGIN); it offers: ${offered}.${ctx.protocol === 'smtp' ? ' This may be a port for incoming mail only: use the submission port (465 or 587).' : ''}`;
}
