import { api, call } from '../../shared/api.js';
import type { BodyOf } from '../../shared/api-types.js';

export type NewUser = BodyOf<'/api/v1/users', 'post'>;
export type UserChanges = BodyOf<'/api/v1/users/{id}', 'patch'>;

const path = (id: string) => ({ params: { path: { id } } });

export const usersApi = {
  list: (signal?: AbortSignal) => call(api.GET('/api/v1/users', { signal })),
  create: (body: NewUser) => call(api.POST('/api/v1/users', { body })),
  update: (id: string, body: UserChanges) => call(api.PATCH('/api/v1/users/{id}', { ...path(id), body })),
  remove: (id: string) => call(api.DELETE('/api/v1/users/{id}', path(id))),
  tokens: (id: string, signal?: AbortSignal) => call(api.GET('/api/v1/users/{id}/tokens', { ...path(id), signal })),
  revokeToken: (id: string, tokenId: string) =>
    call(api.DELETE('/api/v1/users/{id}/tokens/{tokenId}', { params: { path: { id, tokenId } } })),
};
