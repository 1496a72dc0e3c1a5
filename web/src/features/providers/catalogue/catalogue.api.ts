import { api } from '../../../shared/api.js';
import type { AuthMethod, LoginFormat, Provider, ServerEndpoint } from '../providers.api.js';

/** A well-known provider from the built-in catalogue (GET /providers/catalogue). */
export interface CatalogueEntry {
  id: string;
  name: string;
  domains: string[];
  mxPatterns: string[];
  imap: ServerEndpoint;
  smtp: ServerEndpoint;
  loginFormat: LoginFormat;
  authMethods: AuthMethod[];
  oauth?: { authorizationUrl: string; tokenUrl: string; scopes: string[] };
  notes: string[];
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** Password sign-in when the provider allows it; OAuth-only providers need a client of the admin's own. */
export const needsOAuthClient = (entry: CatalogueEntry) => !entry.authMethods.includes('basic');

/** The provider an entry becomes: its servers, login format, sign-in, domains and notes. */
export function providerFromEntry(entry: CatalogueEntry, oauthClient?: OAuthClient) {
  const auth =
    oauthClient && entry.oauth
      ? {
          method: 'oauth2' as const,
          clientId: oauthClient.clientId,
          clientSecret: oauthClient.clientSecret,
          authorizationUrl: entry.oauth.authorizationUrl,
          tokenUrl: entry.oauth.tokenUrl,
          scopes: entry.oauth.scopes,
        }
      : { method: 'basic' as const };
  return {
    name: entry.name,
    serviceType: 'imap' as const,
    imap: entry.imap,
    smtp: entry.smtp,
    loginFormat: entry.loginFormat,
    auth,
    domains: entry.domains,
    notes: entry.notes.length > 0 ? entry.notes.join(' ') : null,
  };
}

export const catalogueApi = {
  list: (signal?: AbortSignal) =>
    api.get<{ items: CatalogueEntry[] }>('/providers/catalogue', signal ? { signal } : {}),
  addProvider: (entry: CatalogueEntry, oauthClient?: OAuthClient) =>
    api.post<Provider>('/providers', providerFromEntry(entry, oauthClient)),
};
