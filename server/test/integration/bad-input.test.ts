// Every route answers bad input with the contract's error body and a 4xx status, never a
// 500 or a stack trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { ApiResponse } from '../support/api-client.js';

function expectErrorBody(res: ApiResponse, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body).toMatchObject({ error: { code, message: expect.any(String) as string } });
  expect(res.text).not.toMatch(/at .+\.(ts|js):\d+/);
}

describe.each(dialects)('bad input on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('malformed JSON', async () => {
    expectErrorBody(await t.admin.request('POST', '/api/v1/users', '{"email": '), 400, 'invalid_json');
    expectErrorBody(await t.client().request('POST', '/api/v1/auth/login', '{nope}'), 400, 'invalid_json');
  });

  it('wrong types, missing and unknown fields name the failing fields', async () => {
    const wrongType = await t.admin.request('POST', '/api/v1/users', { email: 'a@b.test', password: 12345678, name: 'A', role: 'user' });
    expectErrorBody(wrongType, 400, 'validation_failed');
    expect(wrongType.body).toMatchObject({ error: { details: { fields: { password: expect.any(String) as string } } } });

    const missing = await t.admin.request('POST', '/api/v1/users', { email: 'a@b.test' });
    expectErrorBody(missing, 400, 'validation_failed');
    expect(Object.keys((missing.body as { error: { details: { fields: object } } }).error.details.fields)).toEqual(
      expect.arrayContaining(['password', 'name', 'role']),
    );

    const unknown = await t.admin.request('POST', '/api/v1/me/tokens', { name: 'x', isAdmin: true });
    expectErrorBody(unknown, 400, 'validation_failed');
    expect(unknown.body).toMatchObject({ error: { details: { fields: { isAdmin: 'is not a known field' } } } });

    expectErrorBody(await t.admin.request('POST', '/api/v1/users', { email: 'not-an-email', password: 'long-enough', name: 'A', role: 'user' }), 400, 'validation_failed');
    expectErrorBody(await t.admin.request('POST', '/api/v1/users', { email: 'a@b.test', password: 'long-enough', name: 'A', role: 'root' }), 400, 'validation_failed');
    expectErrorBody(await t.admin.request('POST', '/api/v1/users', { email: 'a@b.test', password: 'short', name: 'A', role: 'user' }), 400, 'validation_failed');
    expectErrorBody(await t.admin.request('POST', '/api/v1/users', []), 400, 'validation_failed');
  });

  it('huge bodies', async () => {
    const huge = { name: 'x'.repeat(2 * 1024 * 1024) };
    expectErrorBody(await t.admin.request('POST', '/api/v1/me/tokens', huge), 413, 'payload_too_large');
  });

  it('unauthenticated, forged and expired credentials', async () => {
    expectErrorBody(await t.client().request('GET', '/api/v1/me'), 401, 'unauthenticated');
    const forged = t.client();
    forged.cookie = 'mailyard_session=forged';
    expectErrorBody(await forged.request('GET', '/api/v1/users'), 401, 'unauthenticated');
    const bearer = t.client();
    bearer.bearer = 'myd_not-a-real-token';
    expectErrorBody(await bearer.request('GET', '/api/v1/me'), 401, 'unauthenticated');
    expectErrorBody(await t.client().request('GET', '/api/v1/me', undefined, { authorization: 'Basic abc' }), 401, 'unauthenticated');
    expectErrorBody(await t.client().request('GET', '/api/v1/me', undefined, { authorization: 'Bearer' }), 401, 'unauthenticated');
  });

  it('CSRF tokens with characters outside ASCII', async () => {
    const token = t.admin.csrfToken ?? '';
    for (const forged of [`ÿ${token.slice(1)}`, 'é'.repeat(token.length), 'é'.repeat(token.length * 2), 'é']) {
      const res = await t.admin.request('POST', '/api/v1/me/tokens', { name: 'x' }, { 'x-csrf-token': forged });
      expectErrorBody(res, 403, 'csrf_failed');
    }
  });

  it("another user's resources", async () => {
    const alice = await t.createUser();
    const bob = await t.createUser();
    const token = await alice.post<{ id: string }>('/api/v1/me/tokens', { name: 'alice' }).expect(201);
    expectErrorBody(await bob.request('DELETE', `/api/v1/me/tokens/${token.id}`), 404, 'not_found');
    const aliceMe = await alice.get<{ id: string }>('/api/v1/me').expect(200);
    expectErrorBody(await bob.request('PATCH', `/api/v1/users/${aliceMe.id}`, { name: 'pwned' }), 403, 'forbidden');
  });

  it('unknown routes and ids', async () => {
    expectErrorBody(await t.admin.request('GET', '/api/v1/nothing-here'), 404, 'not_found');
    expectErrorBody(await t.admin.request('PATCH', '/api/v1/users/does-not-exist', { name: 'x' }), 404, 'not_found');
    expectErrorBody(await t.admin.request('DELETE', `/api/v1/users/${'x'.repeat(500)}`), 400, 'validation_failed');
  });
});
