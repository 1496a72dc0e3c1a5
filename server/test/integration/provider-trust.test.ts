// Providers that ordinary users add (setting allowUsersToAddProviders), review findings M1 and
// M2: no private-network targets, no domains, no OAuth URLs; verification of an untrusted
// provider goes through the private-network guard and quotes nothing the server said; the
// domain lookup learns only for trusted providers and never a well-known service's domain.
// The rig listens on 127.0.0.1, so tests that connect to it use admin-created providers or a
// Mailyard with private networks allowed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../src/domain/account.js';
import type { Provider } from '../../src/domain/provider.js';
import { createMailUser, getRig, type RigDescription } from '../rig/index.js';
import type { ApiClient } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { dialects } from '../support/database.js';

interface DomainEntry {
  domain: string;
  providerId: string;
  providerName: string;
}

let counter = 0;
const next = () => `${Date.now().toString(36)}${(counter += 1)}`;
const uniqueDomain = () => `trust${next()}.test`;

/** Hosts in the reserved `.invalid` TLD never resolve: public as far as the guard can tell. */
const publicBody = (extra: Record<string, unknown> = {}) => {
  const n = next();
  return {
    name: `User provider ${n}`,
    imap: { host: `imap.u${n}.invalid`, port: 993, security: 'tls' },
    smtp: { host: `smtp.u${n}.invalid`, port: 465, security: 'tls' },
    ...extra,
  };
};

const rigEndpoints = (rig: RigDescription) => ({
  imap: { host: rig.imap.host, port: rig.imap.tlsPort, security: 'tls' },
  smtp: { host: rig.smtp.host, port: rig.smtp.smtpsPort, security: 'tls' },
});

async function domainsOf(client: ApiClient): Promise<string[]> {
  return (await client.get<{ items: DomainEntry[] }>('/api/v1/provider-domains').expect(200)).items.map(
    (d) => d.domain,
  );
}

