export const ROLES = ['admin', 'user'] as const;
export type Role = (typeof ROLES)[number];

/** A Mailyard user as the API returns it (`/me`, `/users`, the session). */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** Every list endpoint answers in this envelope. */
export interface ListResponse<T> {
  items: T[];
  nextCursor?: string | null;
}
