import { describe, expect, it } from 'vitest';
import { classifyFailure, type FailureContext } from './classify.js';
import { DiagnosisError } from './types.js';

const imap = (step: FailureContext['step'], extra: Partial<FailureContext> = {}): FailureContext => ({
  protocol: 'imap',
  step,
  host: 'imap.example.com',
  port: 993,
  security: 'tls',
  ...extra,
});
const smtp = (step: FailureContext['step'], extra: Partial<FailureContext> = {}): FailureContext => ({
  protocol: 'smtp',
  step,
  host: 'smtp.example.com',
  port: 465,
  security: 'tls',
  ...extra,
});
const nodeError = (code: string, extra: object = {}) =>
  Object.assign(new Error(`failed: ${code}`), { code }, extra);

describe('classifyFailure', () => {
  it('a name that does not exist', () => {
    const r = classifyFailure(nodeError('ENOTFOUND'), imap('dns'));
    expect(r.code).toBe('dns_failed');
    expect(r.explanation).toMatch(/does not exist/);
  });

  it('a refused and a silent port, per protocol', () => {
    expect(classifyFailure(nodeError('ECONNREFUSED'), imap('tcp'))).toMatchObject({
      code: 'imap_unreachable',
      explanation: expect.stringMatching(/nothing listens/) as unknown,
    });
    expect(classifyFailure(new DiagnosisError('CONNECT_TIMEOUT', 'x'), smtp('tcp'))).toMatchObject({
      code: 'smtp_unreachable',
      explanation: expect.stringMatching(/firewall/) as unknown,
    });
    // nodemailer keeps Node's code in originalCode
    expect(classifyFailure(nodeError('ESOCKET', { originalCode: 'ECONNREFUSED' }), smtp('tcp')).code).toBe(
      'smtp_unreachable',
    );
  });

  it.each([
    ['ERR_TLS_CERT_ALTNAME_INVALID', /another name/],
    ['CERT_HAS_EXPIRED', /expired/],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /self-signed/],
    ['SELF_SIGNED_CERT_IN_CHAIN', /private certificate authority/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /trusted authority/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', /does not speak TLS/],
  ])('certificate and TLS problems: %s', (code, explanation) => {
    const r = classifyFailure(nodeError(code), imap('tls'));
    expect(r.code).toBe('tls_error');
    expect(r.explanation).toMatch(explanation);
  });

  it('names the certificate’s own names when it is for another host', () => {
    const error = nodeError('ERR_TLS_CERT_ALTNAME_INVALID', {
      cert: { subjectaltname: 'DNS:localhost, IP Address:127.0.0.1' },
    });
    expect(classifyFailure(error, imap('tls')).explanation).toContain('localhost, 127.0.0.1');
  });

  it('plain text against a TLS port', () => {
    const r = classifyFailure(
      new DiagnosisError('EXPECTS_IMPLICIT_TLS', 'x'),
      imap('starttls', { port: 993, security: 'starttls' }),
    );
    expect(r.code).toBe('tls_error');
    expect(r.explanation).toMatch(/expects TLS from the first byte/);
  });

  it('STARTTLS not offered and a missing AUTH mechanism', () => {
    expect(
      classifyFailure(
        new DiagnosisError('STARTTLS_NOT_OFFERED', 'x'),
        imap('starttls', { security: 'starttls', port: 143 }),
      ).code,
    ).toBe('starttls_unavailable');
    const r = classifyFailure(
      new DiagnosisError('AUTH_MECHANISM_MISSING', 'x', { offered: ['CRAM-MD5'] }),
      smtp('auth', { security: 'none', port: 25 }),
    );
    expect(r.code).toBe('auth_mechanism_unavailable');
    expect(r.explanation).toMatch(/unencrypted connection/);
    expect(r.explanation).toContain('CRAM-MD5');
  });

  it('a rejected IMAP login (imapflow) and SMTP login (nodemailer)', () => {
    const imapflow = Object.assign(new Error('Authentication failed'), {
      authenticationFailed: true,
      serverResponseCode: 'AUTHENTICATIONFAILED',
      responseText: 'Authentication failed.',
    });
    expect(classifyFailure(imapflow, imap('auth')).code).toBe('auth_failed');
    const nodemailer = nodeError('EAUTH', {
      response: '535 5.7.8 Error: authentication failed',
      responseCode: 535,
    });
    expect(classifyFailure(nodemailer, smtp('auth')).code).toBe('auth_failed');
  });

  it('recognises "app password required" from Google on IMAP and SMTP', () => {
    const imapflow = Object.assign(new Error('Command failed'), {
      authenticationFailed: true,
      serverResponseCode: 'ALERT',
      responseText:
        'Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)',
    });
    expect(classifyFailure(imapflow, imap('auth')).code).toBe('app_password_required');
    const nodemailer = nodeError('EAUTH', {
      response:
        '534-5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor',
      responseCode: 534,
    });
    expect(classifyFailure(nodemailer, smtp('auth')).code).toBe('app_password_required');
  });

  it('an OAuth token the server would not take, however it says so', () => {
    const internal = Object.assign(new Error('Authentication failed'), {
      authenticationFailed: true,
      serverResponseCode: 'UNAVAILABLE',
      responseText: 'Internal login failure',
    });
    expect(classifyFailure(internal, imap('auth', { oauth: true }))).toMatchObject({
      code: 'auth_failed',
      explanation: expect.stringMatching(/OAuth sign-in/) as unknown,
    });
    const closed = nodeError('NoConnection');
    expect(classifyFailure(closed, imap('auth', { oauth: true }))).toMatchObject({
      code: 'auth_failed',
      explanation: expect.stringMatching(/OAuth sign-in/) as unknown,
    });
  });

  it('the private-network rule', () => {
    expect(classifyFailure(new DiagnosisError('PRIVATE_NETWORK', 'x'), imap('dns')).code).toBe(
      'private_network_refused',
    );
  });

  it('never throws on odd input', () => {
    expect(classifyFailure('a string', imap('capabilities')).code).toBe('imap_unreachable');
    expect(classifyFailure(undefined, smtp('tls')).code).toBe('tls_error');
  });
});
