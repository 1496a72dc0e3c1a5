// Providers, the domain lookup and system settings through the HTTP API, on both dialects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { ApiClient } from '../support/api-client.js';
import type { Provider } from '../../src/domain/provider.js';

/** expect.any(String), typed: vitest's matchers are `any`. */
const anyString = expect.any(String) as unknown as string;

interface DomainEntry {
  domain: string;
  providerId: string;
  providerName: string;
}

let counter = 0;
/** A provider body with explicit ports (no probing of hosts that do not exist). */
const body = (extra: Record<string, unknown> = {}) => {
  counter += 1;
  return {
    name: `Provider ${counter}`,
    imap: { host: `imap.p${counter}.example`, port: 993, security: 'tls' },
    smtp: { host: `smtp.p${counter}.example`, port: 465, security: 'tls' },
    ...extra,
  };
};

describe.each(dialects)('providers API on %s', (dialect) => {
  let t: TestApp;
  let user: ApiClient;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    user = await t.createUser();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates, reads, lists, updates and deletes a provider with every field', async () => {
    const created = await t.admin
      .post<Provider>(
        '/api/v1/providers',
        body({
          name: 'Example Mail',
          serviceType: 'imap',
          imap: { host: 'IMAP.Example.com', port: 143, security: 'starttls' },
          smtp: { host: 'smtp.example.com', port: 587, security: 'starttls' },
          loginFormat: 'localPart',
          auth: {
            method: 'oauth2',
            clientId: 'client-id-1',
            clientSecret: 'client-secret-value',
            authorizationUrl: 'https://login.example.com/authorize',
            tokenUrl: 'https://login.example.com/token',
            scopes: ['mail.read', 'mail.send'],
          },
          domains: ['Example.com', 'example.net.'],
          allowReceive: true,
          allowSend: false,
          tlsFingerprint: 'AB:'.repeat(31) + 'AB',
          notes: 'Needs an app password',
        }),
      )
      .expect(201);
    expect(created).toEqual({
      id: anyString,
      name: 'Example Mail',
      serviceType: 'imap',
      imap: { host: 'imap.example.com', port: 143, security: 'starttls' },
      smtp: { host: 'smtp.example.com', port: 587, security: 'starttls' },
      loginFormat: 'localPart',
      auth: {
        method: 'oauth2',
        clientId: 'client-id-1',
        authorizationUrl: 'https://login.example.com/authorize',
        tokenUrl: 'https://login.example.com/token',
        scopes: ['mail.read', 'mail.send'],
        hasClientSecret: true,
      },
      domains: ['example.com', 'example.net'],
      allowReceive: true,
      allowSend: false,
      tlsFingerprint: 'ab'.repeat(32),
      notes: 'Needs an app password',
      trusted: true,
    });

    expect(await t.admin.get(`/api/v1/providers/${created.id}`).expect(200)).toEqual(created);
    // Users pick providers in the add-account wizard, so they may read them too.
    const list = await user.get<{ items: Provider[] }>('/api/v1/providers').expect(200);
    expect(list.items.map((p) => p.id)).toContain(created.id);

    const updated = await t.admin
      .patch<Provider>(`/api/v1/providers/${created.id}`, {
        name: 'Example Mail (renamed)',
        imap: { port: 993, security: 'tls' },
        auth: { method: 'basic' },
        loginFormat: 'manual',
        allowSend: true,
        tlsFingerprint: null,
        domains: ['example.com'],
      })
      .expect(200);
    expect(updated).toMatchObject({
      name: 'Example Mail (renamed)',
      imap: { host: 'imap.example.com', port: 993, security: 'tls' },
      loginFormat: 'manual',
      auth: { method: 'basic', clientId: null, hasClientSecret: false },
      allowSend: true,
      tlsFingerprint: null,
      domains: ['example.com'],
    });

    await t.admin.delete(`/api/v1/providers/${created.id}`).expect(204);
    await t.admin.get(`/api/v1/providers/${created.id}`).expectError(404, 'not_found');
    await t.admin.delete(`/api/v1/providers/${created.id}`).expectError(404, 'not_found');
    const lookup = await t.admin.get<{ items: DomainEntry[] }>('/api/v1/provider-domains').expect(200);
    expect(lookup.items.map((d) => d.domain)).not.toContain('example.com');
  });

  it('fills defaults: login by email address, Basic, receiving and sending on, a name from the host', async () => {
    const created = await t.admin
      .post<Provider>('/api/v1/providers', {
        imap: { host: 'imap.defaults.example', port: 993 },
        smtp: { host: 'smtp.defaults.example', port: 465 },
      })
      .expect(201);
    expect(created).toMatchObject({
      name: 'defaults.example',
      serviceType: 'imap',
      imap: { port: 993, security: 'tls' },
      smtp: { port: 465, security: 'tls' },
      loginFormat: 'email',
      auth: { method: 'basic' },
      allowReceive: true,
      allowSend: true,
    });
  });

  it('never returns the client secret, in any response', async () => {
    const secret = 'very-secret-client-value-42';
    const created = await t.admin
      .post<Provider>(
        '/api/v1/providers',
        body({
          auth: {
            method: 'oauth2',
            clientId: 'abc',
            clientSecret: secret,
            authorizationUrl: 'https://a.example/auth',
            tokenUrl: 'https://a.example/token',
          },
        }),
      )
      .expect(201);
    const responses = [
      JSON.stringify(created),
      (await t.admin.get(`/api/v1/providers/${created.id}`)).text,
      (await t.admin.get('/api/v1/providers')).text,
      (await user.get('/api/v1/providers')).text,
      (await t.admin.patch(`/api/v1/providers/${created.id}`, { notes: 'x' })).text,
      (await t.admin.get('/api/v1/openapi.json')).text,
    ];
    for (const text of responses) expect(text).not.toContain(secret);
    expect(t.logLines.join('\n')).not.toContain(secret);
    const row = await t.container.db
      .selectFrom('providers')
      .select('oauth_client_secret')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.oauth_client_secret).not.toContain(secret);
  });

  it('refuses OAuth 2.0 endpoints that are not https://, on create and on edit, naming the field', async () => {
    const oauth = (urls: { authorizationUrl: string; tokenUrl: string }) =>
      body({ auth: { method: 'oauth2', clientId: 'abc', clientSecret: 'secret', ...urls } });
    const refused = await t.admin
      .post('/api/v1/providers', oauth({ authorizationUrl: 'http://a.example/auth', tokenUrl: 'http://a.example/token' }))
      .expectError(400, 'validation_failed');
    expect(refused.details?.fields).toEqual({
      'auth.authorizationUrl': 'must be an https:// URL',
      'auth.tokenUrl': 'must be an https:// URL',
    });
    const created = await t.admin
      .post<Provider>('/api/v1/providers', oauth({ authorizationUrl: 'https://a.example/auth', tokenUrl: 'https://a.example/token' }))
      .expect(201);
    const edit = await t.admin
      .patch(`/api/v1/providers/${created.id}`, { auth: { method: 'oauth2', tokenUrl: 'http://a.example/token' } })
      .expectError(400, 'validation_failed');
    expect(edit.details?.fields).toEqual({ 'auth.tokenUrl': 'must be an https:// URL' });
    const stored = await t.admin.get<Provider>(`/api/v1/providers/${created.id}`).expect(200);
    expect(stored.auth).toMatchObject({ tokenUrl: 'https://a.example/token' });
  });

  it('rejects bad input with the contract errors', async () => {
    const fieldsOf = async (payload: unknown, url = '/api/v1/providers') =>
      (await t.admin.post(url, payload).expectError(400, 'validation_failed')).details?.fields as Record<
        string,
        string
      >;

    expect(await fieldsOf(body({ imap: { host: 'imap@domain.com' } }))).toEqual({
      'imap.host': 'enter a host name such as imap.example.com, not an address like imap@domain.com',
    });
    expect(await fieldsOf(body({ smtp: { host: 'smtp@domain.com' } }))).toHaveProperty('smtp.host');
    expect(await fieldsOf(body({ imap: { host: 'imap.example.com:993' } }))).toHaveProperty('imap.host');
    expect(await fieldsOf(body({ imap: { host: 'not a host' } }))).toHaveProperty('imap.host');
    expect(await fieldsOf(body({ imap: { host: '' } }))).toHaveProperty('imap.host');
    expect(await fieldsOf(body({ imap: { host: 'imap.example.com', port: 0 } }))).toHaveProperty('imap.port');
    expect(await fieldsOf(body({ smtp: { host: 'smtp.example.com', port: 65536 } }))).toHaveProperty(
      'smtp.port',
    );
    expect(await fieldsOf(body({ imap: { host: 'imap.example.com', port: '993' } }))).toHaveProperty(
      'imap.port',
    );
    expect(await fieldsOf(body({ imap: { host: 'imap.example.com', port: 99.5 } }))).toHaveProperty(
      'imap.port',
    );
    expect(await fieldsOf(body({ imap: { host: 'imap.example.com', security: 'ssl' } }))).toEqual({
      'imap.security': 'must be equal to one of the allowed values',
    });
    expect(await fieldsOf(body({ loginFormat: 'username' }))).toHaveProperty('loginFormat');
    expect(await fieldsOf(body({ serviceType: 'pop3' }))).toHaveProperty('serviceType');
    expect(await fieldsOf(body({ auth: { method: 'ntlm' } }))).toHaveProperty('auth.method');
    expect(await fieldsOf(body({ auth: { method: 'oauth2' } }))).toMatchObject({
      'auth.clientId': anyString,
      'auth.clientSecret': anyString,
    });
    expect(await fieldsOf(body({ allowSend: 'yes' }))).toHaveProperty('allowSend');
    expect(await fieldsOf(body({ domains: 'example.com' }))).toHaveProperty('domains');
    expect(await fieldsOf(body({ domains: ['not a domain'] }))).toHaveProperty('domains');
    expect(await fieldsOf(body({ tlsFingerprint: 'abc' }))).toHaveProperty('tlsFingerprint');
    expect(await fieldsOf(body({ password: 'x' }))).toEqual({ password: 'is not a known field' });
    expect(await fieldsOf(body({ imap: { host: 'imap.example.com', user: 'x' } }))).toEqual({
      'imap.user': 'is not a known field',
    });
    expect(await fieldsOf({ name: 'Only a name' })).toMatchObject({
      imap: 'is required',
      smtp: 'is required',
    });
    await t.admin
      .request('POST', '/api/v1/providers', '{"name":', {})
      .then((r) => expect(r.status).toBe(400));

    const provider = await t.admin.post<Provider>('/api/v1/providers', body()).expect(201);
    await t.admin
      .patch(`/api/v1/providers/${provider.id}`, { imap: { port: 70000 } })
      .expectError(400, 'validation_failed');
    await t.admin
      .patch(`/api/v1/providers/${provider.id}`, { imap: { host: 'imap@domain.com' } })
      .expectError(400, 'validation_failed');
    await t.admin
      .patch(`/api/v1/providers/${provider.id}`, { id: 'x' })
      .expectError(400, 'validation_failed');
    await t.admin.patch('/api/v1/providers/no-such-id', { name: 'x' }).expectError(404, 'not_found');
  });

  it('keeps names unique regardless of case', async () => {
    const first = await t.admin
      .post<Provider>('/api/v1/providers', body({ name: 'Unique Name' }))
      .expect(201);
    const error = await t.admin
      .post('/api/v1/providers', body({ name: 'UNIQUE name' }))
      .expectError(409, 'provider_exists');
    expect(error.message).toContain('Unique Name');
    const second = await t.admin.post<Provider>('/api/v1/providers', body()).expect(201);
    await t.admin
      .patch(`/api/v1/providers/${second.id}`, { name: 'unique name' })
      .expectError(409, 'provider_exists');
    await t.admin.patch(`/api/v1/providers/${first.id}`, { name: 'unique NAME' }).expect(200);
  });

  it('gives each domain to at most one provider, case-insensitively and in one IDN form', async () => {
    const owner = await t.admin
      .post<Provider>('/api/v1/providers', body({ name: 'Owner', domains: ['BÜCHER.example'] }))
      .expect(201);
    expect(owner.domains).toEqual(['xn--bcher-kva.example']);
    const other = await t.admin.post<Provider>('/api/v1/providers', body({ name: 'Other' })).expect(201);

    for (const form of ['xn--bcher-kva.example', 'bücher.example', 'XN--BCHER-KVA.EXAMPLE.']) {
      const error = await t.admin
        .post('/api/v1/provider-domains', { domain: form, providerId: other.id })
        .expectError(409, 'domain_taken');
      expect(error.message).toBe('The domain xn--bcher-kva.example already belongs to the provider "Owner"');
      expect(error.details).toMatchObject({ providerId: owner.id, providerName: 'Owner' });
    }
    await t.admin
      .post('/api/v1/providers', body({ domains: ['Bücher.Example'] }))
      .expectError(409, 'domain_taken');
    await t.admin
      .patch(`/api/v1/providers/${other.id}`, { domains: ['bücher.example'] })
      .expectError(409, 'domain_taken');

    const added = await t.admin
      .post<DomainEntry>('/api/v1/provider-domains', { domain: 'Other.Example', providerId: other.id })
      .expect(201);
    expect(added).toEqual({ domain: 'other.example', providerId: other.id, providerName: 'Other' });
    await t.admin
      .post('/api/v1/provider-domains', { domain: 'other.example', providerId: other.id })
      .expect(200);
    const lookup = await t.admin.get<{ items: DomainEntry[] }>('/api/v1/provider-domains').expect(200);
    expect(lookup.items).toEqual(
      expect.arrayContaining([
        added,
        { domain: 'xn--bcher-kva.example', providerId: owner.id, providerName: 'Owner' },
      ]),
    );
    expect((await t.admin.get<Provider>(`/api/v1/providers/${other.id}`).expect(200)).domains).toEqual([
      'other.example',
    ]);

    await t.admin
      .post('/api/v1/provider-domains', { domain: 'x.example', providerId: 'nope' })
      .expectError(400, 'validation_failed');
    await t.admin
      .post('/api/v1/provider-domains', { domain: 'me@x.example', providerId: other.id })
      .expectError(400, 'validation_failed');
    await t.admin
      .post('/api/v1/provider-domains', { domain: 'x.example' })
      .expectError(400, 'validation_failed');

    await t.admin.delete(`/api/v1/provider-domains/${encodeURIComponent('BÜCHER.example')}`).expect(204);
    await t.admin.delete('/api/v1/provider-domains/xn--bcher-kva.example').expectError(404, 'not_found');
    await t.admin
      .post('/api/v1/provider-domains', { domain: 'bücher.example', providerId: other.id })
      .expect(201);
  });

  it('refuses to delete a provider with mailboxes and lists them', async () => {
    const provider = await t.admin.post<Provider>('/api/v1/providers', body({ name: 'In use' })).expect(201);
    const owner = await t.container.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    const account = {
      user_id: owner.id,
      provider_id: provider.id,
      login: 'x',
      secret: null,
      display_name: '',
      signature: '',
      sync_period: 'month' as const,
      folders: 'all',
      auto_download: 1,
      send_enabled: 1,
      default_sender: 0,
      enabled: 1,
      state: 'idle' as const,
      progress_done: 0,
      progress_total: 0,
      last_sync_at: null,
      error_code: null,
      error_message: null,
      error_action: null,
      error_at: null,
      created_at: 1,
      updated_at: 1,
    };
    await t.container.db
      .insertInto('accounts')
      .values([
        { ...account, id: `${dialect}-acc-1`, email: `first-${dialect}@inuse.example` },
        { ...account, id: `${dialect}-acc-2`, email: `second-${dialect}@inuse.example` },
      ])
      .execute();

    const error = await t.admin
      .delete(`/api/v1/providers/${provider.id}`)
      .expectError(409, 'provider_in_use');
    expect(error.message).toBe('The provider "In use" still has 2 mailboxes: delete all its mailboxes first');
    expect(error.details?.accounts).toEqual([
      { id: `${dialect}-acc-1`, email: `first-${dialect}@inuse.example`, userEmail: anyString },
      { id: `${dialect}-acc-2`, email: `second-${dialect}@inuse.example`, userEmail: anyString },
    ]);
    await t.admin.get(`/api/v1/providers/${provider.id}`).expect(200);

    await t.container.db.deleteFrom('accounts').where('provider_id', '=', provider.id).execute();
    await t.admin.delete(`/api/v1/providers/${provider.id}`).expect(204);
  });

  it('lets only admins change providers, the lookup and settings', async () => {
    const provider = await t.admin.post<Provider>('/api/v1/providers', body()).expect(201);
    await user.post('/api/v1/providers', body()).expectError(403, 'forbidden');
    await user.patch(`/api/v1/providers/${provider.id}`, { name: 'Mine' }).expectError(403, 'forbidden');
    await user.delete(`/api/v1/providers/${provider.id}`).expectError(403, 'forbidden');
    await user
      .post('/api/v1/provider-domains', { domain: 'mine.example', providerId: provider.id })
      .expectError(403, 'forbidden');
    await user.delete('/api/v1/provider-domains/mine.example').expectError(403, 'forbidden');
    await user.patch('/api/v1/settings', { allowUsersToAddProviders: true }).expectError(403, 'forbidden');
    await t.client().get('/api/v1/providers').expectError(401, 'unauthenticated');
  });

  it('lets users add providers once the admin allows it', async () => {
    expect(await user.get('/api/v1/settings').expect(200)).toEqual({ allowUsersToAddProviders: false });
    await user.post('/api/v1/providers', body()).expectError(403, 'forbidden');

    expect(await t.admin.patch('/api/v1/settings', { allowUsersToAddProviders: true }).expect(200)).toEqual({
      allowUsersToAddProviders: true,
    });
    expect(await user.get('/api/v1/settings').expect(200)).toEqual({ allowUsersToAddProviders: true });
    const created = await user.post<Provider>('/api/v1/providers', body()).expect(201);
    await user
      .patch(`/api/v1/providers/${created.id}`, { name: 'Still not mine' })
      .expectError(403, 'forbidden');

    await t.admin
      .patch('/api/v1/settings', { allowUsersToAddProviders: 'yes' })
      .expectError(400, 'validation_failed');
    await t.admin.patch('/api/v1/settings', { somethingElse: true }).expectError(400, 'validation_failed');
    await t.admin.patch('/api/v1/settings', { allowUsersToAddProviders: false }).expect(200);
    await user.post('/api/v1/providers', body()).expectError(403, 'forbidden');
  });
});
