import { api, call } from '../../shared/api.js';
import type { BodyOf, ResponseOf, Schemas } from '../../shared/api-types.js';

/** A provider (mail server) as the API returns it; the OAuth client secret never comes back. */
export type Provider = Schemas['Provider'];
export type ServerEndpoint = Provider['imap'];
export type SecurityMode = ServerEndpoint['security'];
export type LoginFormat = Provider['loginFormat'];
export type AuthMethod = Provider['auth']['method'];
export const SECURITY_MODES = ['tls', 'starttls', 'none'] as const satisfies readonly SecurityMode[];
export const LOGIN_FORMATS = ['manual', 'email', 'localPart'] as const satisfies readonly LoginFormat[];
export const AUTH_METHODS = ['basic', 'oauth2'] as const satisfies readonly AuthMethod[];

export type ProviderInput = BodyOf<'/api/v1/providers', 'post'>;
export type ProviderChanges = BodyOf<'/api/v1/providers/{id}', 'patch'>;
export type EndpointInput = ProviderInput['imap'];

/** A mailbox that keeps a provider from being deleted (409 provider_in_use `details.accounts`). */
export interface AccountInUse {
  id: string;
  email: string;
  userEmail?: string;
}

export type SystemSettings = ResponseOf<'/api/v1/settings', 'get'>;

const path = (id: string) => ({ params: { path: { id } } });

export const providersApi = {
  list: (signal?: AbortSignal) => call(api.GET('/api/v1/providers', { signal })),
  get: (id: string, signal?: AbortSignal) => call(api.GET('/api/v1/providers/{id}', { ...path(id), signal })),
  create: (body: ProviderInput) => call(api.POST('/api/v1/providers', { body })),
  update: (id: string, body: ProviderChanges) => call(api.PATCH('/api/v1/providers/{id}', { ...path(id), body })),
  remove: (id: string) => call(api.DELETE('/api/v1/providers/{id}', path(id))),
};

export const settingsApi = {
  get: (signal?: AbortSignal) => call(api.GET('/api/v1/settings', { signal })),
  update: (body: BodyOf<'/api/v1/settings', 'patch'>) => call(api.PATCH('/api/v1/settings', { body })),
};
