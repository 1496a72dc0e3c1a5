// SMTP failures translated, in one place, into what the outbox decides on: a stable code, whether
// trying again later can help, and a sentence a person understands. Decided by the SMTP reply
// code and nodemailer's error code, never by message text.
import type { ErrorCode } from '../../domain/errors.js';

/** The fields nodemailer attaches to its errors (nodemailer's NodemailerError). */
interface NodemailerError {
  code?: string;
  originalCode?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  rejected?: string[];
}

/** The codes (domain/errors.ts) an outbox item's failure can carry. */
export type SendErrorCode = Extract<
  ErrorCode,
  | 'recipient_rejected'
  | 'message_too_large'
  | 'auth_failed'
  | 'sender_rejected'
  | 'message_rejected'
  | 'tls_error'
  | 'smtp_unreachable'
  | 'smtp_temporary'
  | 'credentials_unavailable'
  | 'send_disabled'
  | 'account_unavailable'
  | 'may_have_been_sent'
>;

export interface SendFailure {
  code: SendErrorCode;
  /** true: the same message will be refused again, so it must not be retried */
  permanent: boolean;
  message: string;
}

/** The server's own words, trimmed, for the user to pass on to their mail administrator. */
function serverSaid(error: NodemailerError): string {
  const response = typeof error.response === 'string' ? error.response.replace(/\s+/g, ' ').trim() : '';
  return response ? ` The server said: "${response.slice(0, 300)}"` : '';
}

const networkErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export function translateSmtpError(error: unknown): SendFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as NodemailerError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;

  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'EOAUTH2' || reply === 535 || reply === 534 || reply === 530) {
    // 454 is a temporary authentication failure (the auth backend is down): worth a retry.
    if (reply === 454) {
      return { code: 'smtp_temporary', permanent: false, message: `The mail server could not check the login just now.${serverSaid(e)}` };
    }
    return {
      code: 'auth_failed',
      permanent: true,
      message: `The mail server rejected the login for this mailbox; enter the password again or sign in again in the mailbox settings.${serverSaid(e)}`,
    };
  }
  if (code === 'ETLS' || code === 'EREQUIRETLS' || (code === 'ESOCKET' && typeof e.originalCode === 'string' && /CERT|SSL|TLS/i.test(e.originalCode))) {
    return { code: 'tls_error', permanent: false, message: 'The secure connection to the mail server failed (certificate or TLS problem).' };
  }
  if (reply !== undefined && reply >= 500 && reply !== 503) {
    if (reply === 552) {
      return { code: 'message_too_large', permanent: true, message: `The message is larger than the mail server accepts; remove or shrink attachments.${serverSaid(e)}` };
    }
    if (code === 'EENVELOPE' && e.command !== undefined && /^MAIL\b/i.test(e.command)) {
      return { code: 'sender_rejected', permanent: true, message: `The mail server refused this sender address.${serverSaid(e)}` };
    }
    const atRecipient = e.command !== undefined && /^RCPT\b/i.test(e.command);
    if (code === 'EENVELOPE' || atRecipient || reply === 550 || reply === 551 || reply === 553) {
      const who = e.rejected?.length ? ` (${e.rejected.join(', ')})` : '';
      return { code: 'recipient_rejected', permanent: true, message: `The mail server refused the recipient${who}.${serverSaid(e)}` };
    }
    return { code: 'message_rejected', permanent: true, message: `The mail server refused the message.${serverSaid(e)}` };
  }
  if (reply !== undefined) {
    return { code: 'smtp_temporary', permanent: false, message: `The mail server asked to try again later.${serverSaid(e)}` };
  }
  if (code === 'ECONNECTION' || code === 'ETIMEDOUT' || code === 'ESOCKET' || code === 'EDNS' || (code !== undefined && networkErrnos.has(code))) {
    return { code: 'smtp_unreachable', permanent: false, message: 'The mail server could not be reached; Mailyard will try again.' };
  }
  return { code: 'smtp_temporary', permanent: false, message: 'Sending failed for a reason that may pass; Mailyard will try again.' };
}
