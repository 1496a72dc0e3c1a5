// A real OAuth 2.0 / OpenID Connect authorisation server for the tests: panva's oidc-provider on a
// loopback HTTPS port (the rig's certificate, trusted through NODE_EXTRA_CA_CERTS), with a login
// and consent page small enough for a browser test and for tests that drive it over HTTP.
//
// Accounts are the rig's mail users: the login is the mailbox address, which becomes the token's
// subject and `email` claim. Dovecot accepts the access tokens through the rig's introspection
// endpoint, which asks this server whether a token is active and whose it is (`introspect`).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import type { IntrospectionResult } from '../oauth/token-store.js';
import { MemoryStore, memoryAdapter } from './memory-adapter.js';
import { RIG_MAIL_SCOPE } from './scope.js';

export interface RegisterClientOptions {
  redirectUri: string;
  /** Access-token lifetime in seconds for this client (default one hour). */
  accessTokenTtl?: number;
}

export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
}

export interface OidcServer {
  /** `https://127.0.0.1:PORT`: discovery lives at `/.well-known/openid-configuration`. */
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  registerClient(opts: RegisterClientOptions): Promise<RegisteredClient>;
  /** What the introspection endpoint answers Dovecot for a token this server issued. */
  introspect(token: string): Promise<IntrospectionResult | undefined>;
  /** Revokes every grant (refresh and access tokens) `email` gave `clientId`; returns how many. */
  revokeGrants(opts: { clientId: string; email?: string }): Promise<number>;
  close(): Promise<void>;
}

export async function startOidcServer(opts: { certFile: string; keyFile: string }): Promise<OidcServer> {
  const store = new MemoryStore();
  const accessTokenTtls = new Map<string, number>();
  const server = https.createServer({
    cert: await readFile(opts.certFile),
    key: await readFile(opts.keyFile),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const configuration: Configuration = {
    adapter: memoryAdapter(store),
    jwks: { keys: [{ ...signingKey, kid: 'rig', alg: 'RS256', use: 'sig' }] },
    // The login is the mail address; nothing else is known about the person.
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, email: sub, email_verified: true }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'email', 'offline_access', RIG_MAIL_SCOPE],
    // Like Google's and Microsoft's ID tokens, ours carry the email claim, so the client learns
    // whose mailbox the tokens open without a userinfo call.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
    },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: (_ctx, _token, client) => accessTokenTtls.get(client?.clientId ?? '') ?? 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      Interaction: 600,
      Session: 600,
      Grant: 14 * 24 * 3600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // Errors at the authorisation endpoint are shown as a short page (never a stack trace).
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Error</title><h1>${escapeHtml(String(out.error))}</h1><p>${escapeHtml(String(out.error_description ?? ''))}</p>`;
    },
  };
  const provider = new Provider(issuer, configuration);
  // Requests arrive on loopback directly, never through a proxy.
  provider.proxy = false;
  const handleOidc = provider.callback();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    const match = /^\/interaction\/([\w-]+)$/.exec(path);
    if (match === null) {
      void handleOidc(req, res);
      return;
    }
    interaction(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><title>Error</title><p>${escapeHtml(error instanceof Error ? error.message : String(error))}</p>`,
      );
    });
  });

  /**
   * The sign-in and consent page: the person types the address to sign in as and allows access.
   * Tests pick the address, so "consent given for a different address" is one form field away.
   */
  async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const clientId = text(details.params.client_id);
    const requested = text(details.params.scope);
    if (req.method === 'GET') {
      const hint = text(details.params.login_hint);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(consentPage({ uid: details.uid, clientId, scope: requested, hint }));
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    if (form.get('decision') === 'deny') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The person did not allow access' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const login = (form.get('login') ?? '').trim().toLowerCase();
    if (!login.includes('@')) throw new Error('enter the address to sign in as');
    const grant = new provider.Grant({ accountId: login, clientId });
    grant.addOIDCScope(
      requested.split(' ').filter((s) => s === 'openid' || s === 'email' || s === 'offline_access'),
    );
    // Our mail scope is granted for the token the client gets at the token endpoint (no resource indicator).
    if (requested.split(' ').includes(RIG_MAIL_SCOPE)) grant.addOIDCScope(RIG_MAIL_SCOPE);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: login }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  return {
    issuer,
    authorizationUrl: `${issuer}/auth`,
    tokenUrl: `${issuer}/token`,
    async registerClient({ redirectUri, accessTokenTtl }) {
      const clientId = `mailyard-${randomBytes(6).toString('hex')}`;
      const clientSecret = randomBytes(24).toString('base64url');
      store.set(
        'Client',
        clientId,
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
        undefined,
      );
      if (accessTokenTtl !== undefined) accessTokenTtls.set(clientId, accessTokenTtl);
      // oidc-provider caches clients it has seen; a new id is always looked up in the store.
      return Promise.resolve({ clientId, clientSecret });
    },
    async introspect(token) {
      const accessToken = await provider.AccessToken.find(token);
      if (accessToken === undefined || accessToken.isExpired) return undefined;
      const email = String(accessToken.accountId);
      return {
        active: true,
        token_type: 'Bearer',
        client_id: accessToken.clientId,
        scope: accessToken.scope,
        // Dovecot matches `username` against the login name given with AUTH XOAUTH2.
        username: email,
        email,
        sub: email,
        iat: accessToken.iat,
        exp: accessToken.exp,
      };
    },
    revokeGrants({ clientId, email }) {
      const grants = [...store.list('Grant')].filter(
        ([, grant]) =>
          grant.clientId === clientId && (email === undefined || grant.accountId === email.toLowerCase()),
      );
      for (const [grantId] of grants) {
        store.deleteGrant(grantId);
        store.delete('Grant', grantId);
      }
      return Promise.resolve(grants.length);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function consentPage(p: { uid: string; clientId: string; scope: string; hint: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to the rig's mail</title></head>
<body>
  <h1>Sign in</h1>
  <p>${escapeHtml(p.clientId)} asks for: ${escapeHtml(p.scope)}</p>
  <form method="post" action="/interaction/${escapeHtml(p.uid)}">
    <label for="login">Email address</label>
    <input id="login" name="login" type="email" value="${escapeHtml(p.hint)}" autocomplete="off" required>
    <button type="submit" name="decision" value="allow">Allow</button>
    <button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
  </form>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
