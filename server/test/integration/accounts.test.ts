// Connecting mailboxes through the HTTP API against the rig's real Dovecot and Postfix, on both
// dialects: every login format, the verification failures, duplicates, shares, deletion, and
// the password never showing up in the database file, a response or a log line.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../src/domain/account.js';
import type { Provider } from '../../src/domain/provider.js';
import {
  createMailUser,
  getRig,
  printRigLogsOnFailure,
  type MailUser,
  type RigDescription,
} from '../rig/index.js';
import type { ApiClient } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { dialects } from '../support/database.js';
import { userIdOf } from '../support/messages.js';
import { deliver, eventually, fastSyncOptions } from '../support/sync.js';
import { closedPort } from '../support/closed-port.js';

printRigLogsOnFailure();

/** vitest's asymmetric matchers are `any`; typed here once. */
const anyString = expect.any(String) as unknown as string;
const connectedState = expect.stringMatching(/connecting|syncing|idle/) as unknown as string;

type LoginFormat = 'manual' | 'email' | 'localPart';
interface List<T> {
  items: T[];
}

let counter = 0;
const uniqueDomain = () => `acct${Date.now().toString(36)}${(counter += 1)}.test`;

/** A port nothing listens on (bound, then released). */
/**
 * A Dovecot login that is a bare name (no domain), as providers with the "mailbox name" login
 * format have. The rig's users are full addresses, so this writes a passwd-file entry beside
 * theirs (one file per login in `<rig>/dovecot/users.d`, the layout rig/dovecot.ts configures).
 */
