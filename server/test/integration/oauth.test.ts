// Connecting mailboxes with OAuth 2.0 against a real OpenID provider (oidc-provider in the rig) and
// the real Dovecot/Postfix, which accept its tokens through introspection (XOAUTH2), on both
// databases: the whole flow, refresh with short-lived tokens, refresh under concurrency, a revoked
// grant and "Sign in again", the wrong address, a wrong client secret, state and PKCE tampering.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { dialects } from '../support/database.js';
import { userIdOf } from '../support/messages.js';
import { withFastOutbox } from '../support/outbox.js';
import { deliver, eventually, fastSyncOptions } from '../support/sync.js';
import { createMailUser, getRig, printRigLogsOnFailure, type MailUser } from '../rig/index.js';
import { RIG_MAIL_SCOPE, consentAs, registerOAuthClient, revokeOAuthGrants } from '../rig/oidc/helpers.js';
import { OAuthRepository } from '../../src/db/repositories/oauth.repository.js';
import { OAuthClient } from '../../src/services/oauth/oauth-client.js';
import { OAuthCredentials } from '../../src/services/oauth/oauth-credentials.js';
import type { Account } from '../../src/domain/account.js';
import type { CustomFetch } from 'openid-client';

printRigLogsOnFailure();

interface ErrorBody {
  error: { code: string; message: string; details?: { reason?: string } };
}

