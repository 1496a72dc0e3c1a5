import { api, call } from '../../shared/api.js';
import type { BodyOf, ResponseOf } from '../../shared/api-types.js';

export type ProviderOAuthStatus = ResponseOf<'/api/v1/providers/{id}/oauth', 'get'>;

export const oauthApi = {
  /** Starts "Sign in": the provider's consent page to open. */
  start: (body: BodyOf<'/api/v1/accounts/oauth/start', 'post'>) => call(api.POST('/api/v1/accounts/oauth/start', { body })),
  providerStatus: (providerId: string, signal?: AbortSignal) =>
    call(api.GET('/api/v1/providers/{id}/oauth', { params: { path: { id: providerId } }, signal })),
};

/**
 * OAuth endpoints and mail scopes of the big providers (the same as the server's `oauthPresets`
 * in server/src/domain/provider.ts). The server adds `openid email` to find out whose mailbox it is.
 */
export const OAUTH_PRESETS = [
  {
    name: 'Google',
    authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    scopes: ['https://mail.google.com/'],
  },
  {
    name: 'Microsoft',
    authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    scopes: [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/SMTP.Send',
      'offline_access',
    ],
  },
] as const;

/** The redirect URI as the server builds it, for a provider not saved yet. */
export const redirectUriFor = (origin: string) => `${origin}/api/v1/accounts/oauth/callback`;
