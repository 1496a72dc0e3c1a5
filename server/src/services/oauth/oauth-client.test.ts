import { ClientError, ResponseBodyError } from 'openid-client';
import { describe, expect, it } from 'vitest';
import { issuerCandidates, translate } from './oauth-client.js';

const bodyError = (body: Record<string, string>, status: number) =>
  new ResponseBodyError('refused', {
    cause: { error: body.error ?? 'x', ...body },
    response: new Response(JSON.stringify(body), { status }),
  });

describe('OAuth client', () => {
  it('finds the OpenID issuer of Google, Microsoft tenants and plain servers', () => {
    expect(issuerCandidates('https://accounts.google.com/o/oauth2/v2/auth')).toEqual([
      'https://accounts.google.com',
    ]);
    expect(issuerCandidates('https://login.microsoftonline.com/common/oauth2/v2.0/authorize')).toEqual([
      'https://login.microsoftonline.com/common/v2.0',
      'https://login.microsoftonline.com',
    ]);
    expect(issuerCandidates('https://127.0.0.1:4443/auth')).toEqual(['https://127.0.0.1:4443']);
  });

  it('turns provider errors into reasons callers act on', () => {
    expect(translate(bodyError({ error: 'invalid_client' }, 401)).reason).toBe('invalid_client');
    expect(
      translate(bodyError({ error: 'invalid_grant', error_description: 'grant request is invalid' }, 400)),
    ).toMatchObject({
      reason: 'invalid_grant',
      providerError: 'invalid_grant',
    });
    expect(translate(bodyError({ error: 'server_error' }, 500)).reason).toBe('unreachable');
    expect(translate(bodyError({ error: 'invalid_scope' }, 400)).reason).toBe('protocol');
    expect(translate(new ClientError('unexpected JWT "iss"')).reason).toBe('protocol');
    expect(translate(new TypeError('fetch failed')).reason).toBe('unreachable');
  });
});
