import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  canonicalDomain,
  canonicalFingerprint,
  canonicalHost,
  defaultProviderName,
  securityForPort,
} from './provider.js';

function fieldError(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation_failed') {
      return Object.values(error.details?.fields as Record<string, string>)[0];
    }
    throw error;
  }
  return undefined;
}

describe('canonicalDomain', () => {
  it('stores one form for case, trailing dots, spaces and IDN', () => {
    expect(canonicalDomain('  Example.COM. ')).toBe('example.com');
    expect(canonicalDomain('BÜCHER.example')).toBe('xn--bcher-kva.example');
    expect(canonicalDomain('bücher.example')).toBe('xn--bcher-kva.example');
    expect(canonicalDomain('XN--BCHER-KVA.example')).toBe('xn--bcher-kva.example');
  });

  it('rejects what is not a domain', () => {
    expect(fieldError(() => canonicalDomain('user@example.com'))).toMatch(/not an email address/);
    for (const bad of [
      '',
      'localhost',
      'exa mple.com',
      '-a.com',
      'a..com',
      'a_b.com',
      'exa$mple.com',
      '1.2.3',
      'xn--zz.com',
      'a'.repeat(64) + '.com',
    ]) {
      expect(
        fieldError(() => canonicalDomain(bad)),
        bad,
      ).toMatch(/valid domain/);
    }
  });
});

describe('canonicalHost', () => {
  it('accepts host names and IP literals', () => {
    expect(canonicalHost('IMAP.Example.com')).toBe('imap.example.com');
    expect(canonicalHost('localhost')).toBe('localhost');
    expect(canonicalHost('127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalHost('[::1]')).toBe('::1');
    expect(canonicalHost('imap.bücher.example')).toBe('imap.xn--bcher-kva.example');
  });

  it('explains what to enter instead of the seed guide\'s "imap@domain.com"', () => {
    expect(fieldError(() => canonicalHost('imap@domain.com', 'imap.host'))).toBe(
      'enter a host name such as imap.example.com, not an address like imap@domain.com',
    );
    expect(fieldError(() => canonicalHost('smtp@domain.com', 'smtp.host'))).toMatch(/smtp\.example\.com/);
    expect(fieldError(() => canonicalHost('imaps://imap.example.com'))).toMatch(/without a scheme/);
    expect(fieldError(() => canonicalHost('imap.example.com:993'))).toMatch(/without a port/);
    expect(fieldError(() => canonicalHost('999.1.1.1'))).toMatch(/host name such as/);
    expect(fieldError(() => canonicalHost('bad host'))).toMatch(/host name such as/);
  });
});

describe('canonicalFingerprint', () => {
  it('accepts the forms people paste', () => {
    const hex = 'ab'.repeat(32);
    expect(canonicalFingerprint(hex.toUpperCase().match(/../g)!.join(':'))).toBe(hex);
    expect(canonicalFingerprint(`SHA256: ${hex}`)).toBe(hex);
    expect(fieldError(() => canonicalFingerprint('abc'))).toMatch(/64 hexadecimal digits/);
  });
});

describe('defaults', () => {
  it('names a provider after its IMAP host', () => {
    expect(defaultProviderName('imap.example.com')).toBe('example.com');
    expect(defaultProviderName('mail.example.com')).toBe('example.com');
    expect(defaultProviderName('outlook.office365.com')).toBe('outlook.office365.com');
    expect(defaultProviderName('127.0.0.1')).toBe('127.0.0.1');
  });

  it('knows the security of the well-known ports (465, not 455)', () => {
    expect(securityForPort('imap', 993)).toBe('tls');
    expect(securityForPort('imap', 143)).toBe('starttls');
    expect(securityForPort('smtp', 465)).toBe('tls');
    expect(securityForPort('smtp', 587)).toBe('starttls');
    expect(securityForPort('smtp', 455)).toBeUndefined();
  });
});
