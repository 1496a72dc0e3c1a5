// Encryption of secrets at rest (mailbox passwords, OAuth tokens, client secrets).
// AES-256-GCM with a random 96-bit nonce. Stored form: "v1:<keyId>:<nonce>:<ciphertext+tag>"
// (base64url). The version and key id let us rotate keys or algorithms later.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const tagLength = 16;

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export class SecretBox {
  private readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretBoxError('secret key must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  encrypt(plaintext: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return ['v1', this.keyId, nonce.toString('base64url'), body.toString('base64url')].join(':');
  }

  /** An HMAC-SHA256 tag of `value` under a key derived for `purpose` (never the encryption key itself). */
  mac(purpose: string, value: string): string {
    const key = Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `mailyard:${purpose}`, 32));
    return createHmac('sha256', key).update(value, 'utf8').digest('base64url');
  }

  /** Whether `tag` is `mac(purpose, value)`, compared in constant time. */
  verifyMac(purpose: string, value: string, tag: string): boolean {
    const expected = Buffer.from(this.mac(purpose, value));
    const given = Buffer.from(tag);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  decrypt(stored: string): string {
    const [version, keyId, nonceText, bodyText] = stored.split(':');
    if (version !== 'v1' || !nonceText || !bodyText) throw new SecretBoxError('unknown secret format');
    if (keyId !== this.keyId) throw new SecretBoxError('secret was encrypted with another key');
    const body = Buffer.from(bodyText, 'base64url');
    // Without a full tag GCM would accept a shortened (forgeable) one, or throw a non-SecretBoxError.
    if (body.length < tagLength) throw new SecretBoxError('secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonceText, 'base64url'), { authTagLength: tagLength });
    decipher.setAuthTag(body.subarray(body.length - tagLength));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - tagLength)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('secret could not be decrypted (tampered or wrong key)');
    }
  }
}

/**
 * The key comes from MAILYARD_SECRET_KEY (any string; hashed to 32 bytes, or 64 hex chars /
 * 43-44 base64 chars used as-is) or from `secret.key` in the data dir, created with mode 0600.
 */
export function loadSecretKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) {
    if (/^[0-9a-f]{64}$/i.test(configured)) return Buffer.from(configured, 'hex');
    const b64 = Buffer.from(configured, 'base64');
    if (b64.length === 32 && /^[A-Za-z0-9+/_-]{43}=?$/.test(configured)) return b64;
    return createHash('sha256').update(configured).digest();
  }
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new SecretBoxError(`${file} does not hold a 32-byte base64 key`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
