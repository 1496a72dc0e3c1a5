import { describe, expect, it } from 'vitest';
import { AuthenticationFailure } from 'imapflow';
import { classifyImapError, ImapTimeoutError } from './errors.js';

describe('classifyImapError', () => {
  it('tells a rejected login from everything else by code, not text', () => {
    expect(
      classifyImapError(Object.assign(new AuthenticationFailure('whatever'), { authenticationFailed: true })),
    ).toMatchObject({ kind: 'auth', code: 'auth_failed' });
    expect(classifyImapError({ serverResponseCode: 'AUTHENTICATIONFAILED' })).toMatchObject({ kind: 'auth' });
    expect(classifyImapError({ code: 'CERT_HAS_EXPIRED' })).toMatchObject({ kind: 'tls', code: 'tls_error' });
    expect(classifyImapError({ code: 'ECONNREFUSED', message: 'authentication failed' })).toMatchObject({
      kind: 'temporary',
      code: 'imap_unreachable',
    });
    expect(classifyImapError(new ImapTimeoutError('silent'))).toMatchObject({ kind: 'temporary' });
    expect(classifyImapError({ responseStatus: 'NO', command: 'SELECT' })).toMatchObject({ kind: 'command' });
    expect(classifyImapError('???')).toMatchObject({ kind: 'temporary' });
  });
});
