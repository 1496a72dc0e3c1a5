import { describe, expect, it } from 'vitest';
import type { User } from '../../shared/types.js';
import { initialUserFormValues, toNewUser, toUserChanges } from './user-form.js';

const ada: User = { id: 'u1', email: 'ada@example.com', name: 'Ada', role: 'user' };

describe('user form', () => {
  it('starts empty for a new user and from the user when editing', () => {
    expect(initialUserFormValues()).toEqual({ name: '', email: '', password: '', role: 'user' });
    expect(initialUserFormValues(ada)).toEqual({
      name: 'Ada',
      email: 'ada@example.com',
      password: '',
      role: 'user',
    });
  });

  it('trims the new user', () => {
    expect(
      toNewUser({ name: ' Bob ', email: ' bob@example.com ', password: ' secret ', role: 'admin' }),
    ).toEqual({
      name: 'Bob',
      email: 'bob@example.com',
      password: ' secret ',
      role: 'admin',
    });
  });

  it('sends only what changed, and a password only when one was typed', () => {
    expect(toUserChanges(ada, initialUserFormValues(ada))).toEqual({});
    expect(
      toUserChanges(ada, { ...initialUserFormValues(ada), role: 'admin', password: 'n3w-pass' }),
    ).toEqual({ role: 'admin', password: 'n3w-pass' });
    expect(toUserChanges(ada, { ...initialUserFormValues(ada), name: ' Ada L. ' })).toEqual({
      name: 'Ada L.',
    });
  });
});
