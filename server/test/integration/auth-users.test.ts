// Sign-in, sessions, CSRF, API tokens and user management through the real HTTP API,
// on SQLite and PostgreSQL.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import { ApiClient } from '../support/api-client.js';
import { seedAccount, seedMessage, userIdOf } from '../support/messages.js';

interface User {
  id: string;
  email: string;
  name: string;
  role: string;
}

describe.each(dialects)('auth and users on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('bootstraps the first admin from the environment and signs in with a session cookie', async () => {
    const me = await t.admin.get<User>('/api/v1/me').expect(200);
    expect(me).toMatchObject({ email: adminEmail, role: 'admin' });
    expect(Object.keys(me).sort()).toEqual(['email', 'id', 'name', 'role']);
    const session = await t.admin.get<{ user: User; csrfToken: string }>('/api/v1/auth/session').expect(200);
    expect(session.csrfToken).toBe(t.admin.csrfToken);
  });

  it('sets an HttpOnly, SameSite session cookie', async () => {
    const res = await t.client().request('POST', '/api/v1/auth/login', { email: adminEmail, password: adminPassword });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mailyard_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('rejects a wrong password without saying which part was wrong', async () => {
    const wrongPassword = await t.client().post('/api/v1/auth/login', { email: adminEmail, password: 'nope-nope' }).expectError(401, 'invalid_credentials');
    const unknownUser = await t.client().post('/api/v1/auth/login', { email: 'ghost@mailyard.test', password: 'nope-nope' }).expectError(401, 'invalid_credentials');
    expect(wrongPassword.message).toBe(unknownUser.message);
  });

  it('rate-limits repeated failed sign-ins for an address', async () => {
    const user = await t.createUser();
    const me = await user.get<User>('/api/v1/me').expect(200);
    const attacker = t.client();
    for (let i = 0; i < 10; i++) {
      await attacker.post('/api/v1/auth/login', { email: me.email, password: `guess-${i}` }).expectError(401, 'invalid_credentials');
    }
    const res = await attacker.request('POST', '/api/v1/auth/login', { email: me.email, password: 'guess-final' });
    expect(res.status).toBe(429);
    expect((res.body as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('requires the CSRF token on state-changing cookie requests', async () => {
    const client = t.client();
    await client.login(adminEmail, adminPassword);
    const token = client.csrfToken;
    client.csrfToken = undefined;
    await client.post('/api/v1/me/tokens', { name: 'x' }).expectError(403, 'csrf_failed');
    client.csrfToken = 'forged-token-value';
    await client.post('/api/v1/me/tokens', { name: 'x' }).expectError(403, 'csrf_failed');
    client.csrfToken = token;
    await client.post('/api/v1/me/tokens', { name: 'x' }).expect(201);
  });

  it('signs out: the old cookie no longer works', async () => {
    const client = t.client();
    await client.login(adminEmail, adminPassword);
    const cookie = client.cookie;
    await client.post('/api/v1/auth/logout').expect(204);
    const replay = t.client();
    replay.cookie = cookie;
    await replay.get('/api/v1/me').expectError(401, 'unauthenticated');
  });

  it('extends a session when it is used, not when an open event stream re-checks it', async () => {
    const client = await t.createUser();
    const token = decodeURIComponent(client.cookie?.slice('mailyard_session='.length) ?? '');
    const id = createHash('sha256').update(token).digest('hex');
    const expiresAt = async () =>
      Number((await t.container.db.selectFrom('sessions').select('expires_at').where('id', '=', id).executeTakeFirstOrThrow()).expires_at);
    const inAnHour = Date.now() + 60 * 60 * 1000;
    await t.container.db.updateTable('sessions').set({ expires_at: inAnHour }).where('id', '=', id).execute();

    expect(await t.container.services.auth.resolveSession(token, { extend: false })).toMatchObject({ actor: { via: 'session' } });
    expect(await expiresAt()).toBe(inAnHour);
    await client.get('/api/v1/me').expect(200);
    expect(await expiresAt()).toBeGreaterThan(inAnHour + 24 * 60 * 60 * 1000);
  });

  it('expires a session after its lifetime', async () => {
    const client = t.client();
    await client.login(adminEmail, adminPassword);
    await t.container.db.updateTable('sessions').set({ expires_at: Date.now() - 1000 }).execute();
    await client.get('/api/v1/me').expectError(401, 'session_expired');
    // the admin client of the suite must sign in again after this
    await t.admin.login(adminEmail, adminPassword);
  });

  it('issues an API token once, stores only its hash, and accepts it as Bearer without CSRF', async () => {
    const created = await t.admin.post<{ id: string; token: string }>('/api/v1/me/tokens', { name: 'CI' }).expect(201);
    expect(created.token).toMatch(/^myd_/);
    const rows = await t.container.db.selectFrom('api_tokens').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash.includes(created.token))).toBe(false);
    const listed = await t.admin.get<{ items: Record<string, unknown>[] }>('/api/v1/me/tokens').expect(200);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const bearer = new ApiClient(t.baseUrl);
    bearer.bearer = created.token;
    expect(await bearer.get<User>('/api/v1/me').expect(200)).toMatchObject({ email: adminEmail });
    await bearer.post('/api/v1/me/tokens', { name: 'second' }).expect(201);

    await t.admin.delete(`/api/v1/me/tokens/${created.id}`).expect(204);
    await bearer.get('/api/v1/me').expectError(401, 'unauthenticated');
  });

  it('lets an admin manage users and keeps users out of admin routes', async () => {
    const created = await t.admin
      .post<User>('/api/v1/users', { email: 'Mixed.Case@Mailyard.test', password: 'long-enough-1', name: 'Mixed', role: 'user' })
      .expect(201);
    expect(created.email).toBe('mixed.case@mailyard.test');
    await t.admin
      .post('/api/v1/users', { email: 'mixed.case@mailyard.test', password: 'long-enough-1', name: 'Again', role: 'user' })
      .expectError(409, 'email_taken');
    const renamed = await t.admin.patch<User>(`/api/v1/users/${created.id}`, { name: 'Renamed' }).expect(200);
    expect(renamed.name).toBe('Renamed');

    const user = t.client();
    await user.login('mixed.case@mailyard.test', 'long-enough-1');
    await user.get('/api/v1/users').expectError(403, 'forbidden');
    await user.post('/api/v1/users', { email: 'x@y.test', password: 'long-enough-1', name: 'X', role: 'admin' }).expectError(403, 'forbidden');
    await user.delete(`/api/v1/users/${created.id}`).expectError(403, 'forbidden');

    await t.admin.patch(`/api/v1/users/${created.id}`, { password: 'another-password-2' }).expect(200);
    await user.get('/api/v1/me').expectError(401, 'unauthenticated');

    await t.admin.delete(`/api/v1/users/${created.id}`).expect(204);
    await t.admin.delete(`/api/v1/users/${created.id}`).expectError(404, 'not_found');
    const me = await t.admin.get<User>('/api/v1/me').expect(200);
    await t.admin.delete(`/api/v1/users/${me.id}`).expectError(409, 'cannot_delete_self');
    await t.admin.patch(`/api/v1/users/${me.id}`, { role: 'user' }).expectError(409, 'last_admin');
  });

  it('leaves other Authorization schemes to the session cookie (a reverse proxy with Basic auth)', async () => {
    const proxied = { authorization: 'Basic cHJveHk6cGFzcw==' };
    const me = await t.admin.request<User>('GET', '/api/v1/me', undefined, proxied);
    expect(me.status, me.text).toBe(200);
    expect(me.body.email).toBe(adminEmail);
    const created = await t.admin.request('POST', '/api/v1/me/tokens', { name: 'behind proxy' }, proxied);
    expect(created.status, created.text).toBe(201);
    const anonymous = await t.client().request('GET', '/healthz', undefined, proxied);
    expect(anonymous.status).toBe(200);
    const login = await t.client().request('POST', '/api/v1/auth/login', { email: adminEmail, password: adminPassword }, proxied);
    expect(login.status, login.text).toBe(200);
    // a Bearer token is still checked, even with a valid cookie beside it
    await t.admin.get('/api/v1/me').expect(200);
    const badBearer = await t.admin.request('GET', '/api/v1/me', undefined, { authorization: 'Bearer myd_not-a-real-token' });
    expect(badBearer.status).toBe(401);
  });

  it('answers a non-ASCII CSRF token of the right length with csrf_failed, not a crash', async () => {
    const client = t.client();
    await client.login(adminEmail, adminPassword);
    const token = client.csrfToken ?? '';
    // same length in characters, longer in UTF-8 bytes
    client.csrfToken = `é${token.slice(1)}`;
    expect(client.csrfToken.length).toBe(token.length);
    await client.post('/api/v1/me/tokens', { name: 'x' }).expectError(403, 'csrf_failed');
    client.csrfToken = 'ü'.repeat(token.length);
    await client.post('/api/v1/me/tokens', { name: 'x' }).expectError(403, 'csrf_failed');
  });

  it('creates a user once when the same address is added concurrently', async () => {
    const email = `race-${Date.now()}@mailyard.test`;
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.admin.request('POST', '/api/v1/users', { email, password: 'long-enough-1', name: `Racer ${i}`, role: 'user' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body).toMatchObject({ error: { code: 'email_taken' } });
    const rows = await t.container.db.selectFrom('users').select('id').where('email', '=', email).execute();
    expect(rows).toHaveLength(1);
  });

  it("deletes a user's mailboxes, their mail and its stored files with the user", async () => {
    const user = await t.createUser();
    const userId = await userIdOf(user);
    const account = await seedAccount(t.container.db, { userId });
    const message = await seedMessage(t.container.db, t.container.blobs, {
      accountId: account.accountId,
      folderId: account.folders.INBOX!,
      subject: `Only in this mailbox ${Date.now()}`,
      attachments: [{ filename: 'only-here.txt', contentType: 'text/plain', content: Buffer.from(`unique ${Math.random()}`) }],
    });
    expect(existsSync(t.container.blobs.pathFor(message.rawSha256))).toBe(true);

    await t.admin.delete(`/api/v1/users/${userId}`).expect(204);

    const db = t.container.db;
    expect(await db.selectFrom('accounts').select('id').where('user_id', '=', userId).execute()).toEqual([]);
    expect(await db.selectFrom('messages').select('id').where('account_id', '=', account.accountId).execute()).toEqual([]);
    expect(await db.selectFrom('folders').select('id').where('account_id', '=', account.accountId).execute()).toEqual([]);
    expect(existsSync(t.container.blobs.pathFor(message.rawSha256))).toBe(false);
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    const client = t.client();
    expect(await client.get('/healthz').expect(200)).toEqual({ status: 'ok' });
    expect(await client.get('/readyz').expect(200)).toEqual({ status: 'ready' });
    const doc = await client.get<{ openapi: string; paths: Record<string, unknown> }>('/api/v1/openapi.json').expect(200);
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/users/{id}', '/api/v1/me/tokens']));
  });
});

describe.each(dialects)('first-run setup on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect, { firstRun: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('makes exactly one admin when several first-run setups race', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.client().request('POST', '/api/v1/setup', { email: `first${i}@mailyard.test`, password: 'long-enough-1', name: `First ${i}` }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body).toMatchObject({ error: { code: 'conflict' } });
    const users = await t.container.db.selectFrom('users').select(['email', 'role']).execute();
    expect(users).toHaveLength(1);
    expect(users[0]?.role).toBe('admin');
  });
});
