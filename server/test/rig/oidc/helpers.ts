/**
 * The rig's OpenID provider (oidc-provider on loopback HTTPS), as seen from test workers.
 *
 *   const { issuer } = getRig().oidc;
 *   const client = await registerOAuthClient({ redirectUri: `${app.baseUrl}/api/v1/accounts/oauth/callback` });
 *   const callback = await consentAs(authorizationUrl, user.email);   // the URL the provider sends the browser to
 *   await revokeOAuthGrants({ clientId: client.clientId, email: user.email });
 *
 * Its access tokens open the rig's IMAP and SMTP (XOAUTH2 / OAUTHBEARER) for the address that
 * consented; the scope to ask for is RIG_MAIL_SCOPE (plus `openid email offline_access`).
 */
import { getRig } from '../index.js';

export { RIG_MAIL_SCOPE } from './scope.js';

export interface RigOAuthClient {
  clientId: string;
  clientSecret: string;
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
}

/** A new confidential client (client_secret_post) allowed to redirect to `redirectUri`. */
export async function registerOAuthClient(opts: {
  redirectUri: string;
  accessTokenTtl?: number;
}): Promise<RigOAuthClient> {
  const { issuer } = getRig().oidc;
  const client = await control<{ clientId: string; clientSecret: string }>('oidc/register-client', opts);
  return { ...client, issuer, authorizationUrl: `${issuer}/auth`, tokenUrl: `${issuer}/token` };
}

/** Revokes what `email` (or everyone) granted the client: its refresh token now gives invalid_grant. */
export async function revokeOAuthGrants(opts: { clientId: string; email?: string }): Promise<number> {
  return (await control<{ revoked: number }>('oidc/revoke-grants', opts)).revoked;
}

/**
 * What a browser does between the app's redirect to the provider and the provider's redirect
 * back: follows the authorisation URL, signs in as `login` on the consent page and allows access
 * (or denies it). Returns the redirect target (the app's callback URL with `code`/`state`, or
 * `error`), without requesting it.
 */
export async function consentAs(
  authorizationUrl: string,
  login: string,
  decision: 'allow' | 'deny' = 'allow',
): Promise<URL> {
  const { issuer } = getRig().oidc;
  const jar = new Map<string, string>();
  const request = async (url: string, init: { method?: string; form?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.form ? new URLSearchParams(init.form) : undefined,
      redirect: 'manual',
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = ''] = setCookie.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    await response.arrayBuffer();
    return response;
  };

  let url = authorizationUrl;
  let submitted = false;
  for (let hop = 0; hop < 10; hop++) {
    const here = new URL(url);
    if (here.origin !== new URL(issuer).origin) return here;
    const interaction = /^\/interaction\/[\w-]+$/.test(here.pathname);
    const response =
      interaction && !submitted
        ? await request(url, { method: 'POST', form: { login, decision } })
        : await request(url);
    if (interaction) submitted = true;
    const location = response.headers.get('location');
    if (location === null)
      throw new Error(
        `the OpenID provider answered ${response.status} at ${here.pathname} without a redirect`,
      );
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects at the OpenID provider');
}

async function control<T>(route: string, body: object): Promise<T> {
  const { control: endpoint } = getRig();
  const response = await fetch(`${endpoint.url}/${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${endpoint.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const result = (await response.json()) as T & { error?: string };
  if (!response.ok)
    throw new Error(`test rig: ${route} failed (${response.status}): ${result.error ?? 'no details'}`);
  return result;
}
