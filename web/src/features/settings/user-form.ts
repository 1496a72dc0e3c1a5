import type { Role, User } from '../../shared/types.js';
import type { NewUser, UserChanges } from './users.api.js';

export interface UserFormValues {
  name: string;
  email: string;
  password: string;
  role: Role;
}

export function initialUserFormValues(user?: User): UserFormValues {
  return { name: user?.name ?? '', email: user?.email ?? '', password: '', role: user?.role ?? 'user' };
}

export function toNewUser(values: UserFormValues): NewUser {
  return {
    name: values.name.trim(),
    email: values.email.trim(),
    password: values.password,
    role: values.role,
  };
}

/** Only what changed, so a PATCH never rewrites fields the admin did not touch; an empty password keeps the old one. */
export function toUserChanges(user: User, values: UserFormValues): UserChanges {
  const changes: UserChanges = {};
  const name = values.name.trim();
  if (name !== user.name) changes.name = name;
  if (values.role !== user.role) changes.role = values.role;
  if (values.password !== '') changes.password = values.password;
  return changes;
}
