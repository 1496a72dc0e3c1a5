import { api, call } from '../../../shared/api.js';
import type { ItemOf } from '../../../shared/api-types.js';

/** A well-known provider from the built-in catalogue (GET /providers/catalogue). */
export type CatalogueEntry = ItemOf<'/api/v1/providers/catalogue', 'get'>;

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
  list: (signal?: AbortSignal) => call(api.GET('/api/v1/providers/catalogue', { signal })),
  addProvider: (entry: CatalogueEntry, oauthClient?: OAuthClient) =>
    call(api.POST('/api/v1/providers', { body: providerFromEntry(entry, oauthClient) })),
};
