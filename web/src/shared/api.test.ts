import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  call,
  createApiClient,
  errorMessage,
  fieldErrorsOf,
  parseErrorBody,
  type FetchLike,
} from './api.js';

describe('parseErrorBody', () => {
  it('reads the documented error envelope', () => {
    const error = parseErrorBody(400, {
      error: {
        code: 'validation_failed',
        message: 'Check the fields.',
        details: { fields: { email: 'Not an email address' } },
      },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Check the fields.' });
    expect(error.fieldErrors).toEqual({ email: 'Not an email address' });
  });

  it('falls back to the status when the body is not the envelope', () => {
    expect(parseErrorBody(429, undefined)).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(parseErrorBody(502, '<html>Bad gateway</html>')).toMatchObject({ code: 'server_error' });
    expect(parseErrorBody(418, { message: 'teapot' })).toMatchObject({ code: 'http_error' });
  });

  it('fills a missing code or message from the status', () => {
    const error = parseErrorBody(404, { error: { code: '', message: 42 } });
    expect(error.code).toBe('not_found');
    expect(error.message).toBe('Not found.');
    expect(error.details).toEqual({});
  });

  it('keeps only string field messages (or the first of a list)', () => {
    const error = parseErrorBody(400, {
      error: {
        code: 'validation_failed',
        message: 'x',
        details: { fields: { name: ['Required', 'Too short'], role: 7, password: 'Too short' } },
      },
    });
    expect(error.fieldErrors).toEqual({ name: 'Required', password: 'Too short' });
  });
});

describe('fieldErrorsOf and errorMessage', () => {
  it('treat anything that is not an ApiError as a general failure', () => {
    expect(fieldErrorsOf(new Error('boom'))).toEqual({});
    expect(errorMessage(new Error('internal detail'))).toBe('Something went wrong. Please try again.');
    expect(errorMessage(new ApiError(409, 'account_exists', 'Already connected by Ada.'))).toBe(
      'Already connected by Ada.',
    );
  });
});

function jsonResponse(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function clientReturning(response: () => Response | Promise<Response>) {
  const fetchMock = vi.fn<FetchLike>(() => Promise.resolve(response()));
  return { client: createApiClient(fetchMock), fetchMock };
}

const requestOf = (fetchMock: ReturnType<typeof clientReturning>['fetchMock'], call: number): Request => {
  const request = fetchMock.mock.calls[call]?.[0];
  if (!request) throw new Error(`no request ${call}`);
  return request;
};

describe('createApiClient', () => {
  it('sends JSON with the session cookie and the CSRF token on writes only', async () => {
    const { client, fetchMock } = clientReturning(() => jsonResponse(200, { ok: true }));
    client.setCsrfToken('csrf-1');

    await client.GET('/api/v1/me');
    await client.POST('/api/v1/me/tokens', { body: { name: 'Ada' } });

    const get = requestOf(fetchMock, 0);
    expect(new URL(get.url).pathname).toBe('/api/v1/me');
    expect(get.credentials).toBe('same-origin');
    expect(get.headers.get('X-CSRF-Token')).toBeNull();

    const post = requestOf(fetchMock, 1);
    expect(post.method).toBe('POST');
    expect(await post.text()).toBe('{"name":"Ada"}');
    expect(post.headers.get('X-CSRF-Token')).toBe('csrf-1');
    expect(post.headers.get('Content-Type')).toBe('application/json');
  });

  it('returns undefined for 204', async () => {
    const { client } = clientReturning(() => new Response(null, { status: 204 }));
    await expect(call(client.DELETE('/api/v1/me/tokens/{id}', { params: { path: { id: '1' } } }))).resolves.toBeUndefined();
  });

  it('throws a typed ApiError for error responses', async () => {
    const { client } = clientReturning(() =>
      jsonResponse(409, { error: { code: 'domain_taken', message: 'Taken.', details: { domain: 'a.com' } } }),
    );
    await expect(client.POST('/api/v1/provider-domains', { body: { domain: 'a.com', providerId: 'p' } })).rejects.toMatchObject({
      status: 409,
      code: 'domain_taken',
      details: { domain: 'a.com' },
    });
  });

  it('reports an unexpected 401 once, but not one the caller expects', async () => {
    const { client } = clientReturning(() =>
      jsonResponse(401, { error: { code: 'unauthorized', message: 'Sign in.' } }),
    );
    const onUnauthorized = vi.fn();
    client.onUnauthorized(onUnauthorized);

    await expect(client.GET('/api/v1/users')).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);

    await expect(
      client.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'x' }, ...client.allowUnauthorized }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('turns a failed connection into network_error', async () => {
    const client = createApiClient(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(client.GET('/api/v1/me')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('rejects a success that is not JSON (an HTML fallback page answered instead of the API)', async () => {
    const { client } = clientReturning(() => new Response('<!doctype html><html></html>', { status: 200 }));
    await expect(client.GET('/api/v1/me')).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('hands back the answer of a call that succeeded', async () => {
    const user = { id: 'u1', email: 'ada@example.com', name: 'Ada', role: 'admin' };
    const { client } = clientReturning(() => jsonResponse(200, user));
    await expect(call(client.GET('/api/v1/me'))).resolves.toEqual(user);
  });
});
