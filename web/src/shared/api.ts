// One fetch wrapper for the whole UI: the session cookie rides along (same origin), state-changing
// requests carry the CSRF token the server gave us, and every failure becomes an ApiError with the
// server's machine-readable code, so callers switch on codes and forms can show field errors.

export const API_BASE = '/api/v1';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

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

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** The caller expects 401 as an ordinary answer (sign-in, session probe): do not route to sign-in. */
  allowUnauthorized?: boolean;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClient {
  request<T>(method: HttpMethod, path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, options?: Omit<RequestOptions, 'body'>): Promise<T>;
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  delete<T = void>(path: string, options?: RequestOptions): Promise<T>;
  setCsrfToken(token: string | null): void;
  /** Called once per 401 that the caller did not expect: the session is gone. */
  onUnauthorized(handler: (() => void) | null): void;
}

export function createApiClient(fetchImpl: FetchLike = (input, init) => fetch(input, init)): ApiClient {
  let csrfToken: string | null = null;
  let unauthorizedHandler: (() => void) | null = null;

  async function request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

    let response: Response;
    try {
      response = await fetchImpl(API_BASE + path, {
        method,
        headers,
        credentials: 'same-origin',
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: options.signal ?? null,
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') throw error;
      throw networkError();
    }

    const text = await response.text().catch(() => '');
    const body = parseJson(text);
    if (!response.ok) {
      const error = parseErrorBody(response.status, body);
      if (response.status === 401 && !options.allowUnauthorized) unauthorizedHandler?.();
      throw error;
    }
    if (text === '') return undefined as T;
    // Text that is not JSON means something other than the API answered (an HTML fallback page).
    if (body === undefined)
      throw new ApiError(response.status, 'bad_response', 'The server sent an unexpected response.');
    return body as T;
  }

  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    put: (path, body, options) => request('PUT', path, { ...options, body }),
    patch: (path, body, options) => request('PATCH', path, { ...options, body }),
    delete: (path, options) => request('DELETE', path, options),
    setCsrfToken: (token) => {
      csrfToken = token;
    },
    onUnauthorized: (handler) => {
      unauthorizedHandler = handler;
    },
  };
}

/** The client the UI uses; tests build their own with createApiClient. */
export const api = createApiClient();

/** Encodes one path segment (an id from the API) for use in a URL. */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
