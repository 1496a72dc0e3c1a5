// The provider rules with a fake probe, on an in-memory SQLite database (the same migrations as
// production). Both dialects and the real servers are covered in server/test/integration.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createDatabase, migrateToLatest, type Db } from '../db/database.js';
import { ProvidersRepository } from '../db/repositories/providers.repository.js';
import { SettingsRepository } from '../db/repositories/settings.repository.js';
import { AppError } from '../domain/errors.js';
import type { Actor } from '../domain/user.js';
import { SecretBox } from '../lib/secret-box.js';
import { ProvidersService, type ProbeInput, type ProbeResult } from './providers.service.js';
import { SettingsService } from './settings.service.js';

/** expect.any(String), typed: vitest's matchers are `any`. */
const anyString = expect.any(String) as unknown as string;

const admin: Actor = {
  id: 'admin-1',
  email: 'admin@example.com',
  name: 'Admin',
  role: 'admin',
  via: 'session',
};
const user: Actor = { id: 'user-1', email: 'user@example.com', name: 'User', role: 'user', via: 'session' };

let db: Db;
let probeCalls: { input: ProbeInput; byAdmin: boolean }[];
let probeAnswer: ProbeResult | Error;
/** hosts the fake private-network rule refuses */
const privateHosts = new Set(['localhost', '127.0.0.1', '10.1.2.3', 'intranet.example.com']);
let service: ProvidersService;
let settings: SettingsService;

beforeEach(async () => {
  db = createDatabase({ kind: 'sqlite', file: ':memory:' });
  await migrateToLatest(db);
  probeCalls = [];
  probeAnswer = {};
  settings = new SettingsService(new SettingsRepository(db));
  service = new ProvidersService(
    new ProvidersRepository(db),
    settings,
    new SecretBox(randomBytes(32)),
    { now: () => 1_000 },
    (input, context) => {
      probeCalls.push({ input, byAdmin: context.byAdmin });
      return probeAnswer instanceof Error ? Promise.reject(probeAnswer) : Promise.resolve(probeAnswer);
    },
    (host) => Promise.resolve(!privateHosts.has(host)),
  );
});

