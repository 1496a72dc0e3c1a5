// The one place where domain error codes become HTTP statuses and every failure becomes the
// contract's error body: {"error":{"code","message","details"}}. Never a stack trace.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, type RequestErrorCode } from '../domain/errors.js';

const statusByCode: Record<RequestErrorCode, number> = {
  validation_failed: 400,
  invalid_json: 400,
  payload_too_large: 413,
  unauthenticated: 401,
  invalid_credentials: 401,
  wrong_password: 403,
  session_expired: 401,
  csrf_failed: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  email_taken: 409,
  provider_in_use: 409,
  provider_exists: 409,
  account_exists: 409,
  domain_taken: 409,
  account_archived: 409,
  cannot_delete_self: 409,
  last_admin: 409,
  rate_limited: 429,
  auth_failed: 422,
  app_password_required: 422,
  dns_failed: 422,
  imap_unreachable: 422,
  smtp_unreachable: 422,
  tls_error: 422,
  starttls_unavailable: 422,
  auth_mechanism_unavailable: 422,
  oauth_failed: 422,
  private_network_refused: 422,
  verification_failed: 422,
  provider_required: 422,
  oauth_required: 422,
  unprocessable: 422,
  secret_unreadable: 422,
  send_disabled: 403,
  outbox_not_retryable: 409,
  message_not_downloaded: 503,
  service_unavailable: 503,
  internal_error: 500,
  unsupported_media_type: 415,
  bad_request: 400,
  uri_too_long: 414,
  headers_too_large: 431,
  request_timeout: 408,
};

export const httpStatusFor = (code: RequestErrorCode): number => statusByCode[code];

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(details && { details }) } };
}

/** Turns AJV's messages into {field: message}, e.g. {"email": "must be string"}. */
function fieldsFromValidation(error: FastifyError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const v of error.validation ?? []) {
    const params = v.params as { missingProperty?: string; additionalProperty?: string } | undefined;
    const base = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (params?.missingProperty) fields[[base, params.missingProperty].filter(Boolean).join('.')] = 'is required';
    else if (params?.additionalProperty)
      fields[[base, params.additionalProperty].filter(Boolean).join('.')] = 'is not a known field';
    else fields[base || (error.validationContext ?? 'body')] = v.message ?? 'is invalid';
  }
  return fields;
}

export function handleError(error: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    const status = httpStatusFor(error.code);
    if (error.code === 'rate_limited' && typeof error.details?.retryAfterSeconds === 'number') {
      void reply.header('retry-after', String(error.details.retryAfterSeconds));
    }
    return reply.status(status).send(errorBody(error.code, error.message, error.details));
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const where = fastifyError.validationContext ?? 'body';
    return reply
      .status(400)
      .send(errorBody('validation_failed', `The request ${where} is invalid`, { fields: fieldsFromValidation(fastifyError) }));
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.status(400).send(errorBody('invalid_json', 'The request body is not valid JSON'));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.status(413).send(errorBody('payload_too_large', 'The request body is too large'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.status(httpStatusFor('unsupported_media_type')).send(errorBody('unsupported_media_type', 'Send the request body as application/json'));
    default:
      break;
  }
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Fastify's own client errors (bad content length, malformed URL, …).
    return reply.status(fastifyError.statusCode).send(errorBody('bad_request', fastifyError.message));
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send(errorBody('internal_error', 'Something went wrong on our side'));
}

/** Errors the router raises before any route runs (over-long URLs, bad parameters). */
export function handleFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  void reply.status(status).send(errorBody(status === 414 ? 'uri_too_long' : 'bad_request', error.message));
}

/** What Node's HTTP parser refused, as the contract's error: code, status and message. */
function protocolError(error: NodeJS.ErrnoException): { code: RequestErrorCode; message: string } {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { code: 'request_timeout', message: 'The request took too long to arrive' };
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return { code: 'headers_too_large', message: 'The request line or headers are too large' };
  }
  if (error.code === 'HPE_INVALID_CONTENT_LENGTH' || error.code === 'HPE_UNEXPECTED_CONTENT_LENGTH') {
    return { code: 'bad_request', message: 'The Content-Length header is invalid' };
  }
  return { code: 'bad_request', message: 'The request is not valid HTTP' };
}

/**
 * Errors of the HTTP parser (over-long headers, a bad Content-Length, a malformed request)
 * happen before Fastify has a request: answered on the socket itself, in the same format.
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { code, message } = protocolError(error);
  const status = httpStatusFor(code);
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