describe.each(dialects)('OAuth 2.0 mailboxes on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      background: true,
      syncEngine: fastSyncOptions,
      configure: withFastOutbox,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const callbackUri = () => `${t.baseUrl}/api/v1/accounts/oauth/callback`;

  /** An OAuth client registered at the rig's OpenID provider and a Mailyard provider using it. */
  async function oauthProvider(opts: { accessTokenTtl?: number; wrongSecret?: boolean } = {}) {
    const rig = getRig();
    const client = await registerOAuthClient({
      redirectUri: callbackUri(),
      accessTokenTtl: opts.accessTokenTtl,
    });
    const provider = await t.admin
      .post<{ id: string }>('/api/v1/providers', {
        name: `Rig OAuth ${randomBytes(4).toString('hex')}`,
        imap: { host: rig.imap.host, port: rig.imap.tlsPort, security: 'tls' },
        smtp: { host: rig.smtp.host, port: rig.smtp.smtpsPort, security: 'tls' },
        loginFormat: 'email',
        auth: {
          method: 'oauth2',
          clientId: client.clientId,
          clientSecret: opts.wrongSecret ? 'not-the-secret' : client.clientSecret,
          authorizationUrl: client.authorizationUrl,
          tokenUrl: client.tokenUrl,
          scopes: [RIG_MAIL_SCOPE, 'offline_access'],
        },
      })
      .expect(201);
    return { providerId: provider.id, clientId: client.clientId };
  }

  async function start(api: ApiClient, email: string, providerId: string): Promise<string> {
    const { authorizationUrl } = await api
      .post<{ authorizationUrl: string }>('/api/v1/accounts/oauth/start', { email, providerId })
      .expect(200);
    return authorizationUrl;
  }

  /** The provider's redirect back, requested as an API client (JSON) or as a browser (redirect). */
  function callback(api: ApiClient, url: URL, as: 'json' | 'browser' = 'json') {
    return api.request<Account | ErrorBody>('GET', url.pathname + url.search, undefined, {
      accept: as === 'json' ? 'application/json' : 'text/html,application/xhtml+xml',
    });
  }

  async function signIn(api: ApiClient, user: MailUser, providerId: string): Promise<Account> {
    const res = await callback(api, await consentAs(await start(api, user.email, providerId), user.email));
    if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${res.text}`);
    return res.body as Account;
  }

  const accountRow = (email: string) =>
    t.container.db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();

  const storedTokens = async (email: string) => {
    const row = await accountRow(email);
    if (!row?.secret) throw new Error('no secret stored');
    return JSON.parse(t.container.secrets.decrypt(row.secret)) as {
      accessToken: string;
      refreshToken: string;
      expiresAt: number;
    };
  };

  const accountState = async (api: ApiClient, id: string) =>
    (await api.get<Account>(`/api/v1/accounts/${id}`).expect(200)).status;

  const waitForIdle = (api: ApiClient, id: string) =>
    eventually(
      async () => (await accountState(api, id)).state === 'idle',
      30_000,
      'the account to be in sync',
    );

  const waitForSubject = (api: ApiClient, accountId: string, subject: string) =>
    eventually(
      async () => {
        const page = await api
          .get<{ items: { subject: string }[] }>(`/api/v1/messages?accountId=${accountId}`)
          .expect(200);
        return page.items.some((m) => m.subject === subject);
      },
      30_000,
      `"${subject}" to be synced`,
    );

  async function sendAndWait(api: ApiClient, accountId: string, to: string, subject: string): Promise<void> {
    const queued = await api
      .post<{ id: string }>('/api/v1/outbox', { accountId, to: [to], subject, text: 'Sent over XOAUTH2' })
      .expect(202);
    const done = await eventually(
      async () => {
        const item = await api
          .get<{ status: string; error?: unknown }>(`/api/v1/outbox/${queued.id}`)
          .expect(200);
        return item.status === 'queued' || item.status === 'sending' ? undefined : item;
      },
      30_000,
      'the message to be sent',
    );
    expect(done).toMatchObject({ status: 'sent' });
  }

  /** Ends the sync session and starts a new one: a new IMAP login with whatever credentialsFor gives. */
  async function reconnect(api: ApiClient, id: string): Promise<void> {
    await api.patch(`/api/v1/accounts/${id}`, { enabled: false }).expect(200);
    await api.patch(`/api/v1/accounts/${id}`, { enabled: true }).expect(200);
  }

  it('connects a mailbox through consent, stores the tokens encrypted, syncs over IMAP and sends over SMTP with them', async () => {
    const user = await createMailUser();
    const { providerId } = await oauthProvider();
    await deliver(getRig(), user.email, 'Waiting before sign-in');

    const authorizationUrl = new URL(await start(t.admin, user.email, providerId));
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('state')).toBeTruthy();
    expect(authorizationUrl.searchParams.get('redirect_uri')).toBe(callbackUri());

    // A browser is sent back into the app, on the new account.
    const res = await callback(t.admin, await consentAs(authorizationUrl.href, user.email), 'browser');
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${t.baseUrl}/#/accounts/[\\w-]+\\?connected=1$`));
    const accountId = /#\/accounts\/([\w-]+)/.exec(location)?.[1] ?? '';

    const account = await t.admin.get<Account>(`/api/v1/accounts/${accountId}`).expect(200);
    expect(account).toMatchObject({ email: user.email, providerId, login: user.email });
    expect(JSON.stringify(account)).not.toMatch(/token/i);

    const row = await accountRow(user.email);
    const tokens = await storedTokens(user.email);
    expect([typeof tokens.accessToken, typeof tokens.refreshToken, typeof tokens.expiresAt]).toEqual([
      'string',
      'string',
      'number',
    ]);
    expect(row?.secret).not.toContain(tokens.accessToken);
    expect(row?.secret).not.toContain(tokens.refreshToken);
    expect(t.logLines.join('\n')).not.toContain(tokens.accessToken);
    expect(t.logLines.join('\n')).not.toContain(tokens.refreshToken);

    await waitForSubject(t.admin, accountId, 'Waiting before sign-in');
    // The folder chooser lists the server's folders with the same token the sync engine uses.
    const folders = await t.admin
      .get<{ items: { path: string }[] }>(`/api/v1/accounts/${accountId}/folders?refresh=true`)
      .expect(200);
    expect(folders.items.map((f) => f.path)).toContain('INBOX');
    const recipient = await createMailUser();
    await sendAndWait(t.admin, accountId, recipient.email, 'Hello over OAuth');
  });

  it('refreshes a short-lived access token, stores the rotated refresh token, and keeps syncing and sending', async () => {
    const user = await createMailUser();
    const { providerId } = await oauthProvider({ accessTokenTtl: 4 });
    const account = await signIn(t.admin, user, providerId);
    await waitForIdle(t.admin, account.id);
    const first = await storedTokens(user.email);

    // Past the token's lifetime: the next logins need a new one.
    await new Promise((resolve) => setTimeout(resolve, first.expiresAt - Date.now() + 500));
    await reconnect(t.admin, account.id);
    await deliver(getRig(), user.email, 'After the token expired');
    await waitForSubject(t.admin, account.id, 'After the token expired');
    await waitForIdle(t.admin, account.id);

    const second = await storedTokens(user.email);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.expiresAt).toBeGreaterThan(first.expiresAt);

    await new Promise((resolve) => setTimeout(resolve, second.expiresAt - Date.now() + 500));
    const recipient = await createMailUser();
    await sendAndWait(t.admin, account.id, recipient.email, 'Sent with a refreshed token');
    expect((await accountState(t.admin, account.id)).error).toBeNull();
  });

  it('refreshes once when several sessions ask for an expired token at the same time', async () => {
    const user = await createMailUser();
    const { providerId } = await oauthProvider({ accessTokenTtl: 4 });
    const account = await signIn(t.admin, user, providerId);
    await t.admin.patch(`/api/v1/accounts/${account.id}`, { enabled: false }).expect(200);
    const first = await storedTokens(user.email);
    await new Promise((resolve) => setTimeout(resolve, first.expiresAt - Date.now() + 500));

    let tokenRequests = 0;
    const countingFetch: CustomFetch = (url, options) => {
      if (new URL(url).pathname === '/token') tokenRequests++;
      return fetch(url, options as RequestInit);
    };
    const credentials = () =>
      new OAuthCredentials({
        repository: new OAuthRepository(t.container.db),
        providers: t.container.repositories.providers,
        secrets: t.container.secrets,
        client: new OAuthClient({ fetch: countingFetch }),
        clock: t.container.clock,
        logger: t.container.logger,
        publish: () => undefined,
      });
    // One process with several sessions; on PostgreSQL also a second process (its own lock and client).
    const processes = dialect === 'postgres' ? [credentials(), credentials()] : [credentials()];
    const results = await Promise.all(
      processes.flatMap((p) => [
        p.credentialsFor(account.id),
        p.credentialsFor(account.id),
        p.credentialsFor(account.id),
      ]),
    );

    expect(tokenRequests).toBe(1);
    const tokens = new Set(results.map((r) => r.accessToken));
    expect(tokens.size).toBe(1);
    const second = await storedTokens(user.email);
    expect([...tokens][0]).toBe(second.accessToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);

    // The grant survived (a second use of the old refresh token would have revoked it): it still refreshes.
    await new Promise((resolve) => setTimeout(resolve, second.expiresAt - Date.now() + 500));
    const third = await processes[0]!.credentialsFor(account.id);
    expect(third.accessToken).not.toBe(second.accessToken);
  });

  it('puts the account in error with "sign in again" when the grant is revoked, and signing in again resumes it in place', async () => {
    const user = await createMailUser();
    const { providerId, clientId } = await oauthProvider({ accessTokenTtl: 4 });
    await deliver(getRig(), user.email, 'Kept across sign-ins');
    const account = await signIn(t.admin, user, providerId);
    await waitForSubject(t.admin, account.id, 'Kept across sign-ins');
    await waitForIdle(t.admin, account.id);

    expect(await revokeOAuthGrants({ clientId, email: user.email })).toBe(1);
    const { expiresAt } = await storedTokens(user.email);
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 500));
    await reconnect(t.admin, account.id);
    const failed = await eventually(
      async () => {
        const status = await accountState(t.admin, account.id);
        return status.state === 'error' ? status : undefined;
      },
      30_000,
      'the account to report the revoked grant',
    );
    expect(failed.error).toMatchObject({ action: 'sign_in_again' });
    // It was the refresh that the provider refused (not merely the IMAP login).
    expect(
      t.logLines.some((line) => line.includes('token refresh failed') && line.includes('"invalid_grant"')),
    ).toBe(true);
    expect(['oauth_failed', 'auth_failed']).toContain(failed.error?.code);

    const again = await signIn(t.admin, user, providerId);
    expect(again.id).toBe(account.id);
    await deliver(getRig(), user.email, 'After signing in again');
    await waitForSubject(t.admin, account.id, 'After signing in again');
    await waitForSubject(t.admin, account.id, 'Kept across sign-ins');
    const accounts = await t.container.db
      .selectFrom('accounts')
      .select('id')
      .where('email', '=', user.email)
      .execute();
    expect(accounts).toHaveLength(1);
    expect((await accountState(t.admin, account.id)).error).toBeNull();
  });

  it('refuses consent given for a different address, saving nothing', async () => {
    const wanted = await createMailUser();
    const other = await createMailUser();
    const { providerId } = await oauthProvider();

    const res = await callback(
      t.admin,
      await consentAs(await start(t.admin, wanted.email, providerId), other.email),
    );
    expect(res.status).toBe(422);
    const body = res.body as ErrorBody;
    expect(body.error.code).toBe('oauth_failed');
    expect(body.error.message).toContain(`You signed in as ${other.email}, not ${wanted.email}`);
    expect(await accountRow(wanted.email)).toBeUndefined();
    expect(await accountRow(other.email)).toBeUndefined();

    // In the browser: back to the wizard with the reason, never an error page.
    const browser = await callback(
      t.admin,
      await consentAs(await start(t.admin, wanted.email, providerId), other.email),
      'browser',
    );
    expect(browser.status).toBe(303);
    const location = new URL((browser.headers.get('location') ?? '').replace('/#/', '/'));
    expect(location.pathname).toBe('/accounts/new');
    expect(location.searchParams.get('oauthError')).toBe('wrong_address');
    expect(location.searchParams.get('message')).toContain(other.email);
  });

  it('reports a wrong client secret as a clear error and shows it to the admin on the provider', async () => {
    const user = await createMailUser();
    const { providerId } = await oauthProvider({ wrongSecret: true });
    expect(await t.admin.get(`/api/v1/providers/${providerId}/oauth`).expect(200)).toEqual({
      redirectUri: callbackUri(),
      lastError: null,
    });

    const res = await callback(
      t.admin,
      await consentAs(await start(t.admin, user.email, providerId), user.email),
    );
    expect(res.status).toBe(422);
    expect((res.body as ErrorBody).error).toMatchObject({
      code: 'oauth_failed',
      details: { reason: 'invalid_client' },
    });
    const { message } = (res.body as ErrorBody).error;
    // What the provider said, and whom to ask: retrying cannot help.
    expect(message).toMatch(/client ID or secret \(invalid_client: client authentication failed\)/);
    expect(message).toContain('ask your Mailyard administrator');
    expect(message).not.toMatch(/try again/i);
    expect(await accountRow(user.email)).toBeUndefined();

    const status = await t.admin
      .get<{ lastError: { code: string; message: string } | null }>(`/api/v1/providers/${providerId}/oauth`)
      .expect(200);
    expect(status.lastError?.code).toBe('invalid_client');
    expect(status.lastError?.message).toMatch(/client ID or secret/);
    const plainUser = await t.createUser();
    await plainUser.get(`/api/v1/providers/${providerId}/oauth`).expectError(403, 'forbidden');
  });

  it('says that a token URL saved as http:// must be https:// and whom to ask, saving nothing', async () => {
    const user = await createMailUser();
    const { providerId } = await oauthProvider();
    // Saved before such URLs were refused: the API no longer takes them.
    const row = await t.container.db.selectFrom('providers').select('oauth_token_url').where('id', '=', providerId).executeTakeFirstOrThrow();
    await t.container.db
      .updateTable('providers')
      .set({ oauth_token_url: (row.oauth_token_url ?? '').replace('https://', 'http://') })
      .where('id', '=', providerId)
      .execute();

    const res = await callback(t.admin, await consentAs(await start(t.admin, user.email, providerId), user.email));
    expect(res.status).toBe(422);
    const { error } = res.body as ErrorBody;
    expect(error).toMatchObject({ code: 'oauth_failed', details: { reason: 'configuration' } });
    expect(error.message).toBe(
      'The provider’s OAuth endpoints must be https:// URLs; ask your Mailyard administrator to correct the provider’s OAuth settings',
    );
    expect(await accountRow(user.email)).toBeUndefined();
    const status = await t.admin
      .get<{ lastError: { code: string; message: string } | null }>(`/api/v1/providers/${providerId}/oauth`)
      .expect(200);
    expect(status.lastError).toMatchObject({ code: 'configuration', message: 'The provider’s OAuth endpoints must be https:// URLs' });
  });

  it("refuses unknown, reused, expired and other users' states without saving or breaking anything", async () => {
    const user = await createMailUser();
    const { providerId } = await oauthProvider();

    // Unknown state (and none at all).
    const forged = new URL(callbackUri());
    forged.search = new URLSearchParams({ code: 'made-up', state: 'made-up' }).toString();
    expect(((await callback(t.admin, forged)).body as ErrorBody).error.details?.reason).toBe('state_invalid');
    const bare = await callback(t.admin, new URL(callbackUri()));
    expect(bare.status).toBe(422);
    // Malformed (a repeated parameter): a browser still lands in the app, never on an error page.
    const doubled = await callback(t.admin, new URL(`${callbackUri()}?state=a&state=b`), 'browser');
    expect(doubled.status).toBe(303);
    expect(doubled.headers.get('location')).toContain('#/accounts/new?oauthError=state_invalid');

    // Started by one Mailyard user, finished in another's session.
    const someoneElse = await t.createUser();
    const stolen = await consentAs(await start(t.admin, user.email, providerId), user.email);
    const wrongUser = await callback(someoneElse, stolen);
    expect(wrongUser.status).toBe(422);
    expect((wrongUser.body as ErrorBody).error.details?.reason).toBe('wrong_user');
    // …which used the state up: the rightful user cannot replay it either.
    expect(((await callback(t.admin, stolen)).body as ErrorBody).error.details?.reason).toBe('state_invalid');
    expect(await accountRow(user.email)).toBeUndefined();

    // Expired.
    const late = await consentAs(await start(t.admin, user.email, providerId), user.email);
    await t.container.db
      .updateTable('oauth_states')
      .set({ expires_at: 0 })
      .where('user_id', '=', await userIdOf(t.admin))
      .execute();
    const expired = await callback(t.admin, late);
    expect(expired.status).toBe(422);
    expect((expired.body as ErrorBody).error.details?.reason).toBe('state_expired');
    expect(await accountRow(user.email)).toBeUndefined();

    // Reused after success: refused, and the account it made is untouched.
    const good = await consentAs(await start(t.admin, user.email, providerId), user.email);
    const created = await callback(t.admin, good);
    expect(created.status).toBe(201);
    const before = await accountRow(user.email);
    const replay = await callback(t.admin, good);
    expect(replay.status).toBe(422);
    expect((replay.body as ErrorBody).error.details?.reason).toBe('state_invalid');
    expect(await accountRow(user.email)).toMatchObject({ id: before?.id, secret: before?.secret });
  });

  it('refuses a code redeemed with another PKCE verifier, saving nothing', async () => {
    const user = await createMailUser();
    const { providerId } = await oauthProvider();
    const returned = await consentAs(await start(t.admin, user.email, providerId), user.email);
    // What an attacker who intercepted the code would have: everything but the verifier.
    await t.container.db
      .updateTable('oauth_states')
      .set({ code_verifier: t.container.secrets.encrypt(randomBytes(32).toString('base64url')) })
      .where('user_id', '=', await userIdOf(t.admin))
      .execute();
    const res = await callback(t.admin, returned);
    expect(res.status).toBe(422);
    expect((res.body as ErrorBody).error).toMatchObject({
      code: 'oauth_failed',
      details: { reason: 'invalid_grant' },
    });
    expect(await accountRow(user.email)).toBeUndefined();
  });
});
