// Detection of a provider from an address, through the API, against a DNS server and an
// autoconfig web server that this file runs on loopback, and the rig's real Dovecot/Postfix for
// probing. Every source of the order in docs/product.md "Detection" is shown winning in its turn.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRig } from '../rig/index.js';
import { dialects, type TestDialect } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { TestDnsServer } from '../support/dns-server.js';
import type { DetectionResult } from '../../src/services/detection/types.js';
import type { Config } from '../../src/config.js';

const autoconfigXml = (host: string) => `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${host}">
    <displayName>Autoconfigured Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.${host}</hostname><port>993</port><socketType>SSL</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILLOCALPART%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.${host}</hostname><port>465</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>`;

/** Serves autoconfig documents by Host header, the way a provider's web server would. */
async function startAutoconfigServer() {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    requests.push(`${host}${req.url ?? ''}`);
    const path = (req.url ?? '').split('?')[0];
    if (host === 'autoconfig.auto.test' && path === '/mail/config-v1.1.xml') {
      res.writeHead(200, { 'content-type': 'application/xml' }).end(autoconfigXml('auto.test'));
    } else if (host === 'wellknown.test' && path === '/.well-known/autoconfig/mail/config-v1.1.xml') {
      res.writeHead(200, { 'content-type': 'application/xml' }).end(autoconfigXml('wellknown.test'));
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const loopback = { A: ['127.0.0.1'] };

async function zones(dns: TestDnsServer) {
  dns.set('acme.test', {
    MX: [
      { exchange: 'alt1.aspmx.l.google.com', priority: 5 },
      { exchange: 'aspmx.l.google.com', priority: 1 },
    ],
  });
  dns.set('contoso.test', { MX: [{ exchange: 'contoso-test.mail.protection.outlook.com', priority: 0 }] });
  dns.set('cached.test', { MX: [{ exchange: 'aspmx.l.google.com', priority: 1 }] });
  // yahoo.com is in the catalogue: its MX must not even be asked for
  dns.set('yahoo.com', { MX: [{ exchange: 'aspmx.l.google.com', priority: 1 }] });
  dns.set('autoconfig.auto.test', loopback);
  // auto.test publishes SRV too: autoconfig comes first
  dns.set('auto.test', { MX: [{ exchange: 'mx.auto.test', priority: 10 }] });
  dns.set('_imaps._tcp.auto.test', {
    SRV: [{ target: 'srv-imap.auto.test', port: 993, priority: 0, weight: 1 }],
  });
  dns.set('_submissions._tcp.auto.test', {
    SRV: [{ target: 'srv-smtp.auto.test', port: 465, priority: 0, weight: 1 }],
  });
  dns.set('wellknown.test', loopback);
  dns.set('srv.test', { MX: [{ exchange: 'mx.srv.test', priority: 10 }] });
  dns.set('_imaps._tcp.srv.test', {
    SRV: [
      { target: 'backup-imap.srv.test', port: 993, priority: 20, weight: 1 },
      { target: 'imap.srv.test', port: 993, priority: 10, weight: 1 },
    ],
  });
  dns.set('_submissions._tcp.srv.test', { SRV: [{ target: '.', port: 0, priority: 0, weight: 0 }] });
  dns.set('_submission._tcp.srv.test', {
    SRV: [{ target: 'smtp.srv.test', port: 587, priority: 0, weight: 0 }],
  });
  // probing: only the bare name exists, on loopback, where the rig's certificate is valid for "localhost"
  dns.set('localhost', loopback);
  return Promise.resolve();
}

function detectionConfig(dns: TestDnsServer, autoconfigPort: number, allowPrivateNetworks: boolean) {
  const rig = getRig();
  return (c: Config): Config => ({
    ...c,
    allowPrivateNetworks,
    detection: {
      ...c.detection,
      dnsServers: [dns.address],
      stepTimeoutMs: 1500,
      budgetMs: 6000,
      autoconfig: { scheme: 'http', port: autoconfigPort },
      imapPorts: [rig.imap.tlsPort, rig.imap.port],
      smtpPorts: [rig.smtp.smtpsPort, rig.smtp.submissionPort],
    },
  });
}

const detect = (t: TestApp, email: string) =>
  t.admin.get<DetectionResult>(`/api/v1/providers/detect?email=${encodeURIComponent(email)}`).expect(200);

describe.each(dialects)('provider detection on %s', (dialect: TestDialect) => {
  let t: TestApp;
  let dns: TestDnsServer;
  let web: Awaited<ReturnType<typeof startAutoconfigServer>>;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    await zones(dns);
    web = await startAutoconfigServer();
    t = await startTestApp(dialect, { configure: detectionConfig(dns, web.port, true) });
  });
  afterAll(async () => {
    await t?.close();
    await web?.close();
    await dns?.close();
  });

  it('1. the domain lookup wins over the catalogue', async () => {
    const rig = getRig();
    const provider = await t.admin
      .post<{ id: string }>('/api/v1/providers', {
        name: `Company Gmail ${dialect}`,
        imap: { host: rig.imap.host, port: rig.imap.tlsPort, security: 'tls' },
        smtp: { host: rig.smtp.host, port: rig.smtp.smtpsPort, security: 'tls' },
        domains: ['googlemail.com'],
        notes: 'Use your company password',
      })
      .expect(201);
    const user = await t.createUser();
    const result = await user
      .get<DetectionResult>('/api/v1/providers/detect?email=Jane@GoogleMail.com')
      .expect(200);
    expect(result).toMatchObject({
      source: 'lookup',
      providerId: provider.id,
      provider: { imap: { host: '127.0.0.1', port: rig.imap.tlsPort, security: 'tls' } },
      notes: ['Use your company password'],
    });
  });

  it('2. the catalogue wins over MX records, which are not even asked for', async () => {
    const result = await detect(t, 'someone@yahoo.com');
    expect(result).toMatchObject({
      source: 'catalogue',
      catalogueId: 'yahoo',
      provider: {
        imap: { host: 'imap.mail.yahoo.com', port: 993, security: 'tls' },
        smtp: { host: 'smtp.mail.yahoo.com', port: 465, security: 'tls' },
      },
    });
    expect(result.notes?.join(' ')).toMatch(/app password/i);
    expect(dns.queriesFor('yahoo.com')).toEqual([]);
  });

  it('3. MX records find Google Workspace and Microsoft 365 on custom domains', async () => {
    const google = await detect(t, 'ceo@acme.test');
    expect(google).toMatchObject({
      source: 'mx',
      catalogueId: 'google',
      provider: {
        imap: { host: 'imap.gmail.com', port: 993, security: 'tls' },
        auth: {
          method: 'oauth2',
          tokenUrl: 'https://oauth2.googleapis.com/token',
          scopes: ['https://mail.google.com/'],
        },
      },
    });
    const microsoft = await detect(t, 'it@contoso.test');
    expect(microsoft).toMatchObject({
      source: 'mx',
      catalogueId: 'microsoft365',
      provider: { smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' } },
    });
  });

  it('4. autoconfig at autoconfig.<domain> wins over SRV, and the well-known URL works too', async () => {
    const result = await detect(t, 'joe@auto.test');
    expect(result).toMatchObject({
      source: 'autoconfig',
      provider: {
        name: 'Autoconfigured Mail',
        imap: { host: 'imap.auto.test', port: 993, security: 'tls' },
        smtp: { host: 'smtp.auto.test', port: 465, security: 'tls' },
        loginFormat: 'localPart',
      },
    });
    expect(web.requests).toContain('autoconfig.auto.test/mail/config-v1.1.xml?emailaddress=joe%40auto.test');
    const wellKnown = await detect(t, 'ann@wellknown.test');
    expect(wellKnown).toMatchObject({
      source: 'autoconfig',
      provider: { imap: { host: 'imap.wellknown.test' } },
    });
  });

  it('5. SRV records: lowest priority first, "." means not offered', async () => {
    const result = await detect(t, 'bob@srv.test');
    expect(result).toMatchObject({
      source: 'srv',
      provider: {
        imap: { host: 'imap.srv.test', port: 993, security: 'tls' },
        smtp: { host: 'smtp.srv.test', port: 587, security: 'starttls' },
      },
    });
    expect(result.attempts.map((a) => `${a.source}:${a.outcome}`)).toEqual([
      'lookup:miss',
      'catalogue:miss',
      'mx:miss',
      'autoconfig:miss',
      'srv:hit',
    ]);
  });

  it('6. probing reaches the real Dovecot and Postfix and prefers implicit TLS', async () => {
    const rig = getRig();
    const result = await detect(t, 'someone@localhost');
    expect(result).toMatchObject({
      source: 'probe',
      provider: {
        imap: { host: 'localhost', port: rig.imap.tlsPort, security: 'tls' },
        smtp: { host: 'localhost', port: rig.smtp.smtpsPort, security: 'tls' },
      },
    });
  });

  it('caches a domain’s answer: the second detection asks DNS nothing', async () => {
    const first = await detect(t, 'a@cached.test');
    const queries = dns.queriesFor('cached.test').length;
    expect(queries).toBeGreaterThan(0);
    const second = await detect(t, 'b@cached.test');
    expect(second.source).toBe('mx');
    expect(second.provider).toEqual(first.provider);
    expect(dns.queriesFor('cached.test')).toHaveLength(queries);
  });

  it('a DNS server that never answers: detection ends within its budget and says which steps timed out', async () => {
    dns.silent = true;
    try {
      const result = await detect(t, 'who@silent.test');
      expect(result.source).toBe('none');
      const outcomes = result.attempts
        .filter((a) => a.source !== 'lookup' && a.source !== 'catalogue')
        .map((a) => a.outcome);
      expect(
        outcomes.every((o) => o === 'timeout' || o === 'skipped'),
        JSON.stringify(result.attempts),
      ).toBe(true);
      expect(result.attempts.find((a) => a.source === 'mx')).toMatchObject({
        outcome: 'timeout',
        code: 'dns_failed',
      });
      expect(result.notes?.join(' ')).toMatch(/timed out/);
    } finally {
      dns.silent = false;
    }
    // a timeout is not cached: with DNS back, the next try finds the answer
    dns.set('silent.test', { MX: [{ exchange: 'aspmx.l.google.com', priority: 1 }] });
    expect((await detect(t, 'who@silent.test')).source).toBe('mx');
  });

  it('rejects a malformed address and unauthenticated callers', async () => {
    for (const email of [
      'not-an-address',
      'a@',
      '@example.com',
      'a b@example.com',
      'a@exa mple.com',
      'a@1.2.3.4',
    ]) {
      const error = await t.admin
        .get(`/api/v1/providers/detect?email=${encodeURIComponent(email)}`)
        .expectError(400, 'validation_failed');
      expect(error.details).toMatchObject({ fields: { email: expect.any(String) as unknown } });
    }
    await t.admin.get('/api/v1/providers/detect').expectError(400, 'validation_failed');
    await t.client().get('/api/v1/providers/detect?email=a@example.com').expectError(401, 'unauthenticated');
  });

  it('lists the catalogue for signed-in users', async () => {
    const user = await t.createUser();
    const { items } = await user
      .get<{ items: { id: string; oauth?: { authorizationUrl: string; scopes: string[] } }[] }>(
        '/api/v1/providers/catalogue',
      )
      .expect(200);
    const ids = items.map((i) => i.id);
    for (const id of [
      'google',
      'outlook',
      'microsoft365',
      'yahoo',
      'icloud',
      'fastmail',
      'zoho',
      'gmx',
      'aol',
      'yandex',
      'proton-bridge',
    ])
      expect(ids).toContain(id);
    expect(items.find((i) => i.id === 'microsoft365')?.oauth).toMatchObject({
      authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      scopes: [
        'https://outlook.office.com/IMAP.AccessAsUser.All',
        'https://outlook.office.com/SMTP.Send',
        'offline_access',
      ],
    });
    await t.client().get('/api/v1/providers/catalogue').expectError(401, 'unauthenticated');
    const openapi = await t.admin.get<{ paths: Record<string, unknown> }>('/api/v1/openapi.json').expect(200);
    for (const route of [
      '/api/v1/providers/catalogue',
      '/api/v1/providers/detect',
      '/api/v1/providers/{id}/test',
    ])
      expect(Object.keys(openapi.paths)).toContain(route);
  });
});

describe('the private-network rule', () => {
  let dns: TestDnsServer;
  let web: Awaited<ReturnType<typeof startAutoconfigServer>>;
  let t: TestApp;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    await zones(dns);
    web = await startAutoconfigServer();
    t = await startTestApp('sqlite', { configure: detectionConfig(dns, web.port, false) });
  });
  afterAll(async () => {
    await t?.close();
    await web?.close();
    await dns?.close();
  });

  it('refuses to fetch autoconfig from or probe a domain that resolves to 127.0.0.1, and moves on', async () => {
    const user = await t.createUser();
    const probe = await user
      .get<DetectionResult>('/api/v1/providers/detect?email=someone@localhost')
      .expect(200);
    expect(probe.source).toBe('none');
    expect(probe.attempts.find((a) => a.source === 'probe')).toMatchObject({
      outcome: 'refused',
      code: 'private_network_refused',
    });
    expect(probe.notes?.join(' ')).toMatch(/private network/);

    const auto = await user.get<DetectionResult>('/api/v1/providers/detect?email=joe@auto.test').expect(200);
    expect(auto.attempts.find((a) => a.source === 'autoconfig')).toMatchObject({
      outcome: 'refused',
      code: 'private_network_refused',
    });
    // detection went on to the next source, which needs no connection
    expect(auto.source).toBe('srv');
    expect(web.requests).toEqual([]);
  });
});
