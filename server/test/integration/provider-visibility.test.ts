// Who sees a provider an ordinary user added (setting allowUsersToAddProviders), through the real
// HTTP API on SQLite and PostgreSQL: until an admin reviews it, only the user who added it and
// admins, so no colleague picks "Corp Mail" and sends it their mailbox password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/domain/provider.js';
import type { ApiClient } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { dialects } from '../support/database.js';

let counter = 0;
/** Hosts in the reserved `.invalid` TLD never resolve: public as far as the guard can tell. */
const userProvider = () => {
  counter += 1;
  const n = `${Date.now().toString(36)}${counter}`;
  return {
    name: `Corp Mail ${n}`,
    imap: { host: `imap.corp${n}.invalid`, port: 993, security: 'tls' },
    smtp: { host: `smtp.corp${n}.invalid`, port: 465, security: 'tls' },
  };
};

const namesSeenBy = async (client: ApiClient) =>
  (await client.get<{ items: Provider[] }>('/api/v1/providers').expect(200)).items.map((p) => p.name);

describe.each(dialects)('visibility of providers users add on %s', (dialect) => {
  let t: TestApp;
  let alice: ApiClient;
  let bob: ApiClient;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    await t.admin.patch('/api/v1/settings', { allowUsersToAddProviders: true }).expect(200);
    alice = await t.createUser({ name: 'Alice' });
    bob = await t.createUser({ name: 'Bob' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows a provider a user added only to them and to admins until an admin reviews it', async () => {
    const body = userProvider();
    const created = await alice.post<Provider>('/api/v1/providers', body).expect(201);
    expect(created.trusted).toBe(false);

    expect(await namesSeenBy(alice)).toContain(body.name);
    expect(await namesSeenBy(t.admin)).toContain(body.name);
    expect(await namesSeenBy(bob)).not.toContain(body.name);
    await bob.get(`/api/v1/providers/${created.id}`).expectError(404, 'not_found');
    await alice.get(`/api/v1/providers/${created.id}`).expect(200);

    await t.admin.patch(`/api/v1/providers/${created.id}`, { notes: 'Reviewed: our partner company' }).expect(200);
    expect(await namesSeenBy(bob)).toContain(body.name);
    await bob.get(`/api/v1/providers/${created.id}`).expect(200);
  });

  it('does not let a colleague connect a mailbox or start a sign-in through it by its id', async () => {
    const created = await alice.post<Provider>('/api/v1/providers', userProvider()).expect(201);
    const refused = await bob
      .post('/api/v1/accounts', { email: 'bob@corp.invalid', providerId: created.id, password: 'bobs-mailbox-password' })
      .expectError(400, 'validation_failed');
    expect(refused.details).toEqual({ fields: { providerId: 'is not a known provider' } });
    const oauth = await bob
      .post('/api/v1/accounts/oauth/start', { email: 'bob@corp.invalid', providerId: created.id })
      .expectError(400, 'validation_failed');
    expect(oauth.details).toEqual({ fields: { providerId: 'is not a known provider' } });
  });
});
