import type { ControlRoute } from '../control-server.js';
import { RigRequestError } from '../mail-users.js';
import type { OAuthBackend } from '../oauth/backend.js';
import { startIntrospectionServer } from '../oauth/introspection-server.js';
import { InMemoryTokenStore } from '../oauth/token-store.js';
import { startOidcServer } from './oidc-server.js';

export interface OidcOAuthBackend extends OAuthBackend {
  /** The OpenID provider's issuer (discovery at `${issuer}/.well-known/openid-configuration`). */
  readonly issuer: string;
  /** Control routes for the test workers (see ./helpers.ts). */
  readonly routes: Record<string, ControlRoute>;
}

/**
 * The rig's OAuth backend with a real OpenID provider behind it. Dovecot's introspection asks
 * oidc-provider first (tokens from the authorisation code and refresh grants), then the in-memory
 * store that issueAccessToken() fills (tokens made up by tests without a consent flow).
 */
export async function startOidcOAuthBackend(opts: {
  certFile: string;
  keyFile: string;
}): Promise<OidcOAuthBackend> {
  const store = new InMemoryTokenStore();
  const oidc = await startOidcServer(opts);
  const introspection = await startIntrospectionServer({
    validateToken: async (token) => (await oidc.introspect(token)) ?? store.validate(token),
  }).catch(async (error: unknown) => {
    await oidc.close();
    throw error;
  });
  return {
    issuer: oidc.issuer,
    introspectionUrl: introspection.url,
    dovecotIntrospectionUrl: introspection.urlWithCredentials,
    issueAccessToken: (email, issueOpts) => Promise.resolve(store.issue(email, issueOpts)),
    revokeAccessToken: (token) => {
      store.revoke(token);
      return Promise.resolve();
    },
    routes: {
      'oidc/register-client': async (body) => {
        const redirectUri = body.redirectUri;
        const ttl = body.accessTokenTtl;
        if (typeof redirectUri !== 'string' || !/^https?:\/\//.test(redirectUri)) {
          throw new RigRequestError(400, '"redirectUri" must be an http(s) URL');
        }
        if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1)) {
          throw new RigRequestError(400, '"accessTokenTtl" must be a positive whole number of seconds');
        }
        return oidc.registerClient({ redirectUri, accessTokenTtl: ttl });
      },
      'oidc/revoke-grants': async (body) => {
        if (typeof body.clientId !== 'string') throw new RigRequestError(400, '"clientId" is required');
        const email = typeof body.email === 'string' ? body.email : undefined;
        return { revoked: await oidc.revokeGrants({ clientId: body.clientId, email }) };
      },
    },
    close: async () => {
      await introspection.close();
      await oidc.close();
    },
  };
}
