// One fetch wrapper for the whole UI: the session cookie rides along (same origin), state-changing
// requests carry the CSRF token the server gave us, and every failure becomes an ApiError with the
// server's machine-readable code, so callers switch on codes and forms can show field errors.

import createClient from 'openapi-fetch';
import type { paths } from './api-schema.gen.js';

export const API_BASE = '/api/v1';

export type ErrorDetails = Record<string, unknown>;

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  /** Validation messages by field name (from `details.fields`); empty for other errors. */
  get fieldErrors(): Record<string, string> {
    return readFieldErrors(this.details);
  }
}

const FALLBACK_BY_STATUS: Record<number, { code: string; message: string }> = {
  400: { code: 'bad_request', message: 'The request was not accepted.' },
  401: { code: 'unauthorized', message: 'Please sign in again.' },
  403: { code: 'forbidden', message: 'You do not have permission to do that.' },
  404: { code: 'not_found', message: 'Not found.' },
  409: { code: 'conflict', message: 'That conflicts with existing data.' },
  422: { code: 'unprocessable', message: 'The request could not be completed.' },
  429: { code: 'rate_limited', message: 'Too many attempts. Please wait a moment and try again.' },
};

function fallbackFor(status: number): { code: string; message: string } {
  const known = FALLBACK_BY_STATUS[status];
  if (known) return known;
  if (status >= 500) return { code: 'server_error', message: 'The server had a problem. Please try again.' };
  return { code: 'http_error', message: `Unexpected response (HTTP ${status}).` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * Turns an error response into an ApiError. Tolerates bodies that are not the documented
 * `{"error":{code,message,details}}` shape (a proxy's HTML page, an empty body), falling back to
 * a code and message derived from the status.
 */
export function parseErrorBody(status: number, body: unknown): ApiError {
  const fallback = fallbackFor(status);
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (!error) return new ApiError(status, fallback.code, fallback.message);
  return new ApiError(
    status,
    nonEmptyString(error.code) ?? fallback.code,
    nonEmptyString(error.message) ?? fallback.message,
    isRecord(error.details) ? error.details : {},
  );
}

export function readFieldErrors(details: ErrorDetails): Record<string, string> {
  const fields = details.fields;
  if (!isRecord(fields)) return {};
  const result: Record<string, string> = {};
  for (const [name, message] of Object.entries(fields)) {
    if (typeof message === 'string') result[name] = message;
    else if (Array.isArray(message) && typeof message[0] === 'string') result[name] = message[0];
  }
  return result;
}

/** Field errors of any thrown value; empty unless it is a validation ApiError. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fieldErrors : {};
}

/** A sentence to show a person for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.name === 'AbortError') return 'The request was cancelled.';
  return 'Something went wrong. Please try again.';
}

export function networkError(): ApiError {
  return new ApiError(
    0,
    'network_error',
    'Cannot reach the Mailyard server. Check your connection and try again.',
  );
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export type FetchLike = (request: Request) => Promise<Response>;

/**
 * The typed client (openapi-fetch over the generated `paths`): paths, parameters, bodies and
 * answers are the server's, from web/src/shared/api-schema.gen.ts. A failure never comes back as
 * a value: the transport throws it as an ApiError, so `data` (see `call`) is the success.
 */
export function createApiClient(fetchImpl: FetchLike = (request) => fetch(request)) {
  let csrfToken: string | null = null;
  let unauthorizedHandler: (() => void) | null = null;

  const transport =
    (allowUnauthorized: boolean): FetchLike =>
    async (request) => {
      if (request.method !== 'GET' && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
      let response: Response;
      try {
        response = await fetchImpl(request);
      } catch (error) {
        if (error instanceof Error && error.name === 'AbortError') throw error;
        throw networkError();
      }
      const text = await response.text().catch(() => '');
      const body = parseJson(text);
      if (!response.ok) {
        if (response.status === 401 && !allowUnauthorized) unauthorizedHandler?.();
        throw parseErrorBody(response.status, body);
      }
      // Text that is not JSON means something other than the API answered (an HTML fallback page).
      if (text !== '' && body === undefined)
        throw new ApiError(response.status, 'bad_response', 'The server sent an unexpected response.');
      return new Response(text === '' ? null : text, { status: response.status, headers: response.headers });
    };

  const client = createClient<paths>({
    baseUrl: globalThis.location?.origin ?? 'http://localhost',
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
    fetch: transport(false),
  });
  return Object.assign(client, {
    /** Per-request option: 401 is an ordinary answer (sign-in, session probe), not a lost session. */
    allowUnauthorized: { fetch: transport(true) },
    setCsrfToken(token: string | null): void {
      csrfToken = token;
    },
    /** Called once per 401 that the caller did not expect: the session is gone. */
    onUnauthorized(handler: (() => void) | null): void {
      unauthorizedHandler = handler;
    },
  });
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The client the UI uses; tests build their own with createApiClient. */
export const api = createApiClient();

/** The answer of a call that succeeded (the transport threw every failure). */
export async function call<T>(request: Promise<{ data?: T }>): Promise<T> {
  const { data } = await request;
  return data as T;
}

/** Encodes one path segment (an id from the API) for use in a URL. */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
