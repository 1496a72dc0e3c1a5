import { api, call } from '../../shared/api.js';
import type { BodyOf, ItemOf, ResponseOf, Schemas } from '../../shared/api-types.js';

/** An email account as the API returns it (never with its password). */
export type Account = Schemas['Account'];
export type AccountStatus = Account['status'];
export type AccountState = AccountStatus['state'];
export type AccountErrorAction = NonNullable<NonNullable<AccountStatus['error']>['action']>;
export type AccountRights = Account['access'];
export type SyncPeriod = Account['syncPeriod'];
export type FolderSelection = Account['folders'];
export const SYNC_PERIODS = ['day', 'week', 'month', 'year', 'all'] as const satisfies readonly SyncPeriod[];

export type AccountSettings = BodyOf<'/api/v1/accounts/{id}', 'patch'>;
export type NewAccount = BodyOf<'/api/v1/accounts', 'post'>;
export type AccountFolder = ItemOf<'/api/v1/accounts/{id}/folders', 'get'>;
export type AccountShare = ItemOf<'/api/v1/accounts/{id}/shares', 'get'>;
export type DirectoryUser = ItemOf<'/api/v1/users/directory', 'get'>;
/** `GET /providers/detect`: where the settings came from and, when registered, which provider. */
export type Detection = ResponseOf<'/api/v1/providers/detect', 'get'>;

const path = (id: string) => ({ params: { path: { id } } });

export const accountsApi = {
  list: (signal?: AbortSignal) => call(api.GET('/api/v1/accounts', { signal })),
  get: (id: string, signal?: AbortSignal) => call(api.GET('/api/v1/accounts/{id}', { ...path(id), signal })),
  create: (body: NewAccount) => call(api.POST('/api/v1/accounts', { body })),
  update: (id: string, body: AccountSettings) => call(api.PATCH('/api/v1/accounts/{id}', { ...path(id), body })),
  remove: (id: string, keepMail: boolean) =>
    call(api.DELETE('/api/v1/accounts/{id}', { params: { path: { id }, query: { keepMail: keepMail ? 'true' : 'false' } } })),
  /** Synchronise now; `verify` also compares the copy with the mail server in full. */
  sync: (id: string, options: { verify?: boolean } = {}) =>
    call(api.POST('/api/v1/accounts/{id}/sync', { ...path(id), body: options })),
  changePassword: (id: string, body: BodyOf<'/api/v1/accounts/{id}/password', 'post'>) =>
    call(api.POST('/api/v1/accounts/{id}/password', { ...path(id), body })),
  folders: (id: string, refresh: boolean, signal?: AbortSignal) =>
    call(
      api.GET('/api/v1/accounts/{id}/folders', {
        params: { path: { id }, query: refresh ? { refresh: 'true' } : {} },
        signal,
      }),
    ),
  shares: (id: string, signal?: AbortSignal) => call(api.GET('/api/v1/accounts/{id}/shares', { ...path(id), signal })),
  replaceShares: (id: string, body: BodyOf<'/api/v1/accounts/{id}/shares', 'put'>) =>
    call(api.PUT('/api/v1/accounts/{id}/shares', { ...path(id), body })),
  directory: (signal?: AbortSignal) => call(api.GET('/api/v1/users/directory', { signal })),
  detect: (email: string, signal?: AbortSignal) =>
    call(api.GET('/api/v1/providers/detect', { params: { query: { email } }, signal })),
};
