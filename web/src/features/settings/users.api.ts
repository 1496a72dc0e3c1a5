import { api, seg } from '../../shared/api.js';
import type { ListResponse, Role, User } from '../../shared/types.js';

export interface NewUser {
  email: string;
  password: string;
  name: string;
  role: Role;
}

export type UserChanges = Partial<Pick<User, 'name' | 'role'>> & { password?: string };

export const usersApi = {
  list: (signal?: AbortSignal) => api.get<ListResponse<User>>('/users', signal ? { signal } : {}),
  create: (user: NewUser) => api.post<User>('/users', user),
  update: (id: string, changes: UserChanges) => api.patch<User>(`/users/${seg(id)}`, changes),
  remove: (id: string) => api.delete(`/users/${seg(id)}`),
};
