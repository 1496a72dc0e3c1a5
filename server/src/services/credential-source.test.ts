import { describe, expect, it } from 'vitest';
import { sealAccountSecret } from '../domain/account-secret.js';
import { AppError } from '../domain/errors.js';
import { SecretBox } from '../lib/secret-box.js';
import { createCredentialSource, needsOwner } from './credential-source.js';

const secrets = new SecretBox(Buffer.alloc(32, 5));
const asked: string[] = [];
const source = createCredentialSource({
  secrets,
  oauth: {
    credentialsFor: (accountId) => {
      asked.push(accountId);
      return Promise.resolve({ user: 'oauth-user', accessToken: 'fresh' });
    },
  },
});
const account = (authMethod: string, secret: string | null) => ({ accountId: 'a1', authMethod, login: 'ada', secret });

describe('the credential source', () => {
  it('logs password accounts in with their password and OAuth accounts with a fresh token', async () => {
    const password = sealAccountSecret(secrets, { kind: 'password', password: 'pw' });
    await expect(source(account('basic', password))).resolves.toEqual({ user: 'ada', password: 'pw' });
    await expect(source(account('oauth2', null))).resolves.toEqual({ user: 'oauth-user', accessToken: 'fresh' });
    expect(asked).toEqual(['a1']);
  });

  it('asks the owner for the password when none can be read', async () => {
    for (const secret of [null, 'garbage', secrets.encrypt('{"nothing":1}')]) {
      const error: unknown = await source(account('basic', secret)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('auth_failed');
      expect(needsOwner(error)).toBe(true);
    }
  });

  it('tells what the owner must fix from what may pass by itself', () => {
    expect(needsOwner(new AppError('oauth_failed', 'sign in again'))).toBe(true);
    expect(needsOwner(new AppError('service_unavailable', 'provider away'))).toBe(false);
    expect(needsOwner(new Error('fetch failed'))).toBe(false);
  });
});
