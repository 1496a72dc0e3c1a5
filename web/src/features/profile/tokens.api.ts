import { api, call } from '../../shared/api.js';
import type { ItemOf, ResponseOf } from '../../shared/api-types.js';

export type ApiToken = ItemOf<'/api/v1/me/tokens', 'get'>;
/** Only the create response carries the secret, and only once. */
export type CreatedApiToken = ResponseOf<'/api/v1/me/tokens', 'post'>;

export const tokensApi = {
  list: (signal?: AbortSignal) => call(api.GET('/api/v1/me/tokens', { signal })),
  create: (name: string) => call(api.POST('/api/v1/me/tokens', { body: { name } })),
  revoke: (id: string) => call(api.DELETE('/api/v1/me/tokens/{id}', { params: { path: { id } } })),
};
