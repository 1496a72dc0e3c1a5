import { describe, expect, it } from 'vitest';
import { SecretBox } from '../lib/secret-box.js';
import { openAccountSecret, sealAccountSecret } from './account-secret.js';
import { AppError } from './errors.js';

const box = new SecretBox(Buffer.alloc(32, 3));

const unreadable = (stored: string) => {
  try {
    openAccountSecret(box, stored);
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
  return 'opened';
};

describe('the stored account secret', () => {
  it('opens what it sealed, encrypted', () => {
    const sealed = sealAccountSecret(box, { kind: 'password', password: 'hunter2' });
    expect(sealed).not.toContain('hunter2');
    expect(openAccountSecret(box, sealed)).toEqual({ kind: 'password', password: 'hunter2' });

    const tokens = { kind: 'oauth', accessToken: 'a', refreshToken: 'r', expiresAt: 10, refreshAt: 5 } as const;
    expect(openAccountSecret(box, sealAccountSecret(box, tokens))).toEqual(tokens);
    expect(openAccountSecret(box, sealAccountSecret(box, { kind: 'oauth', accessToken: 'a' }))).toEqual({
      kind: 'oauth',
      accessToken: 'a',
    });
  });

  it('reads rows written before: OAuth tokens with nulls for what the provider did not say', () => {
    const old = box.encrypt('{"accessToken":"a","refreshToken":null,"expiresAt":null,"refreshAt":null}');
    expect(openAccountSecret(box, old)).toEqual({ kind: 'oauth', accessToken: 'a' });
    expect(openAccountSecret(box, box.encrypt('{"password":""}'))).toEqual({ kind: 'password', password: '' });
  });

  it.each([
    ['damaged JSON', box.encrypt('{"password":')],
    ['neither a password nor tokens', box.encrypt('{"user":"x"}')],
    ['not an object', box.encrypt('"hunter2"')],
    ['another key', new SecretBox(Buffer.alloc(32, 4)).encrypt('{"password":"p"}')],
    ['not ciphertext at all', 'garbage'],
  ])('refuses %s with secret_unreadable', (_what, stored) => {
    expect(unreadable(stored)).toBe('secret_unreadable');
  });
});
