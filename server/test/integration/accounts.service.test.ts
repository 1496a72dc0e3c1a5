// The account rules against a real database (both dialects), with the protocol work faked:
// verification, folder listing and the sync engine are injected functions.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createDatabase, migrateToLatest, type Db } from '../../src/db/database.js';
import { AccountsRepository } from '../../src/db/repositories/accounts.repository.js';
import { ProvidersRepository } from '../../src/db/repositories/providers.repository.js';
import { UsersRepository } from '../../src/db/repositories/users.repository.js';
import { AppError } from '../../src/domain/errors.js';
import type { ServerEvent } from '../../src/domain/events.js';
import type { Provider } from '../../src/domain/provider.js';
import type { Actor } from '../../src/domain/user.js';
import { newId } from '../../src/lib/ids.js';
import { SecretBox } from '../../src/lib/secret-box.js';
import { AccountAccess } from '../../src/services/account-access.js';
import { AccountsService, type PasswordCredentials } from '../../src/services/accounts.service.js';
import { createTestDatabase, dialects, type TestDatabase } from '../support/database.js';

const password = 'mailbox-secret-Pa55';

async function expectAppError(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

describe.each(dialects)('accounts service on %s', (dialect) => {
  let testDb: TestDatabase;
  let db: Db;
  let service: AccountsService;
  let accounts: AccountsRepository;
  let providers: ProvidersRepository;
  let users: UsersRepository;
  const verified: { provider: Provider; credentials: PasswordCredentials }[] = [];
  const refreshed: string[] = [];
  const removed: string[] = [];
  const removedBlobs: string[] = [];
  const published: ServerEvent[] = [];
  let failVerification: AppError | undefined;

  async function makeUser(name: string): Promise<Actor> {
    const id = newId();
    const email = `${name.toLowerCase().replace(/\s+/g, '.')}-${id.slice(0, 6)}@mailyard.test`;
    await users.insert({ id, email, name, role: 'user', password_hash: 'x', created_at: 1, updated_at: 1 });
    return { id, email, name, role: 'user', via: 'session' };
  }

  async function makeProvider(
    loginFormat: 'manual' | 'email' | 'localPart',
    domains: string[] = [],
  ): Promise<string> {
    const id = newId();
    await providers.insert({
      id,
      name: `Provider ${id.slice(0, 8)}`,
      service_type: 'imap',
      imap_host: 'imap.example.com',
      imap_port: 993,
      imap_security: 'tls',
      smtp_host: 'smtp.example.com',
      smtp_port: 465,
      smtp_security: 'tls',
      login_format: loginFormat,
      auth_method: 'basic',
      oauth_client_id: null,
      oauth_client_secret: null,
      oauth_authorization_url: null,
      oauth_token_url: null,
      oauth_scopes: null,
      allow_receive: 1,
      allow_send: 1,
      tls_fingerprint: null,
      notes: null,
      created_at: 1,
      updated_at: 1,
    });
    for (const domain of domains) await providers.addDomain(domain, id, 1);
    return id;
  }

  const uniqueDomain = () => `d${newId().slice(0, 8)}.example`;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    db = createDatabase(testDb.database);
    await migrateToLatest(db);
    accounts = new AccountsRepository(db);
    providers = new ProvidersRepository(db);
    users = new UsersRepository(db);
    service = new AccountsService({
      accounts,
      providers,
      access: new AccountAccess(accounts),
      secrets: new SecretBox(Buffer.alloc(32, 7)),
      verifyCredentials: (provider, credentials) => {
        verified.push({ provider, credentials });
        return failVerification ? Promise.reject(failVerification) : Promise.resolve();
      },
      listServerFolders: () =>
        Promise.resolve([
          { path: 'INBOX', name: 'INBOX', delimiter: '/', specialUse: '\\Inbox' },
          { path: 'Work', name: 'Work', delimiter: '/', specialUse: null },
        ]),
      sync: {
        refreshAccount: (id) => Promise.resolve(void refreshed.push(id)),
        removeAccount: (id) => Promise.resolve(void removed.push(id)),
        verifyAccount: () => undefined,
      },
      blobs: { remove: (sha) => Promise.resolve(void removedBlobs.push(sha)) },
      clock: { now: () => 1_700_000_000_000 },
      logger: pino({ level: 'silent' }),
      publish: (event) => void published.push(event),
    });
  });

  afterAll(async () => {
    await db?.destroy();
    await testDb?.cleanup();
  });

  beforeEach(() => {
    verified.length = 0;
    refreshed.length = 0;
    removed.length = 0;
    removedBlobs.length = 0;
    published.length = 0;
    failVerification = undefined;
  });

  it('finds the provider by domain, derives the login from its format, verifies, saves and starts syncing', async () => {
    const jane = await makeUser('Jane Doe');
    const domain = uniqueDomain();
    const providerId = await makeProvider('localPart', [domain]);
    const account = await service.create(jane, { email: `Jane.Doe@${domain.toUpperCase()}`, password });
    expect(account).toMatchObject({
      email: `jane.doe@${domain}`,
      providerId,
      login: 'jane.doe',
      displayName: 'Jane Doe',
      syncPeriod: 'month',
      folders: 'all',
      defaultSender: true,
      enabled: true,
      status: { state: 'connecting', progress: { done: 0, total: 0 }, error: null },
      owner: { id: jane.id, name: 'Jane Doe' },
      access: { read: true, send: true, manage: true },
    });
    expect(verified.map((v) => ({ providerId: v.provider.id, credentials: v.credentials }))).toEqual([
      { providerId, credentials: { login: 'jane.doe', password } },
    ]);
    expect(refreshed).toEqual([account.id]);
    expect(published).toMatchObject([
      { type: 'account.status', accountId: account.id, data: { state: 'connecting' } },
    ]);
  });

  it('asks for a provider when the domain is unknown, and learns the domain from a hand-picked one', async () => {
    const jane = await makeUser('Jane');
    const domain = uniqueDomain();
    const error = await expectAppError(
      service.create(jane, { email: `jane@${domain}`, password }),
      'provider_required',
    );
    expect(error.details).toEqual({ domain });
    const providerId = await makeProvider('email');
    await service.create(jane, { email: `jane@${domain}`, providerId, password });
    expect((await providers.findDomain(domain))?.providerId).toBe(providerId);
  });

  it('does not move a domain another provider already serves', async () => {
    const jane = await makeUser('Jane');
    const domain = uniqueDomain();
    const owner = await makeProvider('email', [domain]);
    const other = await makeProvider('email');
    await service.create(jane, { email: `jane@${domain}`, providerId: other, password });
    expect((await providers.findDomain(domain))?.providerId).toBe(owner);
  });

  it('needs a typed login for manual entry', async () => {
    const jane = await makeUser('Jane');
    const providerId = await makeProvider('manual');
    const error = await expectAppError(
      service.create(jane, { email: `jane@${uniqueDomain()}`, providerId, password }),
      'validation_failed',
    );
    expect(Object.keys(error.details?.fields as object)).toEqual(['login']);
    const account = await service.create(jane, {
      email: `jane@${uniqueDomain()}`,
      providerId,
      login: 'jdoe',
      password,
    });
    expect(account.login).toBe('jdoe');
  });

  it('saves nothing when verification fails', async () => {
    const jane = await makeUser('Jane');
    const domain = uniqueDomain();
    await makeProvider('email', [domain]);
    failVerification = new AppError('auth_failed', 'The server rejected the login', {
      step: 'imap-login',
      protocol: 'imap',
    });
    const error = await expectAppError(
      service.create(jane, { email: `jane@${domain}`, password }),
      'auth_failed',
    );
    expect(error.details).toMatchObject({ step: 'imap-login' });
    expect(await accounts.findByEmail(`jane@${domain}`)).toBeUndefined();
    expect(refreshed).toEqual([]);
  });

  it('connects an address only once, naming who has it', async () => {
    const jane = await makeUser('Jane Doe');
    const john = await makeUser('John Roe');
    const domain = uniqueDomain();
    await makeProvider('email', [domain]);
    await service.create(jane, { email: `shared@${domain}`, password });
    const error = await expectAppError(
      service.create(john, { email: `SHARED@${domain}`, password }),
      'account_exists',
    );
    expect(error.message).toContain('already connected by Jane Doe');
    expect(verified).toHaveLength(1);
  });

  it('keeps one default sender per user', async () => {
    const jane = await makeUser('Jane');
    const domain = uniqueDomain();
    await makeProvider('email', [domain]);
    const first = await service.create(jane, { email: `one@${domain}`, password });
    const second = await service.create(jane, { email: `two@${domain}`, password });
    expect(first.defaultSender).toBe(true);
    expect(second.defaultSender).toBe(false);
    await service.update(jane, second.id, { defaultSender: true });
    const list = await service.list(jane);
    expect(list.filter((a) => a.defaultSender).map((a) => a.id)).toEqual([second.id]);
  });

  it('lets grantees do what their share allows and hides the account from strangers', async () => {
    const owner = await makeUser('Owner');
    const reader = await makeUser('Reader');
    const stranger = await makeUser('Stranger');
    const admin: Actor = { ...(await makeUser('Admin')), role: 'admin' };
    const domain = uniqueDomain();
    await makeProvider('email', [domain]);
    const account = await service.create(owner, { email: `team@${domain}`, password });
    await service.replaceShares(owner, account.id, [
      { userId: reader.id, read: true, send: false, manage: false },
    ]);

    expect(await service.get(reader, account.id)).toMatchObject({
      access: { read: true, send: false, manage: false },
    });
    expect((await service.list(reader)).map((a) => a.id)).toContain(account.id);
    await expectAppError(service.update(reader, account.id, { displayName: 'Hijack' }), 'forbidden');
    await expectAppError(service.get(stranger, account.id), 'not_found');
    await expectAppError(service.get(admin, account.id), 'not_found');
    await expectAppError(service.delete(reader, account.id, { keepMail: false }), 'forbidden');

    await service.replaceShares(owner, account.id, [
      { userId: reader.id, read: false, send: false, manage: true },
    ]);
    const updated = await service.update(reader, account.id, { displayName: 'Team' });
    expect(updated).toMatchObject({ displayName: 'Team', access: { read: true, manage: true } });
    expect(await service.listShares(owner, account.id)).toEqual([
      { userId: reader.id, name: 'Reader', email: reader.email, read: true, send: false, manage: true },
    ]);

    await expectAppError(
      service.replaceShares(owner, account.id, [
        { userId: owner.id, read: true, send: false, manage: false },
      ]),
      'validation_failed',
    );
  });

  it('deletes keeping the mail: an archive without secret that the owner can reconnect', async () => {
    const jane = await makeUser('Jane');
    const domain = uniqueDomain();
    await makeProvider('email', [domain]);
    const account = await service.create(jane, { email: `keep@${domain}`, password });
    await service.delete(jane, account.id, { keepMail: true });
    expect(removed).toEqual([account.id]);
    const archived = await service.get(jane, account.id);
    expect(archived).toMatchObject({
      archived: true,
      enabled: false,
      defaultSender: false,
      status: { state: 'disabled' },
    });
    expect((await accounts.findById(account.id))?.secret).toBeNull();
    await expectAppError(service.update(jane, account.id, { enabled: true }), 'account_archived');

    const reconnected = await service.create(jane, { email: `keep@${domain}`, password });
    expect(reconnected).toMatchObject({
      id: account.id,
      archived: false,
      enabled: true,
      status: { state: 'connecting' },
    });
  });

  it('deletes erasing the mail, and only the blobs nothing else uses', async () => {
    const jane = await makeUser('Jane');
    const domain = uniqueDomain();
    await makeProvider('email', [domain]);
    const gone = await service.create(jane, { email: `gone@${domain}`, password });
    const kept = await service.create(jane, { email: `kept@${domain}`, password });
    const shared = 'a'.repeat(64);
    const own = 'b'.repeat(64);
    await addMessage(gone.id, own);
    await addMessage(gone.id, shared);
    await addMessage(kept.id, shared);

    await service.delete(jane, gone.id, { keepMail: false });
    expect(await accounts.findById(gone.id)).toBeUndefined();
    expect(await db.selectFrom('messages').select('id').where('account_id', '=', gone.id).execute()).toEqual(
      [],
    );
    expect(removedBlobs).toEqual([own]);
  });

  it('stores the password encrypted', async () => {
    const jane = await makeUser('Jane');
    const domain = uniqueDomain();
    await makeProvider('email', [domain]);
    const account = await service.create(jane, { email: `secret@${domain}`, password });
    const stored = (await accounts.findById(account.id))?.secret ?? '';
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain(password);
    expect(JSON.stringify(await service.get(jane, account.id))).not.toContain(password);
    if (testDb.database.kind === 'sqlite') {
      const file = testDb.database.file;
      const bytes = [file, `${file}-wal`].map((f) => {
        try {
          return readFileSync(f).toString('latin1');
        } catch {
          return '';
        }
      });
      expect(bytes.join('')).not.toContain(password);
    }
  });

  it('marks the folders the account syncs, listed from the server', async () => {
    const jane = await makeUser('Jane');
    const domain = uniqueDomain();
    await makeProvider('email', [domain]);
    const account = await service.create(jane, { email: `folders@${domain}`, password, folders: ['Work'] });
    expect(await service.folders(jane, account.id, { refresh: true })).toEqual([
      { path: 'INBOX', name: 'INBOX', delimiter: '/', specialUse: '\\Inbox', selected: false },
      { path: 'Work', name: 'Work', delimiter: '/', specialUse: null, selected: true },
    ]);
  });

  async function addMessage(accountId: string, sha: string): Promise<void> {
    const folderId = newId();
    await db
      .insertInto('folders')
      .values({
        id: folderId,
        account_id: accountId,
        path: `F${folderId.slice(0, 6)}`,
        name: 'F',
        delimiter: '/',
        special_use: null,
        synced: 1,
        uid_validity: 1,
        highest_uid: 1,
        highest_modseq: null,
        backfill_uid: null,
        sync_complete: 1,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await db
      .insertInto('messages')
      .values({
        id: newId(),
        account_id: accountId,
        folder_id: folderId,
        uid_validity: 1,
        uid: 1,
        message_id: null,
        thread_id: newId(),
        in_reply_to: null,
        references: '[]',
        subject: 'Hello',
        from_json: '[]',
        to_json: '[]',
        cc_json: '[]',
        bcc_json: '[]',
        date: 1,
        snippet: '',
        text: null,
        html: null,
        headers_json: '{}',
        seen: 0,
        flagged: 0,
        answered: 0,
        draft: 0,
        has_attachments: 0,
        direction: 'incoming',
        size: 1,
        raw_sha256: sha,
        parse_error: null,
        modseq: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
  }
});