async function createBareLoginUser(rig: RigDescription): Promise<{ login: string; password: string }> {
  const login = `bare${randomBytes(5).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  await writeFile(path.join(rig.dir, 'dovecot', 'users.d', login), `${login}:{PLAIN}${password}::::::\n`, {
    mode: 0o644,
  });
  return { login, password };
}

describe.each(dialects)('accounts API on %s', (dialect) => {
  let t: TestApp;
  let rig: RigDescription;
  let jane: ApiClient;
  let janeId: string;

  async function rigProvider(opts: {
    loginFormat: LoginFormat;
    domains?: string[];
    imapPort?: number;
    tlsFingerprint?: string;
    name?: string;
  }) {
    return t.admin
      .post<Provider>('/api/v1/providers', {
        name: opts.name ?? `Rig ${(counter += 1)} ${dialect}`,
        imap: { host: rig.imap.host, port: opts.imapPort ?? rig.imap.tlsPort, security: 'tls' },
        smtp: { host: rig.smtp.host, port: rig.smtp.smtpsPort, security: 'tls' },
        loginFormat: opts.loginFormat,
        domains: opts.domains ?? [],
        ...(opts.tlsFingerprint && { tlsFingerprint: opts.tlsFingerprint }),
      })
      .expect(201);
  }

  /** A rig mailbox on a domain of its own, served by a new email-format provider. */
  async function mailboxWithProvider(): Promise<{ user: MailUser; provider: Provider }> {
    const domain = uniqueDomain();
    const user = await createMailUser({ domain });
    const provider = await rigProvider({ loginFormat: 'email', domains: [domain] });
    return { user, provider };
  }

  const accountsOf = async (client: ApiClient) =>
    (await client.get<List<Account>>('/api/v1/accounts').expect(200)).items;

  beforeAll(async () => {
    rig = getRig();
    t = await startTestApp(dialect, { background: true, syncEngine: fastSyncOptions });
    jane = await t.createUser({ name: 'Jane Doe' });
    janeId = await userIdOf(jane);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('connects a mailbox whose login is the whole address, found by its domain, and syncs it', async () => {
    const { user, provider } = await mailboxWithProvider();
    await deliver(rig, user.email, 'Welcome aboard');
    const account = await jane
      .post<Account>('/api/v1/accounts', { email: user.email, password: user.password })
      .expect(201);
    expect(account).toMatchObject({
      email: user.email,
      providerId: provider.id,
      login: user.email,
      enabled: true,
      defaultSender: true,
      owner: { id: janeId, name: 'Jane Doe' },
      access: { read: true, send: true, manage: true },
    });
    expect(['connecting', 'syncing', 'idle']).toContain(account.status.state);
    const synced = await eventually(async () => {
      const current = await jane.get<Account>(`/api/v1/accounts/${account.id}`).expect(200);
      return current.status.state === 'idle' && current;
    });
    expect(synced.status.lastSyncAt).not.toBeNull();
    const folders = await jane
      .get<List<{ path: string; selected: boolean }>>(`/api/v1/accounts/${account.id}/folders?refresh=true`)
      .expect(200);
    expect(folders.items.map((f) => f.path)).toEqual(expect.arrayContaining(['INBOX', 'Sent', 'Trash']));
    expect(folders.items.every((f) => f.selected)).toBe(true);
    // The panel's one request for the folders of all mailboxes lists what the sync found.
    const all = await jane.get<List<{ accountId: string; path: string; selected: boolean }>>('/api/v1/folders').expect(200);
    expect(all.items.filter((f) => f.accountId === account.id).map((f) => f.path)).toEqual(
      expect.arrayContaining(['INBOX', 'Sent', 'Trash']),
    );
  });

  it('connects a mailbox whose login is the part before @ (mailbox name format)', async () => {
    const domain = uniqueDomain();
    const bare = await createBareLoginUser(rig);
    await rigProvider({ loginFormat: 'localPart', domains: [domain] });
    const account = await jane
      .post<Account>('/api/v1/accounts', { email: `${bare.login}@${domain}`, password: bare.password })
      .expect(201);
    expect(account.login).toBe(bare.login);
  });

  it('connects a mailbox with a login entered by hand, and requires one', async () => {
    const user = await createMailUser();
    const domain = uniqueDomain();
    const provider = await rigProvider({ loginFormat: 'manual', domains: [domain] });
    const email = `alias@${domain}`;
    const missing = await jane
      .post('/api/v1/accounts', { email, password: user.password })
      .expectError(400, 'validation_failed');
    expect(missing.details).toEqual({ fields: { login: anyString } });
    const account = await jane
      .post<Account>('/api/v1/accounts', { email, login: user.email, password: user.password })
      .expect(201);
    expect(account).toMatchObject({ email, login: user.email, providerId: provider.id });
  });

  it('refuses a wrong password with the failed step, and saves nothing', async () => {
    const { user } = await mailboxWithProvider();
    const error = await jane
      .post('/api/v1/accounts', { email: user.email, password: 'not-the-password' })
      .expectError(422, 'auth_failed');
    expect(error.details).toMatchObject({ protocol: 'imap', step: 'auth' });
    expect((await accountsOf(jane)).map((a) => a.email)).not.toContain(user.email);
  });

  it('reports an unreachable server', async () => {
    const domain = uniqueDomain();
    const user = await createMailUser({ domain });
    await rigProvider({ loginFormat: 'email', domains: [domain], imapPort: await closedPort() });
    const error = await jane
      .post('/api/v1/accounts', { email: user.email, password: user.password })
      .expectError(422, 'imap_unreachable');
    expect(error.details).toMatchObject({ protocol: 'imap', step: 'tcp' });
  });

  it('reports a TLS problem (the certificate does not match the pinned fingerprint)', async () => {
    const domain = uniqueDomain();
    const user = await createMailUser({ domain });
    await rigProvider({ loginFormat: 'email', domains: [domain], tlsFingerprint: 'ab'.repeat(32) });
    const error = await jane
      .post('/api/v1/accounts', { email: user.email, password: user.password })
      .expectError(422, 'tls_error');
    expect(error.details).toMatchObject({ protocol: 'imap', step: 'tls' });
  });

  it('asks for a provider when the domain is unknown, and learns the domain from the one picked', async () => {
    const domain = uniqueDomain();
    const user = await createMailUser({ domain });
    await jane
      .post('/api/v1/accounts', { email: user.email, password: user.password })
      .expectError(422, 'provider_required');
    const provider = await rigProvider({ loginFormat: 'email' });
    await jane
      .post('/api/v1/accounts', { email: user.email, providerId: provider.id, password: user.password })
      .expect(201);
    const after = await t.admin.get<Provider>(`/api/v1/providers/${provider.id}`).expect(200);
    expect(after.domains).toContain(domain);
  });

  it('connects an address once, naming who has it', async () => {
    const { user } = await mailboxWithProvider();
    await jane.post('/api/v1/accounts', { email: user.email, password: user.password }).expect(201);
    const john = await t.createUser({ name: 'John Roe' });
    const error = await john
      .post('/api/v1/accounts', { email: user.email.toUpperCase(), password: user.password })
      .expectError(409, 'account_exists');
    expect(error.message).toContain('already connected by Jane Doe');
  });

  it('shares: a grantee reads but cannot manage unless granted; strangers and admins see nothing', async () => {
    const { user } = await mailboxWithProvider();
    const account = await jane
      .post<Account>('/api/v1/accounts', { email: user.email, password: user.password })
      .expect(201);
    const reader = await t.createUser({ name: 'Reader' });
    const stranger = await t.createUser({ name: 'Stranger' });
    const readerId = await userIdOf(reader);
    await jane
      .put(`/api/v1/accounts/${account.id}/shares`, [
        { userId: readerId, read: true, send: false, manage: false },
      ])
      .expect(200);

    expect(await reader.get<Account>(`/api/v1/accounts/${account.id}`).expect(200)).toMatchObject({
      access: { read: true, send: false, manage: false },
      owner: { name: 'Jane Doe' },
    });
    await reader
      .patch(`/api/v1/accounts/${account.id}`, { displayName: 'Mine now' })
      .expectError(403, 'forbidden');
    await reader
      .post(`/api/v1/accounts/${account.id}/password`, { password: 'x' })
      .expectError(403, 'forbidden');
    await reader.delete(`/api/v1/accounts/${account.id}`).expectError(403, 'forbidden');
    await reader.get(`/api/v1/accounts/${account.id}/shares`).expectError(403, 'forbidden');
    // "Sync now" clears the owner's error state: managing, not reading.
    await reader.post(`/api/v1/accounts/${account.id}/sync`).expectError(403, 'forbidden');
    await stranger.get(`/api/v1/accounts/${account.id}`).expectError(404, 'not_found');
    const foldersSeenBy = async (client: typeof jane) =>
      (await client.get<List<{ accountId: string }>>('/api/v1/folders').expect(200)).items.filter((f) => f.accountId === account.id);
    await eventually(async () => (await foldersSeenBy(reader)).length > 0);
    expect(await foldersSeenBy(stranger)).toEqual([]);
    expect(await foldersSeenBy(t.admin)).toEqual([]);
    await stranger
      .patch(`/api/v1/accounts/${account.id}`, { displayName: 'x' })
      .expectError(404, 'not_found');
    await t.admin.get(`/api/v1/accounts/${account.id}`).expectError(404, 'not_found');
    expect((await accountsOf(t.admin)).map((a) => a.id)).not.toContain(account.id);

    await jane
      .put(`/api/v1/accounts/${account.id}/shares`, [
        { userId: readerId, read: true, send: false, manage: true },
      ])
      .expect(200);
    const renamed = await reader
      .patch<Account>(`/api/v1/accounts/${account.id}`, { displayName: 'Team inbox' })
      .expect(200);
    expect(renamed.displayName).toBe('Team inbox');
    await reader.post(`/api/v1/accounts/${account.id}/sync`).expect(202);
    const shares = await jane
      .get<List<{ userId: string; manage: boolean }>>(`/api/v1/accounts/${account.id}/shares`)
      .expect(200);
    expect(shares.items).toMatchObject([{ userId: readerId, manage: true }]);

    const directory = await stranger
      .get<List<{ id: string; name: string; email: string }>>('/api/v1/users/directory')
      .expect(200);
    expect(directory.items.map((u) => u.name)).toEqual(expect.arrayContaining(['Jane Doe', 'Reader']));
    expect(Object.keys(directory.items[0] ?? {}).sort()).toEqual(['email', 'id', 'name']);
  });

  it('answers a clear error, not a 500, when the stored password cannot be read', async () => {
    const { user } = await mailboxWithProvider();
    const account = await jane
      .post<Account>('/api/v1/accounts', { email: user.email, password: user.password })
      .expect(201);
    await t.container.db
      .updateTable('accounts')
      .set({ secret: t.container.secrets.encrypt('{"password":') })
      .where('id', '=', account.id)
      .execute();
    const error = await jane
      .get(`/api/v1/accounts/${account.id}/folders?refresh=true`)
      .expectError(422, 'auth_failed');
    expect(error.message).toMatch(/enter the password again/);
  });

  it('keeps one default sender per user', async () => {
    const sam = await t.createUser({ name: 'Sam' });
    const one = await mailboxWithProvider();
    const two = await mailboxWithProvider();
    const first = await sam
      .post<Account>('/api/v1/accounts', { email: one.user.email, password: one.user.password })
      .expect(201);
    const second = await sam
      .post<Account>('/api/v1/accounts', {
        email: two.user.email,
        password: two.user.password,
        defaultSender: true,
      })
      .expect(201);
    expect(first.defaultSender).toBe(true);
    expect(second.defaultSender).toBe(true);
    expect((await accountsOf(sam)).filter((a) => a.defaultSender).map((a) => a.id)).toEqual([second.id]);
  });

  it('changes settings and the password (verified first)', async () => {
    const { user } = await mailboxWithProvider();
    const account = await jane
      .post<Account>('/api/v1/accounts', { email: user.email, password: user.password })
      .expect(201);
    const updated = await jane
      .patch<Account>(`/api/v1/accounts/${account.id}`, {
        displayName: 'Jane at work',
        signature: '<p>Jane <b>Doe</b></p><script>alert(1)</script>',
        syncPeriod: 'week',
        folders: ['INBOX', 'Sent'],
        autoDownload: false,
        sendEnabled: false,
        enabled: false,
      })
      .expect(200);
    expect(updated).toMatchObject({
      displayName: 'Jane at work',
      signature: '<p>Jane <b>Doe</b></p>',
      syncPeriod: 'week',
      folders: ['INBOX', 'Sent'],
      autoDownload: false,
      sendEnabled: false,
      enabled: false,
      status: { state: 'disabled' },
    });
    await jane
      .patch(`/api/v1/accounts/${account.id}`, { syncPeriod: 'fortnight' })
      .expectError(400, 'validation_failed');
    await jane
      .post(`/api/v1/accounts/${account.id}/password`, { password: 'wrong-password' })
      .expectError(422, 'auth_failed');
    const reconnected = await jane
      .post<Account>(`/api/v1/accounts/${account.id}/password`, { password: user.password })
      .expect(200);
    expect(reconnected).toMatchObject({ enabled: true, status: { state: connectedState } });
    await jane.post(`/api/v1/accounts/${account.id}/sync`).expect(202);
  });

  it('deletes keeping the mail: an archive whose messages stay readable', async () => {
    const { user } = await mailboxWithProvider();
    await deliver(rig, user.email, 'Keep me');
    const account = await jane
      .post<Account>('/api/v1/accounts', { email: user.email, password: user.password })
      .expect(201);
    await eventually(
      async () =>
        (await jane.get<List<unknown>>(`/api/v1/messages?accountId=${account.id}`).expect(200)).items.length >
        0,
    );

    await jane.delete(`/api/v1/accounts/${account.id}?keepMail=true`).expect(204);
    const archived = await jane.get<Account>(`/api/v1/accounts/${account.id}`).expect(200);
    expect(archived).toMatchObject({ archived: true, enabled: false, status: { state: 'disabled' } });
    expect(
      (await jane.get<List<{ subject: string }>>(`/api/v1/messages?accountId=${account.id}`).expect(200))
        .items,
    ).toMatchObject([{ subject: 'Keep me' }]);
    const row = await t.container.db
      .selectFrom('accounts')
      .select('secret')
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(row.secret).toBeNull();
    await jane
      .patch(`/api/v1/accounts/${account.id}`, { enabled: true })
      .expectError(409, 'account_archived');
  });

  it('deletes erasing the mail', async () => {
    const { user } = await mailboxWithProvider();
    await deliver(rig, user.email, 'Erase me');
    const account = await jane
      .post<Account>('/api/v1/accounts', { email: user.email, password: user.password })
      .expect(201);
    await eventually(
      async () =>
        (await jane.get<List<unknown>>(`/api/v1/messages?accountId=${account.id}`).expect(200)).items.length >
        0,
    );

    await jane.delete(`/api/v1/accounts/${account.id}?keepMail=false`).expect(204);
    await jane.get(`/api/v1/accounts/${account.id}`).expectError(404, 'not_found');
    const left = await t.container.db
      .selectFrom('messages')
      .select('id')
      .where('account_id', '=', account.id)
      .execute();
    expect(left).toEqual([]);
    // The address is free again.
    await jane.post('/api/v1/accounts', { email: user.email, password: user.password }).expect(201);
  });

  it('stores the password encrypted and never shows it in a response or a log line', async () => {
    const domain = uniqueDomain();
    const password = `Unmistakable-${randomBytes(8).toString('hex')}`;
    const user = await createMailUser({ domain, password });
    await rigProvider({ loginFormat: 'email', domains: [domain] });
    const responses: string[] = [];
    const created = await jane.request<Account>('POST', '/api/v1/accounts', { email: user.email, password });
    expect(created.status).toBe(201);
    responses.push(created.text);
    const id = created.body.id;
    for (const url of [
      '/api/v1/accounts',
      `/api/v1/accounts/${id}`,
      `/api/v1/accounts/${id}/folders?refresh=true`,
    ]) {
      responses.push((await jane.request('GET', url)).text);
    }
    responses.push((await jane.request('POST', `/api/v1/accounts/${id}/password`, { password })).text);
    responses.push((await jane.request('PATCH', `/api/v1/accounts/${id}`, { displayName: 'x' })).text);
    for (const text of responses) expect(text).not.toContain(password);
    expect(t.logLines.join('\n')).not.toContain(password);

    const database = t.container.config.database;
    if (database.kind === 'sqlite') {
      const dir = path.dirname(database.file);
      const name = path.basename(database.file);
      // The database and its write-ahead log, where fresh rows live until a checkpoint.
      const bytes = readdirSync(dir)
        .filter((f) => f.startsWith(name))
        .map((f) => readFileSync(path.join(dir, f)).toString('latin1'))
        .join('');
      expect(bytes).toContain(user.email);
      expect(bytes).not.toContain(password);
    } else {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const dump = await client.query<{ dump: string }>(
          `select string_agg(a::text, E'\\n') as dump from accounts a`,
        );
        expect(dump.rows[0]?.dump).toContain(user.email);
        expect(dump.rows[0]?.dump).not.toContain(password);
      } finally {
        await client.end();
      }
    }
  });
});
