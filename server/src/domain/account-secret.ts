// The one reader and writer of `accounts.secret`: a mailbox password or OAuth tokens, as JSON
// encrypted with the SecretBox. Everything that needs a mailbox login (the sync engine, the
// outbox, the folder chooser, token refresh) goes through here, so a damaged row fails the same
// clear way everywhere instead of as an unexpected exception in one of them.
//
// Stored JSON (unchanged since the first release, so existing rows keep working):
//   {"password": "..."}  or  {"accessToken", "refreshToken"?, "expiresAt"?, "refreshAt"?} (epoch ms)
import { AppError } from './errors.js';

/** What encrypts the JSON (lib/secret-box.ts SecretBox); only its shape, the domain does no crypto. */
export interface SecretSealer {
  encrypt(plaintext: string): string;
  decrypt(stored: string): string;
}

export interface PasswordAccountSecret {
  kind: 'password';
  password: string;
}

export interface OAuthAccountSecret {
  kind: 'oauth';
  accessToken: string;
  refreshToken?: string;
  /** when the access token expires (epoch ms); absent when the provider did not say */
  expiresAt?: number;
  /** refresh from this moment on (a little before expiresAt) */
  refreshAt?: number;
}

export type AccountSecret = PasswordAccountSecret | OAuthAccountSecret;

/** Thrown for a secret that cannot be decrypted or is not one of the two stored shapes. */
const secretUnreadable = () =>
  new AppError(
    'secret_unreadable',
    'The stored login of this mailbox cannot be read; enter the password again (or sign in again)',
  );

export function sealAccountSecret(box: SecretSealer, secret: AccountSecret): string {
  const json =
    secret.kind === 'password'
      ? { password: secret.password }
      : {
          accessToken: secret.accessToken,
          ...(secret.refreshToken !== undefined && { refreshToken: secret.refreshToken }),
          ...(secret.expiresAt !== undefined && { expiresAt: secret.expiresAt }),
          ...(secret.refreshAt !== undefined && { refreshAt: secret.refreshAt }),
        };
  return box.encrypt(JSON.stringify(json));
}

/** Throws AppError('secret_unreadable') for another key's ciphertext, damaged JSON or an unknown shape. */
export function openAccountSecret(box: SecretSealer, stored: string): AccountSecret {
  let value: unknown;
  try {
    value = JSON.parse(box.decrypt(stored));
  } catch {
    throw secretUnreadable();
  }
  if (typeof value !== 'object' || value === null) throw secretUnreadable();
  const v = value as Record<string, unknown>;
  if (typeof v.accessToken === 'string' && v.accessToken !== '') {
    // Rows written before this module stored null for "unknown".
    const text = (x: unknown) => (typeof x === 'string' && x !== '' ? x : undefined);
    const time = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
    const refreshToken = text(v.refreshToken);
    const expiresAt = time(v.expiresAt);
    const refreshAt = time(v.refreshAt);
    return {
      kind: 'oauth',
      accessToken: v.accessToken,
      ...(refreshToken !== undefined && { refreshToken }),
      ...(expiresAt !== undefined && { expiresAt }),
      ...(refreshAt !== undefined && { refreshAt }),
    };
  }
  if (typeof v.password === 'string') return { kind: 'password', password: v.password };
  throw secretUnreadable();
}
