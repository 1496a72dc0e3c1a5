import { describe, expect, it } from 'vitest';
import { translateSmtpError } from './smtp-errors.js';

const smtpError = (fields: Record<string, unknown>) => Object.assign(new Error('smtp'), fields);

describe('translateSmtpError', () => {
  it('treats refused recipients, size and login as permanent', () => {
    expect(translateSmtpError(smtpError({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 <x@rig.test>: User unknown' }))).toMatchObject({
      code: 'recipient_rejected',
      permanent: true,
    });
    expect(translateSmtpError(smtpError({ code: 'EENVELOPE', responseCode: 553, command: 'RCPT TO' }))).toMatchObject({ code: 'recipient_rejected', permanent: true });
    expect(translateSmtpError(smtpError({ code: 'EMESSAGE', responseCode: 552, command: 'DATA' }))).toMatchObject({ code: 'message_too_large', permanent: true });
    expect(translateSmtpError(smtpError({ code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }))).toMatchObject({ code: 'auth_failed', permanent: true });
    expect(translateSmtpError(smtpError({ code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM' }))).toMatchObject({ code: 'sender_rejected', permanent: true });
  });

  it('keeps the server reply in the message for the user', () => {
    const failure = translateSmtpError(smtpError({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 User unknown' }));
    expect(failure.message).toContain('550 5.1.1 User unknown');
  });

  it('retries 4xx replies and network failures', () => {
    expect(translateSmtpError(smtpError({ code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO' }))).toMatchObject({ code: 'smtp_temporary', permanent: false });
    expect(translateSmtpError(smtpError({ code: 'EAUTH', responseCode: 454 }))).toMatchObject({ code: 'smtp_temporary', permanent: false });
    expect(translateSmtpError(smtpError({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }))).toMatchObject({ code: 'smtp_unreachable', permanent: false });
    expect(translateSmtpError(smtpError({ code: 'ETIMEDOUT' }))).toMatchObject({ code: 'smtp_unreachable', permanent: false });
    expect(translateSmtpError(smtpError({ code: 'ECONNECTION' }))).toMatchObject({ permanent: false });
    // 503 is a session-state problem, not a refusal of the message.
    expect(translateSmtpError(smtpError({ code: 'EPROTOCOL', responseCode: 503 }))).toMatchObject({ permanent: false });
  });

  it('reports certificate problems as TLS errors', () => {
    expect(translateSmtpError(smtpError({ code: 'ETLS' }))).toMatchObject({ code: 'tls_error' });
    expect(translateSmtpError(smtpError({ code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))).toMatchObject({ code: 'tls_error' });
  });
});
