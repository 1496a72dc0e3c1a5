// Names shown to other people (users, providers, API tokens) refuse control characters and
// bidirectional text controls with 400 and the field, through the real HTTP API on SQLite and
// PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { PendingRequest } from '../support/api-client.js';

const hostile = [
  'Mallory\u0000',
  'Bell\u0007',
  'Two\nlines',
  'Esc\u001b[31m',
  'evil\u202Egpj.exe',
  'iso\u2066late\u2069',
  'C1\u0085',
];

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter += 1)}`;

describe.each(dialects)('names on %s', (dialect) => {
  let t: TestApp;
  let userId: string;
  let providerId: string;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    userId = (
      await t.admin
        .post<{ id: string }>('/api/v1/users', {
          email: `n${unique()}@mailyard.test`,
          password: 'long-enough-1',
          name: 'Plain',
          role: 'user',
        })
        .expect(201)
    ).id;
    providerId = (
      await t.admin.post<{ id: string }>('/api/v1/providers', providerBody('Plain provider')).expect(201)
    ).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  function providerBody(name: string) {
    const n = unique();
    return {
      name,
      imap: { host: `imap.n${n}.invalid`, port: 993, security: 'tls' },
      smtp: { host: `smtp.n${n}.invalid`, port: 465, security: 'tls' },
    };
  }

  const expectNameRefused = async (request: PendingRequest) => {
    const error = await request.expectError(400, 'validation_failed');
    expect(Object.keys(error.details?.fields ?? {})).toEqual(['name']);
  };

  it.each(hostile.map((name) => [JSON.stringify(name), name]))(
    'refuses the name %s for users, providers and tokens',
    async (_label, name) => {
      await expectNameRefused(
        t.admin.post('/api/v1/users', {
          email: `h${unique()}@mailyard.test`,
          password: 'long-enough-1',
          name,
          role: 'user',
        }),
      );
      await expectNameRefused(t.admin.patch(`/api/v1/users/${userId}`, { name }));
      await expectNameRefused(t.admin.post('/api/v1/providers', providerBody(name)));
      await expectNameRefused(t.admin.patch(`/api/v1/providers/${providerId}`, { name }));
      await expectNameRefused(t.admin.post('/api/v1/me/tokens', { name }));
    },
  );

  it('keeps accepting names in any script, with emoji sequences', async () => {
    const name = `Zoë 李 عائشة 👩‍💻 ${unique()}`;
    expect(
      (await t.admin.patch<{ name: string }>(`/api/v1/users/${userId}`, { name }).expect(200)).name,
    ).toBe(name);
    await t.admin.post('/api/v1/providers', providerBody(name)).expect(201);
    await t.admin.post('/api/v1/me/tokens', { name }).expect(201);
  });
});
