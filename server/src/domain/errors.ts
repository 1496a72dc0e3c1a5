// Every error code Mailyard shows, one per condition, in one list. Services throw AppError with a
// request code; only http/errors.ts decides which HTTP status it becomes. Background codes are
// never an HTTP error: they are what an account's `status.error.code` or an outbox item's
// `error.code` says went wrong (where a request code fits the condition, it is used there too:
// `auth_failed`, `tls_error`, `smtp_unreachable`, `send_disabled`, …).

/** Failures of a request (AppError), each with its HTTP status in http/errors.ts. */
export const requestErrorCodes = [
  'validation_failed',
  'invalid_json',
  'payload_too_large',
  'unauthenticated',
  'invalid_credentials',
  // the current password given to change one's own password
  'wrong_password',
  'session_expired',
  'csrf_failed',
  'forbidden',
  'not_found',
  'conflict',
  'email_taken',
  'provider_in_use',
  'provider_exists',
  'account_exists',
  'domain_taken',
  'account_archived',
  'rate_limited',
  'cannot_delete_self',
  'last_admin',
  // verification failures (422)
  'auth_failed',
  'app_password_required',
  'dns_failed',
  'imap_unreachable',
  'smtp_unreachable',
  'tls_error',
  'starttls_unavailable',
  'auth_mechanism_unavailable',
  'oauth_failed',
  'private_network_refused',
  'verification_failed',
  'provider_required',
  'oauth_required',
  'unprocessable',
  // the stored mailbox password or tokens cannot be decrypted or parsed: reconnect the mailbox
  'secret_unreadable',
  // sending (the outbox)
  'send_disabled',
  'outbox_not_retryable',
  // a message listed from its headers whose source could not be fetched on demand
  'message_not_downloaded',
  'service_unavailable',
  'internal_error',
  // refused by the HTTP framework before any route runs
  'unsupported_media_type',
  'bad_request',
  'uri_too_long',
  // refused by Node's HTTP parser before Fastify sees a request
  'headers_too_large',
  'request_timeout',
] as const;

/** Failures of background work (sync, sending), shown in status fields, never as HTTP errors. */
export const backgroundErrorCodes = [
  // the IMAP server refused one command (NO/BAD); the connection is fine
  'imap_command_failed',
  // sending (an outbox item's error.code)
  'smtp_temporary',
  'recipient_rejected',
  'message_too_large',
  'sender_rejected',
  'message_rejected',
  'credentials_unavailable',
  'account_unavailable',
  'may_have_been_sent',
  'sent_copy_failed',
] as const;

export const errorCodes = [...requestErrorCodes, ...backgroundErrorCodes] as const;
export type ErrorCode = (typeof errorCodes)[number];
export type RequestErrorCode = (typeof requestErrorCodes)[number];

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: RequestErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'You are not allowed to do that') => new AppError('forbidden', message);
export const validationFailed = (fields: Record<string, string>) =>
  new AppError('validation_failed', 'Some fields are invalid', { fields });
