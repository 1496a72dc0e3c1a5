import { api, seg } from '../../shared/api.js';
import type { ListResponse } from '../../shared/types.js';

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Only the create response carries the secret, and only once. */
export interface CreatedApiToken {
  id: string;
  name: string;
  token: string;
  createdAt: string;
}

export const tokensApi = {
  list: (signal?: AbortSignal) => api.get<ListResponse<ApiToken>>('/me/tokens', signal ? { signal } : {}),
  create: (name: string) => api.post<CreatedApiToken>('/me/tokens', { name }),
  revoke: (id: string) => api.delete(`/me/tokens/${seg(id)}`),
};
