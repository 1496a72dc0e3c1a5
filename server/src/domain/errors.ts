// Domain errors carry a machine-readable code. Services throw these; only http/errors.ts
// decides which HTTP status a code becomes.

export const errorCodes = [
  'validation_failed',
  'invalid_json',
  'payload_too_large',
  'unauthenticated',
  'invalid_credentials',
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
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
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
