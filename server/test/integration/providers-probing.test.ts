// Creating a provider from its two hosts alone: ports and security come from probing the real
// Dovecot and Postfix. The rig listens on high loopback ports, so the probe's candidate ports
// (993/143 and 465/587 in production) are pointed at the rig's listeners.
import { afterEach, describe, expect, it } from 'vitest';
import { getRig } from '../rig/index.js';
import { dialects, type TestDialect } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import type { Provider } from '../../src/domain/provider.js';
import { closedPort } from '../support/closed-port.js';

/** A loopback port with nothing listening on it. */
describe.each(dialects)('provider probing on %s', (dialect: TestDialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const start = (imapPorts: number[], smtpPorts: number[]) =>
    startTestApp(dialect, {
      configure: (c) => ({ ...c, detection: { ...c.detection, imapPorts, smtpPorts } }),
    });

  it('fills in implicit TLS when the servers offer it, preferring it over STARTTLS', async () => {
    const rig = getRig();
    t = await start([rig.imap.port, rig.imap.tlsPort], [rig.smtp.submissionPort, rig.smtp.smtpsPort]);
    const provider = await t.admin
      .post<Provider>('/api/v1/providers', { imap: { host: rig.imap.host }, smtp: { host: rig.smtp.host } })
      .expect(201);
    expect(provider.imap).toEqual({ host: '127.0.0.1', port: rig.imap.tlsPort, security: 'tls' });
    expect(provider.smtp).toEqual({ host: '127.0.0.1', port: rig.smtp.smtpsPort, security: 'tls' });
  });

  it('fills in STARTTLS for listeners that speak plain text first', async () => {
    const rig = getRig();
    t = await start([await closedPort(), rig.imap.port], [await closedPort(), rig.smtp.submissionPort]);
    const provider = await t.admin
      .post<Provider>('/api/v1/providers', { imap: { host: rig.imap.host }, smtp: { host: rig.smtp.host } })
      .expect(201);
    expect(provider.imap).toEqual({ host: '127.0.0.1', port: rig.imap.port, security: 'starttls' });
    expect(provider.smtp).toEqual({ host: '127.0.0.1', port: rig.smtp.submissionPort, security: 'starttls' });
  });

  it('falls back to 993 and 465 with TLS when nothing answers, and probes only the side left open', async () => {
    const rig = getRig();
    t = await start([await closedPort()], [rig.smtp.smtpsPort]);
    const fallback = await t.admin
      .post<Provider>('/api/v1/providers', {
        name: 'Nothing answers',
        imap: { host: rig.imap.host },
        smtp: { host: 'localhost', port: 2525, security: 'starttls' },
      })
      .expect(201);
    expect(fallback.imap).toEqual({ host: '127.0.0.1', port: 993, security: 'tls' });
    expect(fallback.smtp).toEqual({ host: 'localhost', port: 2525, security: 'starttls' });
  });
});