afterEach(async () => {
  await db.destroy();
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

const hosts = { imap: { host: 'imap.example.com' }, smtp: { host: 'smtp.example.com' } };

describe('creating a provider from two hosts', () => {
  it('fills ports and security from the probe and the rest from defaults', async () => {
    probeAnswer = { imap: { port: 143, security: 'starttls' }, smtp: { port: 587, security: 'starttls' } };
    const provider = await service.create(admin, hosts);
    expect(probeCalls).toEqual([
      { input: { imapHost: 'imap.example.com', smtpHost: 'smtp.example.com' }, byAdmin: true },
    ]);
    expect(provider).toMatchObject({
      name: 'example.com',
      serviceType: 'imap',
      imap: { host: 'imap.example.com', port: 143, security: 'starttls' },
      smtp: { host: 'smtp.example.com', port: 587, security: 'starttls' },
      loginFormat: 'email',
      auth: { method: 'basic', clientId: null, hasClientSecret: false, scopes: [] },
      domains: [],
      allowReceive: true,
      allowSend: true,
      tlsFingerprint: null,
    });
  });

  it('falls back to 993 TLS and 465 TLS when the servers do not answer', async () => {
    probeAnswer = new Error('connect ECONNREFUSED');
    const provider = await service.create(admin, hosts);
    expect(provider.imap).toEqual({ host: 'imap.example.com', port: 993, security: 'tls' });
    expect(provider.smtp).toEqual({ host: 'smtp.example.com', port: 465, security: 'tls' });
  });

  it('keeps what the admin chose and does not probe when nothing is left open', async () => {
    const provider = await service.create(admin, {
      imap: { host: 'imap.example.com', port: 143 },
      smtp: { host: 'smtp.example.com', security: 'starttls' },
    });
    expect(probeCalls).toHaveLength(0);
    expect(provider.imap).toMatchObject({ port: 143, security: 'starttls' });
    expect(provider.smtp).toMatchObject({ port: 587, security: 'starttls' });
  });

  it('gives default names that never collide', async () => {
    expect((await service.create(admin, hosts)).name).toBe('example.com');
    expect((await service.create(admin, hosts)).name).toBe('example.com (2)');
    const error = await failure(service.create(admin, { ...hosts, name: 'EXAMPLE.com' }));
    expect(error.code).toBe('provider_exists');
  });
});

describe('OAuth 2.0', () => {
  it('needs a client ID and secret and keeps the secret to itself', async () => {
    const missing = await failure(service.create(admin, { ...hosts, auth: { method: 'oauth2' } }));
    expect(missing.details?.fields).toMatchObject({
      'auth.clientId': anyString,
      'auth.clientSecret': anyString,
    });

    const provider = await service.create(admin, {
      imap: { host: 'imap.gmail.com' },
      smtp: { host: 'smtp.gmail.com' },
      auth: { method: 'oauth2', clientId: 'client-1', clientSecret: 'top-secret' },
    });
    expect(provider.auth).toEqual({
      method: 'oauth2',
      clientId: 'client-1',
      authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      scopes: ['https://mail.google.com/'],
      hasClientSecret: true,
    });
    expect(JSON.stringify(provider)).not.toContain('top-secret');
    const stored = await db.selectFrom('providers').select('oauth_client_secret').executeTakeFirstOrThrow();
    expect(stored.oauth_client_secret).not.toContain('top-secret');
    expect(await service.clientSecretOf(provider.id)).toBe('top-secret');

    // An update without a secret keeps the stored one.
    const updated = await service.update(admin, provider.id, { auth: { clientId: 'client-2' } });
    expect(updated.auth).toMatchObject({ clientId: 'client-2', hasClientSecret: true });
    expect(await service.clientSecretOf(provider.id)).toBe('top-secret');
  });

  it('asks for endpoints when no preset knows the server', async () => {
    const error = await failure(
      service.create(admin, {
        ...hosts,
        auth: { method: 'oauth2', clientId: 'c', clientSecret: 's', tokenUrl: 'ftp://x' },
      }),
    );
    const fields = error.details?.fields as Record<string, string>;
    expect(fields['auth.authorizationUrl']).toMatch(/required/);
    expect(fields['auth.tokenUrl']).toMatch(/URL/);
  });
});

describe('domains', () => {
  it('belong to one provider, whatever their case or IDN form', async () => {
    const first = await service.create(admin, {
      ...hosts,
      name: 'First',
      domains: ['BÜCHER.example', 'Example.org'],
    });
    expect(first.domains).toEqual(['example.org', 'xn--bcher-kva.example']);
    const taken = await failure(
      service.create(admin, { ...hosts, name: 'Second', domains: ['xn--bcher-kva.example'] }),
    );
    expect(taken.code).toBe('domain_taken');
    expect(taken.message).toContain('"First"');
    expect(await service.list(admin)).toHaveLength(1);

    const second = await service.create(admin, { ...hosts, name: 'Second' });
    expect(
      (await failure(service.assignDomain(admin, { domain: 'EXAMPLE.ORG.', providerId: second.id }))).code,
    ).toBe('domain_taken');
    expect(
      await service.assignDomain('system', { domain: 'second.example', providerId: second.id }),
    ).toMatchObject({ created: true });
    expect(
      await service.assignDomain(admin, { domain: 'Second.example', providerId: second.id }),
    ).toMatchObject({ created: false });
    expect((await service.findByDomain('SECOND.example'))?.id).toBe(second.id);

    const moved = await service.update(admin, first.id, { domains: ['bücher.example', 'new.example'] });
    expect(moved.domains).toEqual(['new.example', 'xn--bcher-kva.example']);
    await service.removeDomain(admin, 'BÜCHER.example');
    expect((await service.get(admin, first.id)).domains).toEqual(['new.example']);
    expect((await failure(service.removeDomain(admin, 'nowhere.example'))).code).toBe('not_found');
  });
});

describe('permissions and deletion', () => {
  it('lets users add providers only when the admin allows it', async () => {
    expect((await failure(service.create(user, hosts))).code).toBe('forbidden');
    await settings.update(admin, { allowUsersToAddProviders: true });
    const provider = await service.create(user, hosts);
    expect(probeCalls.at(-1)?.byAdmin).toBe(false);
    expect((await failure(service.update(user, provider.id, { name: 'Mine' }))).code).toBe('forbidden');
    expect((await failure(service.delete(user, provider.id))).code).toBe('forbidden');
  });

  it('keeps what users add away from private networks, domains and OAuth, and untrusted until an admin edits it', async () => {
    await settings.update(admin, { allowUsersToAddProviders: true });
    for (const host of ['127.0.0.1', 'localhost', '10.1.2.3', 'intranet.example.com']) {
      const refused = await failure(service.create(user, { ...hosts, smtp: { host, port: 465, security: 'tls' } }));
      expect(refused.code).toBe('private_network_refused');
      expect(refused.details).toEqual({ host });
    }
    expect(probeCalls).toEqual([]);
    const domains = await failure(service.create(user, { ...hosts, domains: ['example.com'] }));
    expect(domains.code).toBe('validation_failed');
    expect(domains.details).toEqual({ fields: { domains: expect.stringContaining('only administrators') as unknown } });
    const oauth = await failure(
      service.create(user, {
        ...hosts,
        auth: { method: 'oauth2', clientId: 'a', clientSecret: 'b', authorizationUrl: 'http://10.0.0.1/', tokenUrl: 'http://10.0.0.1/t' },
      }),
    );
    expect(oauth.code).toBe('forbidden');

    const mine = await service.create(user, hosts);
    expect(mine.trusted).toBe(false);
    expect((await service.create(admin, { ...hosts, name: 'By admin' })).trusted).toBe(true);
    expect((await service.update(admin, mine.id, { notes: 'Reviewed' })).trusted).toBe(true);
  });

  it('refuses to delete a provider that still has mailboxes, listing them', async () => {
    const provider = await service.create(admin, hosts);
    await db
      .insertInto('users')
      .values({
        id: 'u1',
        email: 'owner@example.com',
        name: 'Owner',
        role: 'user',
        password_hash: 'x',
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await db
      .insertInto('accounts')
      .values({
        id: 'a1',
        user_id: 'u1',
        provider_id: provider.id,
        email: 'box@example.com',
        login: 'box@example.com',
        secret: null,
        display_name: '',
        signature: '',
        sync_period: 'month',
        folders: 'all',
        auto_download: 1,
        send_enabled: 1,
        default_sender: 0,
        enabled: 1,
        state: 'idle',
        progress_done: 0,
        progress_total: 0,
        last_sync_at: null,
        error_code: null,
        error_message: null,
        error_action: null,
        error_at: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    const error = await failure(service.delete(admin, provider.id));
    expect(error.code).toBe('provider_in_use');
    expect(error.message).toContain('delete all its mailboxes first');
    expect(error.details?.accounts).toEqual([
      { id: 'a1', email: 'box@example.com', userEmail: 'owner@example.com' },
    ]);

    await db.deleteFrom('accounts').execute();
    await service.delete(admin, provider.id);
    expect((await failure(service.get(admin, provider.id))).code).toBe('not_found');
  });
});

describe('updates', () => {
  it('moves a well-known port with its security and keeps a custom one', async () => {
    const provider = await service.create(admin, {
      imap: { host: 'imap.example.com', port: 993 },
      smtp: { host: 'smtp.example.com', port: 2465, security: 'tls' },
    });
    const updated = await service.update(admin, provider.id, {
      imap: { security: 'starttls' },
      smtp: { security: 'starttls' },
    });
    expect(updated.imap).toMatchObject({ port: 143, security: 'starttls' });
    expect(updated.smtp).toMatchObject({ port: 2465, security: 'starttls' });
    const byPort = await service.update(admin, provider.id, { imap: { port: 993 } });
    expect(byPort.imap).toMatchObject({ port: 993, security: 'tls' });
  });
});
