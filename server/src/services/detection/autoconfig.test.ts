import { describe, expect, it } from 'vitest';
import { parseAutoconfig } from './autoconfig.js';

const config = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.com">
    <domain>example.com</domain>
    <displayName>Example Mail</displayName>
    ${body}
  </emailProvider>
</clientConfig>`;

describe('autoconfig XML', () => {
  it('reads the preferred IMAP and SMTP servers, in document order', () => {
    const xml = config(`
      <incomingServer type="pop3"><hostname>pop.example.com</hostname><port>995</port><socketType>SSL</socketType></incomingServer>
      <incomingServer type="imap">
        <hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>
        <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
      </incomingServer>
      <incomingServer type="imap"><hostname>imap2.example.com</hostname><port>143</port><socketType>STARTTLS</socketType></incomingServer>
      <outgoingServer type="smtp">
        <hostname>smtp.example.com</hostname><port>587</port><socketType>STARTTLS</socketType>
        <username>%EMAILADDRESS%</username>
      </outgoingServer>`);
    expect(parseAutoconfig(xml, 'jane@example.com')).toEqual({
      name: 'Example Mail',
      imap: { host: 'imap.example.com', port: 993, security: 'tls' },
      smtp: { host: 'smtp.example.com', port: 587, security: 'starttls' },
      loginFormat: 'email',
      auth: { method: 'basic' },
    });
  });

  it('maps %EMAILLOCALPART% to the local-part login format and reads OAuth endpoints', () => {
    const xml = `<clientConfig version="1.1"><emailProvider id="x.test">
      <incomingServer type="imap"><hostname>imap.x.test</hostname><port>993</port><socketType>SSL</socketType>
        <authentication>OAuth2</authentication><authentication>password-cleartext</authentication><username>%EMAILLOCALPART%</username></incomingServer>
      <outgoingServer type="smtp"><hostname>smtp.x.test</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
      </emailProvider>
      <oAuth2><issuer>x.test</issuer><scope>mail offline</scope><authURL>https://login.x.test/auth</authURL><tokenURL>https://login.x.test/token</tokenURL></oAuth2>
      </clientConfig>`;
    const parsed = parseAutoconfig(xml, 'joe@x.test');
    expect(parsed?.loginFormat).toBe('localPart');
    expect(parsed?.auth).toEqual({
      method: 'oauth2',
      authorizationUrl: 'https://login.x.test/auth',
      tokenUrl: 'https://login.x.test/token',
      scopes: ['mail', 'offline'],
    });
  });

  it('skips servers with an unknown socket type, a bad port or a bad host name', () => {
    const xml = config(`
      <incomingServer type="imap"><hostname>imap.example.com</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>
      <incomingServer type="imap"><hostname>imap@example.com</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
      <incomingServer type="imap"><hostname>imap.example.com</hostname><port>993</port><socketType>QUANTUM</socketType></incomingServer>
      <incomingServer type="imap"><hostname>good.example.com</hostname><port>143</port><socketType>plain</socketType></incomingServer>
      <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>`);
    expect(parseAutoconfig(xml, 'a@example.com')?.imap).toEqual({
      host: 'good.example.com',
      port: 143,
      security: 'none',
    });
  });

  it('rejects documents that are not autoconfig or lack a server', () => {
    expect(parseAutoconfig('<html><body>Not found</body></html>', 'a@example.com')).toBeUndefined();
    expect(parseAutoconfig('not xml at all <<<', 'a@example.com')).toBeUndefined();
    expect(
      parseAutoconfig(
        config(
          '<incomingServer type="imap"><hostname>i.example.com</hostname><port>993</port><socketType>SSL</socketType></incomingServer>',
        ),
        'a@example.com',
      ),
    ).toBeUndefined();
  });
});
