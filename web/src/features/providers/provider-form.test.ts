import { describe, expect, it } from 'vitest';
import {
  initialProviderFormValues,
  toProviderInput,
  withPort,
  withSecurity,
  type EndpointValues,
} from './provider-form.js';
import type { Provider } from './providers.api.js';

const auto: EndpointValues = { host: 'imap.example.com', port: 'auto', customPort: '', security: 'auto' };

const provider: Provider = {
  id: 'p1',
  name: 'Example',
  serviceType: 'imap',
  imap: { host: 'imap.example.com', port: 10993, security: 'tls' },
  smtp: { host: 'smtp.example.com', port: 465, security: 'tls' },
  loginFormat: 'email',
  auth: {
    method: 'oauth2',
    clientId: 'id',
    authorizationUrl: 'https://a/x',
    tokenUrl: 'https://a/t',
    scopes: ['a', 'b'],
    hasClientSecret: true,
  },
  domains: ['example.com'],
  allowReceive: true,
  allowSend: false,
  trusted: true,
  tlsFingerprint: null,
  notes: null,
};

describe('provider form', () => {
  it('sends only the two hosts when ports and security are left to detection', () => {
    const values = {
      ...initialProviderFormValues(),
      imap: auto,
      smtp: { ...auto, host: 'smtp.example.com' },
    };
    expect(toProviderInput(values)).toEqual({
      serviceType: 'imap',
      imap: { host: 'imap.example.com' },
      smtp: { host: 'smtp.example.com' },
      loginFormat: 'email',
      auth: { method: 'basic' },
      domains: [],
      allowReceive: true,
      allowSend: true,
      tlsFingerprint: null,
      notes: null,
    });
  });

  it('pairs well-known ports with their security, as the seed drop-downs do', () => {
    expect(withPort('imap', auto, '993')).toMatchObject({ port: '993', security: 'tls' });
    expect(withPort('imap', auto, '143')).toMatchObject({ port: '143', security: 'starttls' });
    expect(withPort('smtp', auto, '465')).toMatchObject({ port: '465', security: 'tls' });
    expect(withPort('smtp', { ...auto, port: '465', security: 'none' }, '587')).toMatchObject({
      port: '587',
      security: 'none',
    });
    expect(withSecurity('smtp', { ...auto, port: '587', security: 'starttls' }, 'tls')).toMatchObject({
      port: '465',
      security: 'tls',
    });
    expect(
      withSecurity('imap', { ...auto, port: 'custom', customPort: '1143', security: 'tls' }, 'starttls'),
    ).toMatchObject({ port: 'custom', customPort: '1143' });
  });

  it('shows a custom port as "Other port" and keeps the stored client secret unless a new one is typed', () => {
    const values = initialProviderFormValues(provider);
    expect(values.imap).toEqual({
      host: 'imap.example.com',
      port: 'custom',
      customPort: '10993',
      security: 'tls',
    });
    const input = toProviderInput(values);
    expect(input.imap).toEqual({ host: 'imap.example.com', port: 10993, security: 'tls' });
    expect(input.auth).toEqual({
      method: 'oauth2',
      clientId: 'id',
      authorizationUrl: 'https://a/x',
      tokenUrl: 'https://a/t',
      scopes: ['a', 'b'],
    });
    expect(toProviderInput({ ...values, clientSecret: 'new' }).auth?.clientSecret).toBe('new');
  });
});
