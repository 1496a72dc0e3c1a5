import { Type, type Static } from '@sinclair/typebox';
import { literals } from './schema.js';

export const userRoles = ['admin', 'user'] as const;
export type UserRole = (typeof userRoles)[number];

/** The API shape of a user (docs/product.md: `{id,email,name,role}`). */
export const PublicUserSchema = Type.Object(
  { id: Type.String(), email: Type.String(), name: Type.String(), role: literals(userRoles) },
  { $id: 'User' },
);
export type PublicUser = Static<typeof PublicUserSchema>;

/** Who is making a request: the signed-in user and how they proved it. */
export interface Actor extends PublicUser {
  via: 'session' | 'token';
}

export const toPublicUser = (u: { id: string; email: string; name: string; role: UserRole }): PublicUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
});

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
