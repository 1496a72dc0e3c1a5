import { api, seg } from '../../shared/api.js';
import type { ListResponse } from '../../shared/types.js';
import type { Provider } from '../providers/providers.api.js';

export const SYNC_PERIODS = ['day', 'week', 'month', 'year', 'all'] as const;
export type SyncPeriod = (typeof SYNC_PERIODS)[number];
export type AccountState = 'connecting' | 'syncing' | 'idle' | 'error' | 'disabled';
export type AccountErrorAction = 'enter_new_password' | 'sign_in_again' | 'retry';
export type FolderSelection = 'all' | string[];

export interface AccountStatus {
  state: AccountState;
  progress: { done: number; total: number };
  lastSyncAt: string | null;
  error: { code: string; message: string; action: AccountErrorAction | null; at: string } | null;
}

export interface AccountRights {
  read: boolean;
  send: boolean;
  manage: boolean;
}

/** An email account as the API returns it (never with its password). */
export interface Account {
  id: string;
  email: string;
  providerId: string;
  providerName: string;
  login: string;
  displayName: string;
  signature: string;
  syncPeriod: SyncPeriod;
  folders: FolderSelection;
  autoDownload: boolean;
  sendEnabled: boolean;
  defaultSender: boolean;
  enabled: boolean;
  archived: boolean;
  status: AccountStatus;
  owner: { id: string; email: string; name: string };
  access: AccountRights;
  createdAt: string;
}

export interface AccountSettings {
  displayName?: string;
  signature?: string;
  syncPeriod?: SyncPeriod;
  folders?: FolderSelection;
  autoDownload?: boolean;
  sendEnabled?: boolean;
  defaultSender?: boolean;
  enabled?: boolean;
}

export interface NewAccount {
  email: string;
  providerId?: string;
  login?: string;
  password: string;
}

export interface AccountFolder {
  path: string;
  name: string;
  delimiter: string | null;
  specialUse: string | null;
  selected: boolean;
}

export interface AccountShare extends AccountRights {
  userId: string;
  name: string;
  email: string;
}

export interface DirectoryUser {
  id: string;
  name: string;
  email: string;
}

/** `GET /providers/detect`: where the settings came from and, when registered, which provider. */
export interface Detection {
  source: string;
  providerId?: string;
  provider?: Partial<Provider> & { name?: string };
  notes?: string | string[];
}

const opts = (signal?: AbortSignal) => (signal ? { signal } : {});

export const accountsApi = {
  list: (signal?: AbortSignal) => api.get<ListResponse<Account>>('/accounts', opts(signal)),
  get: (id: string, signal?: AbortSignal) => api.get<Account>(`/accounts/${seg(id)}`, opts(signal)),
  create: (input: NewAccount) => api.post<Account>('/accounts', input),
  update: (id: string, changes: AccountSettings) => api.patch<Account>(`/accounts/${seg(id)}`, changes),
  remove: (id: string, keepMail: boolean) => api.delete(`/accounts/${seg(id)}?keepMail=${keepMail}`),
  sync: (id: string) => api.post<Account>(`/accounts/${seg(id)}/sync`),
  changePassword: (id: string, input: { password: string; login?: string }) =>
    api.post<Account>(`/accounts/${seg(id)}/password`, input),
  folders: (id: string, refresh: boolean, signal?: AbortSignal) =>
    api.get<ListResponse<AccountFolder>>(
      `/accounts/${seg(id)}/folders${refresh ? '?refresh=true' : ''}`,
      opts(signal),
    ),
  shares: (id: string, signal?: AbortSignal) =>
    api.get<ListResponse<AccountShare>>(`/accounts/${seg(id)}/shares`, opts(signal)),
  replaceShares: (id: string, shares: (AccountRights & { userId: string })[]) =>
    api.put<ListResponse<AccountShare>>(`/accounts/${seg(id)}/shares`, shares),
  directory: (signal?: AbortSignal) => api.get<ListResponse<DirectoryUser>>('/users/directory', opts(signal)),
  detect: (email: string, signal?: AbortSignal) =>
    api.get<Detection>(`/providers/detect?email=${encodeURIComponent(email)}`, opts(signal)),
};
