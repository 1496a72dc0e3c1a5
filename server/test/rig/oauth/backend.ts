import { startIntrospectionServer } from './introspection-server.js';
import { InMemoryTokenStore, type IssueTokenOptions, type IssuedToken } from './token-store.js';

/**
 * Where the rig's OAuth 2.0 tokens come from and how Dovecot checks them. The rig depends only on
 * this interface, so an implementation backed by a real OpenID provider (e.g. oidc-provider, with
 * its own introspection endpoint) can replace the in-memory one.
 */
export interface OAuthBackend {
  /** Introspection URL for humans and tests (no credentials). */
  readonly introspectionUrl: string;
  /** Introspection URL exactly as Dovecot's oauth2 passdb must call it (may carry credentials). */
  readonly dovecotIntrospectionUrl: string;
  issueAccessToken(email: string, opts?: IssueTokenOptions): Promise<IssuedToken>;
  revokeAccessToken(token: string): Promise<void>;
  close(): Promise<void>;
}

export async function startInMemoryOAuthBackend(): Promise<OAuthBackend> {
  const store = new InMemoryTokenStore();
  const server = await startIntrospectionServer({ validateToken: store.validate });
  return {
    introspectionUrl: server.url,
    dovecotIntrospectionUrl: server.urlWithCredentials,
    issueAccessToken: (email, opts) => Promise.resolve(store.issue(email, opts)),
    revokeAccessToken: (token) => {
      store.revoke(token);
      return Promise.resolve();
    },
    close: () => server.close(),
  };
}
