import { api, call } from '../../shared/api.js';
import type { BodyOf, ResponseOf } from '../../shared/api-types.js';

export type Session = ResponseOf<'/api/v1/auth/session', 'get'>;

// 401 is an ordinary answer for all three (wrong password, no session yet), never a redirect.
const quiet = api.allowUnauthorized;

export const authApi = {
  login: (email: string, password: string) => call(api.POST('/api/v1/auth/login', { body: { email, password }, ...quiet })),
  session: () => call(api.GET('/api/v1/auth/session', quiet)),
  logout: () => call(api.POST('/api/v1/auth/logout', quiet)),
  setupNeeded: () => call(api.GET('/api/v1/setup', quiet)),
  setup: (body: BodyOf<'/api/v1/setup', 'post'>) => call(api.POST('/api/v1/setup', { body, ...quiet })),
};
