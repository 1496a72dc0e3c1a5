import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError, loadSecretKey } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips a secret and never stores the plaintext', () => {
    const stored = box.encrypt('hunter2-password');
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain('hunter2');
    expect(box.decrypt(stored)).toBe('hunter2-password');
  });

  it('uses a fresh nonce for each encryption', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('rejects a body shorter than the tag or with a truncated tag', () => {
    const stored = box.encrypt('secret');
    const parts = stored.split(':');
    const body = Buffer.from(parts[3]!, 'base64url');
    for (const cut of [body.subarray(0, body.length - 4), body.subarray(0, 15), Buffer.alloc(0)]) {
      expect(() => box.decrypt([...parts.slice(0, 3), cut.toString('base64url')].join(':'))).toThrow(SecretBoxError);
    }
    // a ciphertext-less body with a 12-byte tag: GCM accepts short tags unless told their length
    const shortTag = [...parts.slice(0, 3), body.subarray(body.length - 12).toString('base64url')].join(':');
    expect(() => box.decrypt(shortTag)).toThrow(SecretBoxError);
  });

  it('detects tampering', () => {
    const stored = box.encrypt('secret');
    const parts = stored.split(':');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => box.decrypt(parts.join(':'))).toThrow(SecretBoxError);
  });

  it('refuses a secret encrypted with another key', () => {
    const other = new SecretBox(randomBytes(32));
    expect(() => other.decrypt(box.encrypt('secret'))).toThrow(/another key/);
  });
});

describe('loadSecretKey', () => {
  it('generates a 0600 key file once and reuses it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-key-'));
    const first = loadSecretKey(undefined, dir);
    const file = path.join(dir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(undefined, dir).equals(first)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('derives a 32-byte key from MAILYARD_SECRET_KEY', () => {
    expect(loadSecretKey('a passphrase', '/nonexistent')).toHaveLength(32);
    expect(loadSecretKey('ab'.repeat(32), '/nonexistent').toString('hex')).toBe('ab'.repeat(32));
  });
});
