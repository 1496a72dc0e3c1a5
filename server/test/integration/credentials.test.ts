// What a password change does to the credentials it gave out, through the real HTTP API on
// SQLite and PostgreSQL: an admin's reset ends sessions and API tokens, admins list and revoke
// a user's tokens, and a user changes their own password, ending their other sessions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { ApiClient } from '../support/api-client.js';

interface Token {
  id: string;
  name: string;
  token: string;
}

describe.each(dialects)('credentials after a password change on %s', (dialect) => {
  let t: TestApp;
  let counter = 0;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function newUser(): Promise<{ id: string; email: string; password: string; client: ApiClient }> {
    counter += 1;
    const email = `cred${counter}-${Date.now()}@mailyard.test`;
    const password = 'first-password-1';
    const { id } = await t.admin.post<{ id: string }>('/api/v1/users', { email, password, name: 'Cred', role: 'user' }).expect(201);
    const client = t.client();
    await client.login(email, password);
    return { id, email, password, client };
  }

  const bearer = (token: string) => {
    const client = t.client();
    client.bearer = token;
    return client;
  };

  it("ends the user's API tokens as well as their sessions when an admin resets the password", async () => {
    const user = await newUser();
    const token = await user.client.post<Token>('/api/v1/me/tokens', { name: 'laptop script' }).expect(201);
    await bearer(token.token).get('/api/v1/me').expect(200);

    await t.admin.patch(`/api/v1/users/${user.id}`, { password: 'reset-by-admin-2' }).expect(200);

    await user.client.get('/api/v1/me').expectError(401, 'unauthenticated');
    await bearer(token.token).get('/api/v1/me').expectError(401, 'unauthenticated');
  });

  it("keeps a user's tokens when only their name or role changes", async () => {
    const user = await newUser();
    const token = await user.client.post<Token>('/api/v1/me/tokens', { name: 'kept' }).expect(201);
    await t.admin.patch(`/api/v1/users/${user.id}`, { name: 'Renamed', role: 'admin' }).expect(200);
    await bearer(token.token).get('/api/v1/me').expect(200);
  });

  it("lets an admin list and revoke a user's tokens, and nobody else", async () => {
    const user = await newUser();
    const other = await newUser();
    const first = await user.client.post<Token>('/api/v1/me/tokens', { name: 'first' }).expect(201);
    const second = await user.client.post<Token>('/api/v1/me/tokens', { name: 'second' }).expect(201);
    const othersToken = await other.client.post<Token>('/api/v1/me/tokens', { name: 'other' }).expect(201);

    const listed = await t.admin.get<{ items: { id: string; name: string }[] }>(`/api/v1/users/${user.id}/tokens`).expect(200);
    expect(listed.items.map((i) => i.name).sort()).toEqual(['first', 'second']);
    expect(JSON.stringify(listed)).not.toContain(first.token);

    await user.client.get(`/api/v1/users/${user.id}/tokens`).expectError(403, 'forbidden');
    await user.client.delete(`/api/v1/users/${other.id}/tokens/${othersToken.id}`).expectError(403, 'forbidden');
    // a token id under another user is not that user's
    await t.admin.delete(`/api/v1/users/${user.id}/tokens/${othersToken.id}`).expectError(404, 'not_found');
    await t.admin.get('/api/v1/users/no-such-user/tokens').expectError(404, 'not_found');

    await t.admin.delete(`/api/v1/users/${user.id}/tokens/${first.id}`).expect(204);
    await bearer(first.token).get('/api/v1/me').expectError(401, 'unauthenticated');
    await bearer(second.token).get('/api/v1/me').expect(200);
    await bearer(othersToken.token).get('/api/v1/me').expect(200);
  });

  it('lets a user change their own password, ending their other sessions but not this one', async () => {
    const user = await newUser();
    const elsewhere = t.client();
    await elsewhere.login(user.email, user.password);
    const token = await user.client.post<Token>('/api/v1/me/tokens', { name: 'own script' }).expect(201);

    await user.client.post('/api/v1/me/password', { currentPassword: user.password, newPassword: 'second-password-2' }).expect(204);

    await user.client.get('/api/v1/me').expect(200);
    await elsewhere.get('/api/v1/me').expectError(401, 'unauthenticated');
    await bearer(token.token).get('/api/v1/me').expect(200);
    await t.client().post('/api/v1/auth/login', { email: user.email, password: user.password }).expectError(401, 'invalid_credentials');
    await t.client().login(user.email, 'second-password-2');
  });

  it('refuses a wrong current password or a short new one, and changes nothing', async () => {
    const user = await newUser();
    const wrong = await user.client
      .post('/api/v1/me/password', { currentPassword: 'not-my-password', newPassword: 'second-password-2' })
      .expectError(403, 'wrong_password');
    expect(wrong.details).toEqual({ fields: { currentPassword: 'is wrong' } });
    const short = await user.client
      .post('/api/v1/me/password', { currentPassword: user.password, newPassword: 'short' })
      .expectError(400, 'validation_failed');
    expect(short.details).toEqual({ fields: { newPassword: 'must be at least 8 characters' } });
    await user.client.post('/api/v1/me/password', { newPassword: 'second-password-2' }).expectError(400, 'validation_failed');
    await user.client.get('/api/v1/me').expect(200);
    await t.client().login(user.email, user.password);
  });

  it('slows guessing of the current password with a stolen session, like sign-in', async () => {
    const user = await newUser();
    for (let i = 0; i < 10; i++) {
      await user.client.post('/api/v1/me/password', { currentPassword: `guess-${i}`, newPassword: 'second-password-2' }).expectError(403, 'wrong_password');
    }
    await user.client
      .post('/api/v1/me/password', { currentPassword: user.password, newPassword: 'second-password-2' })
      .expectError(429, 'rate_limited');
  });
});
