// Responses carrying a CSRF or API token are never cached; with an https:// base URL the app sends
// HSTS and names its cookies with the __Host- prefix (and reads only those), on SQLite and
// PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import type { ApiResponse } from '../support/api-client.js';

const cookieNamed = (res: ApiResponse, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));

describe.each(dialects)('caching and transport on %s', (dialect) => {
  describe('over http', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('marks every response with a CSRF or API token no-store', async () => {
      const client = t.client();
      const login = await client.request('POST', '/api/v1/auth/login', { email: adminEmail, password: adminPassword });
      expect(login.status).toBe(200);
      expect(login.headers.get('cache-control')).toBe('no-store');
      client.csrfToken = (login.body as { csrfToken: string }).csrfToken;

      const session = await client.request('GET', '/api/v1/auth/session');
      expect(session.status).toBe(200);
      expect(session.headers.get('cache-control')).toBe('no-store');

      const token = await client.request('POST', '/api/v1/me/tokens', { name: 'for caching' });
      expect(token.status).toBe(201);
      expect(token.headers.get('cache-control')).toBe('no-store');
    });

    it('sends no HSTS and keeps the plain cookie name', async () => {
      const login = await t.client().request('POST', '/api/v1/auth/login', { email: adminEmail, password: adminPassword });
      expect(login.headers.get('strict-transport-security')).toBeNull();
      expect(cookieNamed(login, 'mailyard_session')).not.toMatch(/;\s*Secure/i);
    });
  });

  describe('with an https:// base URL', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect, { env: { MAILYARD_BASE_URL: 'https://mail.example.test' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('sends HSTS on pages and API responses', async () => {
      for (const path of ['/healthz', '/api/v1/me', '/api/v1/nowhere']) {
        const res = await t.admin.request('GET', path);
        expect(res.headers.get('strict-transport-security'), path).toMatch(/^max-age=\d{7,}/);
      }
    });

    it('sets Secure __Host- cookies and signs in and out with them alone', async () => {
      const client = t.client();
      const login = await client.request('POST', '/api/v1/auth/login', { email: adminEmail, password: adminPassword });
      expect(login.status).toBe(200);
      for (const name of ['__Host-mailyard_session', '__Host-mailyard_device']) {
        const cookie = cookieNamed(login, name);
        expect(cookie, name).toMatch(/;\s*Secure/i);
        expect(cookie, name).toMatch(/;\s*Path=\/(;|$)/i);
        expect(cookie, name).not.toMatch(/;\s*Domain=/i);
      }
      expect(cookieNamed(login, 'mailyard_session')).toBeUndefined();
      client.csrfToken = (login.body as { csrfToken: string }).csrfToken;
      await client.get('/api/v1/me').expect(200);

      // The same value under the unprefixed name (which a subdomain could plant) signs nobody in.
      const planted = t.client();
      planted.cookie = client.cookie?.replace(/^__Host-/, '');
      await planted.get('/api/v1/me').expectError(401, 'unauthenticated');

      const logout = await client.request('POST', '/api/v1/auth/logout');
      expect(logout.status).toBe(204);
      expect(cookieNamed(logout, '__Host-mailyard_session')).toMatch(/;\s*Secure/i);
      await client.get('/api/v1/me').expectError(401, 'unauthenticated');
    });
  });
});