describe.each(dialects)('providers added by users on %s (private networks not allowed)', (dialect) => {
  let t: TestApp;
  let rig: RigDescription;
  let user: ApiClient;

  beforeAll(async () => {
    rig = getRig();
    t = await startTestApp(dialect, { configure: (c) => ({ ...c, allowPrivateNetworks: false }) });
    await t.admin.patch('/api/v1/settings', { allowUsersToAddProviders: true }).expect(200);
    user = await t.createUser();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(['127.0.0.1', 'localhost', '10.0.0.7', '[::1]'])(
    'refuses a provider whose server is %s, naming the host',
    async (host) => {
      const body = publicBody();
      const imapFirst = await user
        .post('/api/v1/providers', { ...body, imap: { host } })
        .expectError(422, 'private_network_refused');
      expect(imapFirst.message).toContain(host.replace(/[[\]]/g, ''));
      // Explicit port and security skip probing: the rule still applies.
      await user
        .post('/api/v1/providers', { ...body, smtp: { host, port: 465, security: 'tls' } })
        .expectError(422, 'private_network_refused');
      const names = (await t.admin.get<{ items: Provider[] }>('/api/v1/providers').expect(200)).items.map(
        (p) => p.name,
      );
      expect(names).not.toContain(body.name);
    },
  );

  it('does not let a user assign domains or set up OAuth 2.0', async () => {
    const domains = await user
      .post('/api/v1/providers', publicBody({ domains: ['gmail.com'] }))
      .expectError(400, 'validation_failed');
    expect(domains.details?.fields).toEqual({ domains: expect.stringContaining('only administrators') as unknown });
    const oauth = await user
      .post(
        '/api/v1/providers',
        publicBody({
          auth: {
            method: 'oauth2',
            clientId: 'id',
            clientSecret: 'secret',
            authorizationUrl: 'http://127.0.0.1:1/authorize',
            tokenUrl: 'http://169.254.169.254/latest/meta-data',
          },
        }),
      )
      .expectError(403, 'forbidden');
    expect(oauth.message).toContain('OAuth 2.0');
    expect(await domainsOf(t.admin)).not.toContain('gmail.com');
  });

  it('marks what a user adds as untrusted until an admin edits it', async () => {
    const created = await user.post<Provider>('/api/v1/providers', publicBody()).expect(201);
    expect(created.trusted).toBe(false);
    expect(created.auth.method).toBe('basic');
    const listed = (await t.admin.get<{ items: Provider[] }>('/api/v1/providers').expect(200)).items;
    expect(listed.find((p) => p.id === created.id)?.trusted).toBe(false);
    // `trusted` is read-only: not part of the body.
    await user
      .post('/api/v1/providers', publicBody({ trusted: true }))
      .expectError(400, 'validation_failed');
    const reviewed = await t.admin.patch<Provider>(`/api/v1/providers/${created.id}`, {}).expect(200);
    expect(reviewed.trusted).toBe(true);
    const own = await t.admin.post<Provider>('/api/v1/providers', publicBody()).expect(201);
    expect(own.trusted).toBe(true);
  });

  it('verifies a mailbox of an untrusted provider through the guard and quotes nothing of the server', async () => {
    const mailbox = await createMailUser();
    // A user's provider whose name later points at the internal network (DNS rebinding, or a
    // record changed after the check): simulated by moving its hosts to the rig on 127.0.0.1.
    const untrusted = await user.post<Provider>('/api/v1/providers', publicBody()).expect(201);
    await t.container.db
      .updateTable('providers')
      .set({
        imap_host: rig.imap.host,
        imap_port: rig.imap.tlsPort,
        smtp_host: rig.smtp.host,
        smtp_port: rig.smtp.smtpsPort,
      })
      .where('id', '=', untrusted.id)
      .execute();
    const refused = await user
      .post('/api/v1/accounts', { email: mailbox.email, providerId: untrusted.id, password: mailbox.password })
      .expectError(422, 'private_network_refused');
    expect(refused.details).toMatchObject({ protocol: 'imap', step: 'dns' });
    // The failed step keeps its plain explanation, without the resolver's raw message.
    const steps = refused.details?.steps as { step: string; status: string; detail?: string }[];
    expect(steps.find((s) => s.step === 'dns')).toMatchObject({ status: 'failed' });
    expect(steps.find((s) => s.step === 'dns')?.detail).toBeUndefined();
    expect(steps.find((s) => s.step === 'tcp')?.status).toBe('skipped');
    expect((await user.get<{ items: Account[] }>('/api/v1/accounts').expect(200)).items).toEqual([]);

    // The same servers under an admin's provider: connected (the guard is for untrusted ones).
    const trusted = await t.admin
      .post<Provider>('/api/v1/providers', { name: `Rig ${next()}`, ...rigEndpoints(rig) })
      .expect(201);
    const account = await user
      .post<Account>('/api/v1/accounts', { email: mailbox.email, providerId: trusted.id, password: mailbox.password })
      .expect(201);
    expect(account.providerId).toBe(trusted.id);
  });
});

describe.each(dialects)('providers added by users on %s (private networks allowed)', (dialect) => {
  let t: TestApp;
  let rig: RigDescription;
  let user: ApiClient;

  beforeAll(async () => {
    rig = getRig();
    t = await startTestApp(dialect, { configure: (c) => ({ ...c, allowPrivateNetworks: true }) });
    await t.admin.patch('/api/v1/settings', { allowUsersToAddProviders: true }).expect(200);
    user = await t.createUser();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets a user connect through their own provider without it learning the domain', async () => {
    const domain = uniqueDomain();
    const mailbox = await createMailUser({ domain });
    const own = await user
      .post<Provider>('/api/v1/providers', { name: `Mine ${next()}`, ...rigEndpoints(rig) })
      .expect(201);
    expect(own.trusted).toBe(false);
    const account = await user
      .post<Account>('/api/v1/accounts', { email: mailbox.email, providerId: own.id, password: mailbox.password })
      .expect(201);
    expect(account.providerId).toBe(own.id);
    expect(await domainsOf(t.admin)).not.toContain(domain);
  });

  it('hides what the server said from a user verifying against an untrusted provider', async () => {
    const mailbox = await createMailUser();
    // SMTP on the IMAP side: "This does not look like an IMAP server: 220 …" must not come back.
    const own = await user
      .post<Provider>('/api/v1/providers', {
        name: `Wrong port ${next()}`,
        imap: { host: rig.smtp.host, port: rig.smtp.smtpsPort, security: 'tls' },
        smtp: { host: rig.smtp.host, port: rig.smtp.smtpsPort, security: 'tls' },
      })
      .expect(201);
    const failed = await user
      .post('/api/v1/accounts', { email: mailbox.email, providerId: own.id, password: mailbox.password })
      .expectError(422, 'imap_unreachable');
    const steps = failed.details?.steps as { step: string; status: string; detail?: string }[];
    expect(steps.some((s) => s.status === 'failed')).toBe(true);
    expect(steps.filter((s) => s.status !== 'skipped' && s.detail !== undefined)).toEqual([]);
    expect(JSON.stringify(failed)).not.toMatch(/ESMTP|220 /);
  });

  it('learns a hand-picked domain for a trusted provider, but never a well-known one', async () => {
    const domain = uniqueDomain();
    const mailbox = await createMailUser({ domain });
    const admins = await t.admin
      .post<Provider>('/api/v1/providers', { name: `Rig ${next()}`, ...rigEndpoints(rig), loginFormat: 'manual' })
      .expect(201);
    await user
      .post('/api/v1/accounts', {
        email: mailbox.email,
        providerId: admins.id,
        login: mailbox.email,
        password: mailbox.password,
      })
      .expect(201);
    expect(await domainsOf(t.admin)).toContain(domain);

    const gmailUser = await createMailUser();
    await user
      .post('/api/v1/accounts', {
        email: `someone.${next()}@gmail.com`,
        providerId: admins.id,
        login: gmailUser.email,
        password: gmailUser.password,
      })
      .expect(201);
    expect(await domainsOf(t.admin)).not.toContain('gmail.com');
  });
});
