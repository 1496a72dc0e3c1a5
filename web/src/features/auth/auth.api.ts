import { api } from '../../shared/api.js';
import type { User } from '../../shared/types.js';

export interface Session {
  user: User;
  csrfToken: string;
}

// 401 is an ordinary answer for all three (wrong password, no session yet), never a redirect.
export const authApi = {
  login: (email: string, password: string) =>
    api.post<Session>('/auth/login', { email, password }, { allowUnauthorized: true }),
  session: () => api.get<Session>('/auth/session', { allowUnauthorized: true }),
  logout: () => api.post<void>('/auth/logout', undefined, { allowUnauthorized: true }),
  setupNeeded: () => api.get<{ needed: boolean }>('/setup', { allowUnauthorized: true }),
  setup: (input: { email: string; password: string; name: string }) =>
    api.post<User>('/setup', input, { allowUnauthorized: true }),
};
