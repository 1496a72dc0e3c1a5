import type { Schemas } from './api-types.js';

/** A Mailyard user as the API returns it (`/me`, `/users`, the session). */
export type User = Schemas['User'];
export type Role = User['role'];
export const ROLES = ['admin', 'user'] as const satisfies readonly Role[];
