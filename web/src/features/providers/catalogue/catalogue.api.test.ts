import { describe, expect, it } from 'vitest';
import { needsOAuthClient, providerFromEntry, type CatalogueEntry } from './catalogue.api.js';

const entry = (over: Partial<CatalogueEntry> = {}): CatalogueEntry => ({
  id: 'example',
  name: 'Example Mail',
  domains: ['example.com'],
  mxPatterns: [],
  imap: { host: 'imap.example.com', port: 993, security: 'tls' },
  smtp: { host: 'smtp.example.com', port: 465, security: 'tls' },
  loginFormat: 'email',
  authMethods: ['basic'],
  notes: ['Needs an app password.', 'Enable IMAP first.'],
  ...over,
});

describe('turning a catalogue entry into a provider', () => {
  it('keeps servers, login format, domains and notes, with password sign-in', () => {
    expect(providerFromEntry(entry())).toEqual({
      name: 'Example Mail',
      serviceType: 'imap',
      imap: { host: 'imap.example.com', port: 993, security: 'tls' },
      smtp: { host: 'smtp.example.com', port: 465, security: 'tls' },
      loginFormat: 'email',
      auth: { method: 'basic' },
      domains: ['example.com'],
      notes: 'Needs an app password. Enable IMAP first.',
    });
  });

  it('uses OAuth with the entry’s endpoints when the admin gives a client', () => {
    const oauth = {
      authorizationUrl: 'https://login.example.com/auth',
      tokenUrl: 'https://login.example.com/token',
      scopes: ['mail'],
    };
    const ms = entry({ authMethods: ['oauth2'], oauth });
    expect(needsOAuthClient(ms)).toBe(true);
    expect(needsOAuthClient(entry())).toBe(false);
    expect(providerFromEntry(ms, { clientId: 'id', clientSecret: 'secret' }).auth).toEqual({
      method: 'oauth2',
      clientId: 'id',
      clientSecret: 'secret',
      ...oauth,
    });
  });
});
