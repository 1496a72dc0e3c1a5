import { api, seg } from '../../shared/api.js';
import type { ListResponse } from '../../shared/types.js';

export const SECURITY_MODES = ['tls', 'starttls', 'none'] as const;
export type SecurityMode = (typeof SECURITY_MODES)[number];
export const LOGIN_FORMATS = ['manual', 'email', 'localPart'] as const;
export type LoginFormat = (typeof LOGIN_FORMATS)[number];
export const AUTH_METHODS = ['basic', 'oauth2'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export interface ServerEndpoint {
  host: string;
  port: number;
  security: SecurityMode;
}

/** A provider (mail server) as the API returns it; the OAuth client secret never comes back. */
export interface Provider {
  id: string;
  name: string;
  serviceType: 'imap';
  imap: ServerEndpoint;
  smtp: ServerEndpoint;
  loginFormat: LoginFormat;
  auth: {
    method: AuthMethod;
    clientId: string | null;
    authorizationUrl: string | null;
    tokenUrl: string | null;
    scopes: string[];
    hasClientSecret: boolean;
  };
  domains: string[];
  allowReceive: boolean;
  allowSend: boolean;
  tlsFingerprint: string | null;
  notes: string | null;
  /** read-only: false for a provider a user added that no admin has edited (reviewed) since */
  trusted?: boolean;
}

export interface EndpointInput {
  host: string;
  port?: number;
  security?: SecurityMode;
}

export interface ProviderInput {
  name?: string;
  serviceType: 'imap';
  imap: EndpointInput;
  smtp: EndpointInput;
  loginFormat: LoginFormat;
  auth: {
    method: AuthMethod;
    clientId?: string | null;
    clientSecret?: string;
    authorizationUrl?: string | null;
    tokenUrl?: string | null;
    scopes?: string[];
  };
  domains: string[];
  allowReceive: boolean;
  allowSend: boolean;
  tlsFingerprint: string | null;
  notes: string | null;
}

/** A mailbox that keeps a provider from being deleted (409 provider_in_use `details.accounts`). */
export interface AccountInUse {
  id: string;
  email: string;
  userEmail?: string;
}

export interface SystemSettings {
  allowUsersToAddProviders: boolean;
}

export const providersApi = {
  list: (signal?: AbortSignal) => api.get<ListResponse<Provider>>('/providers', signal ? { signal } : {}),
  get: (id: string, signal?: AbortSignal) =>
    api.get<Provider>(`/providers/${seg(id)}`, signal ? { signal } : {}),
  create: (input: ProviderInput) => api.post<Provider>('/providers', input),
  update: (id: string, input: ProviderInput) => api.patch<Provider>(`/providers/${seg(id)}`, input),
  remove: (id: string) => api.delete(`/providers/${seg(id)}`),
};

export const settingsApi = {
  get: (signal?: AbortSignal) => api.get<SystemSettings>('/settings', signal ? { signal } : {}),
  update: (changes: Partial<SystemSettings>) => api.patch<SystemSettings>('/settings', changes),
};
