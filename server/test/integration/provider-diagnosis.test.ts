// The step-by-step connection test against the rig's real Dovecot and Postfix: it passes with
// good credentials and fails at the right step, with the right code and explanation, for each
// thing an admin gets wrong. Probing fills in the right port and security for each listener.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import type { SecurityMode } from '../../src/domain/provider.js';
import {
  diagnoseProvider,
  verifyAccountCredentials,
  type Diagnosis,
} from '../../src/mail/diagnosis/diagnose.js';
import { probeServers } from '../../src/mail/diagnosis/probe.js';
import type { Step } from '../../src/mail/diagnosis/types.js';
import {
  createMailUser,
  getRig,
  issueAccessToken,
  printRigLogsOnFailure,
  type MailUser,
} from '../rig/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { dialects, type TestDialect } from '../support/database.js';
import { closedPort } from '../support/closed-port.js';

printRigLogsOnFailure();

const execFileAsync = promisify(execFile);

/** A loopback port with nothing listening on it. */
async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Answers like a minimal IMAP server that does not offer STARTTLS. */
function speakImapWithoutStarttls(socket: net.Socket) {
  socket.on('error', () => undefined);
  socket.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Fake IMAP ready\r\n');
  let buffer = '';
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const [tag = '*', command = ''] = buffer.slice(0, end).split(' ');
      buffer = buffer.slice(end + 2);
      if (command.toUpperCase() === 'CAPABILITY')
        socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
      else if (command.toUpperCase() === 'LOGOUT') socket.end(`* BYE bye\r\n${tag} OK done\r\n`);
      else socket.write(`${tag} BAD unknown command\r\n`);
    }
  });
}

/** A certificate nobody vouches for: self-signed, not issued by the test CA. */
async function selfSignedCertificate(): Promise<{ key: Buffer; cert: Buffer; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mailyard-selfsigned-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  return {
    key: await readFile(keyFile),
    cert: await readFile(certFile),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

const statuses = (steps: Step[]) => steps.map((s) => `${s.step}:${s.status}`);
const failedStep = (steps: Step[]) => steps.find((s) => s.status === 'failed');

interface Endpoints {
  imap: { host: string; port: number; security: SecurityMode };
  smtp: { host: string; port: number; security: SecurityMode };
}

function rigProvider(
  overrides: Partial<Endpoints> = {},
  extra: { allowReceive?: boolean; allowSend?: boolean } = {},
) {
  const rig = getRig();
  return {
    imap: { host: rig.imap.host, port: rig.imap.tlsPort, security: 'tls' as SecurityMode },
    smtp: { host: rig.smtp.host, port: rig.smtp.smtpsPort, security: 'tls' as SecurityMode },
    allowReceive: extra.allowReceive ?? true,
    allowSend: extra.allowSend ?? true,
    tlsFingerprint: null,
    ...overrides,
  };
}

describe('connection diagnosis against the rig', () => {
  let user: MailUser;
  let fakeImap: net.Server;
  let fakeImapPort: number;
  let untrusted: tls.Server;
  let untrustedPort: number;
  let cleanupCert: () => Promise<void>;

  beforeAll(async () => {
    user = await createMailUser();
    fakeImap = net.createServer(speakImapWithoutStarttls);
    fakeImapPort = await listen(fakeImap);
    const selfSigned = await selfSignedCertificate();
    cleanupCert = selfSigned.cleanup;
    untrusted = tls.createServer({ key: selfSigned.key, cert: selfSigned.cert }, speakImapWithoutStarttls);
    untrusted.on('tlsClientError', () => undefined);
    untrustedPort = await listen(untrusted);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => fakeImap.close(() => resolve()));
    await new Promise<void>((resolve) => untrusted.close(() => resolve()));
    await cleanupCert();
  });

  it('passes every step with good credentials, on implicit TLS and on STARTTLS', async () => {
    const rig = getRig();
    const credentials = { login: user.email, password: user.password };
    const tlsResult = await diagnoseProvider(rigProvider(), credentials);
    expect(statuses(tlsResult.imap.steps)).toEqual([
      'dns:ok',
      'tcp:ok',
      'tls:ok',
      'capabilities:ok',
      'auth:ok',
    ]);
    expect(statuses(tlsResult.smtp.steps)).toEqual([
      'dns:ok',
      'tcp:ok',
      'tls:ok',
      'capabilities:ok',
      'auth:ok',
    ]);
    expect(tlsResult.imap.ok && tlsResult.smtp.ok).toBe(true);
    expect(tlsResult.imap.steps.find((s) => s.step === 'capabilities')?.detail).toMatch(/IMAP4/);
    expect(tlsResult.imap.steps.find((s) => s.step === 'tls')?.detail).toMatch(/certificate for localhost/);

    const starttls = await diagnoseProvider(
      rigProvider({
        imap: { host: rig.imap.host, port: rig.imap.port, security: 'starttls' },
        smtp: { host: rig.smtp.host, port: rig.smtp.submissionPort, security: 'starttls' },
      }),
      credentials,
    );
    expect(statuses(starttls.imap.steps)).toEqual([
      'dns:ok',
      'tcp:ok',
      'starttls:ok',
      'capabilities:ok',
      'auth:ok',
    ]);
    expect(statuses(starttls.smtp.steps)).toEqual([
      'dns:ok',
      'tcp:ok',
      'starttls:ok',
      'capabilities:ok',
      'auth:ok',
    ]);
  });

  it('signs in with an OAuth access token (XOAUTH2) and rejects a bad one', async () => {
    const token = await issueAccessToken(user.email);
    const good = await diagnoseProvider(rigProvider(), { login: user.email, accessToken: token });
    expect(good.imap.ok && good.smtp.ok).toBe(true);
    const bad = await diagnoseProvider(rigProvider(), { login: user.email, accessToken: 'not-a-real-token' });
    expect(failedStep(bad.imap.steps)).toMatchObject({ step: 'auth', error: { code: 'auth_failed' } });
    expect(failedStep(bad.smtp.steps)).toMatchObject({ step: 'auth', error: { code: 'auth_failed' } });
  });

  it('a closed port fails at the TCP step', async () => {
    const port = await closedPort();
    const result = await diagnoseProvider(
      rigProvider({
        imap: { host: '127.0.0.1', port, security: 'tls' },
        smtp: { host: '127.0.0.1', port, security: 'starttls' },
      }),
    );
    expect(statuses(result.imap.steps)).toEqual([
      'dns:ok',
      'tcp:failed',
      'tls:skipped',
      'capabilities:skipped',
      'auth:skipped',
    ]);
    expect(failedStep(result.imap.steps)?.error).toMatchObject({
      code: 'imap_unreachable',
      explanation: expect.stringMatching(/nothing listens/) as unknown,
    });
    expect(failedStep(result.smtp.steps)?.error?.code).toBe('smtp_unreachable');
  });

  it('a name that does not exist fails at the DNS step', async () => {
    const result = await diagnoseProvider(
      rigProvider({ imap: { host: 'no-such-host.invalid', port: 993, security: 'tls' } }),
      undefined,
      { timeoutMs: 3000 },
    );
    expect(failedStep(result.imap.steps)).toMatchObject({ step: 'dns', error: { code: 'dns_failed' } });
  });

  it('TLS against a plain-text port fails at the TLS step, and says so', async () => {
    const rig = getRig();
    const result = await diagnoseProvider(
      rigProvider({
        imap: { host: rig.imap.host, port: rig.imap.port, security: 'tls' },
        smtp: { host: rig.smtp.host, port: rig.smtp.submissionPort, security: 'tls' },
      }),
    );
    for (const protocol of ['imap', 'smtp'] as const) {
      expect(failedStep(result[protocol].steps)).toMatchObject({
        step: 'tls',
        error: { code: 'tls_error', explanation: expect.stringMatching(/does not speak TLS/) as unknown },
      });
    }
  });

  it('STARTTLS or plain text against an implicit-TLS port fails and names the port’s TLS', async () => {
    const rig = getRig();
    const result = await diagnoseProvider(
      rigProvider({
        imap: { host: rig.imap.host, port: rig.imap.tlsPort, security: 'starttls' },
        smtp: { host: rig.smtp.host, port: rig.smtp.smtpsPort, security: 'none' },
      }),
      { login: user.email, password: user.password },
    );
    expect(failedStep(result.imap.steps)).toMatchObject({
      step: 'starttls',
      error: {
        code: 'tls_error',
        explanation: expect.stringMatching(/expects TLS from the first byte/) as unknown,
      },
    });
    expect(failedStep(result.smtp.steps)).toMatchObject({
      step: 'capabilities',
      error: {
        code: 'tls_error',
        explanation: expect.stringMatching(/expects TLS from the first byte/) as unknown,
      },
    });
  });

  it('an untrusted (self-signed) certificate fails at the TLS step', async () => {
    const result = await diagnoseProvider(
      rigProvider({ imap: { host: '127.0.0.1', port: untrustedPort, security: 'tls' } }),
    );
    expect(failedStep(result.imap.steps)).toMatchObject({
      step: 'tls',
      error: { code: 'tls_error', explanation: expect.stringMatching(/self-signed/) as unknown },
    });
  });

  it('a certificate for another name fails at the TLS step', async () => {
    const rig = getRig();
    // mail.example.test points at the rig, whose certificate names only localhost and 127.0.0.1
    const resolve = (host: string) => Promise.resolve(host === 'mail.example.test' ? ['127.0.0.1'] : [host]);
    const result = await diagnoseProvider(
      rigProvider({ imap: { host: 'mail.example.test', port: rig.imap.tlsPort, security: 'tls' } }),
      undefined,
      { resolve },
    );
    expect(failedStep(result.imap.steps)).toMatchObject({
      step: 'tls',
      error: {
        code: 'tls_error',
        explanation: expect.stringMatching(/another name \(localhost, 127\.0\.0\.1/) as unknown,
      },
    });
  });

  it('a pinned fingerprint accepts exactly that certificate, and no other', async () => {
    const rig = getRig();
    const pin = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: rig.imap.tlsPort }, () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.destroy();
      });
      socket.on('error', reject);
    });
    const resolve = (host: string) => Promise.resolve(host === 'mail.example.test' ? ['127.0.0.1'] : [host]);
    const pinned = await diagnoseProvider(
      {
        ...rigProvider({ imap: { host: 'mail.example.test', port: rig.imap.tlsPort, security: 'tls' } }),
        tlsFingerprint: pin,
      },
      undefined,
      { resolve },
    );
    expect(pinned.imap.ok).toBe(true);
    const other = await diagnoseProvider({ ...rigProvider(), tlsFingerprint: 'ab'.repeat(32) });
    expect(failedStep(other.imap.steps)).toMatchObject({
      step: 'tls',
      error: { code: 'tls_error', explanation: expect.stringMatching(/pinned/) as unknown },
    });
  });

  it('STARTTLS not offered fails at the STARTTLS step', async () => {
    const result = await diagnoseProvider(
      rigProvider({ imap: { host: '127.0.0.1', port: fakeImapPort, security: 'starttls' } }),
    );
    expect(failedStep(result.imap.steps)).toMatchObject({
      step: 'starttls',
      error: { code: 'starttls_unavailable' },
    });
  });

  it('a port without AUTH fails at the sign-in step with "AUTH mechanism missing"', async () => {
    const rig = getRig();
    const result = await diagnoseProvider(
      rigProvider({ smtp: { host: rig.smtp.host, port: rig.smtp.inboundPort, security: 'starttls' } }),
      { login: user.email, password: user.password },
    );
    expect(failedStep(result.smtp.steps)).toMatchObject({
      step: 'auth',
      error: {
        code: 'auth_mechanism_unavailable',
        explanation: expect.stringMatching(/submission port/) as unknown,
      },
    });
  });

  it('no encryption: IMAP signs in on loopback, SMTP offers no password sign-in before TLS', async () => {
    const rig = getRig();
    const result = await diagnoseProvider(
      rigProvider({
        imap: { host: rig.imap.host, port: rig.imap.port, security: 'none' },
        smtp: { host: rig.smtp.host, port: rig.smtp.submissionPort, security: 'none' },
      }),
      { login: user.email, password: user.password },
    );
    expect(statuses(result.imap.steps)).toEqual([
      'dns:ok',
      'tcp:ok',
      'tls:skipped',
      'capabilities:ok',
      'auth:ok',
    ]);
    expect(result.imap.steps.find((s) => s.step === 'tls')?.detail).toMatch(/clear text/);
    expect(failedStep(result.smtp.steps)).toMatchObject({
      step: 'auth',
      error: {
        code: 'auth_mechanism_unavailable',
        explanation: expect.stringMatching(/unencrypted connection/) as unknown,
      },
    });
  });

  it('a wrong password fails at the sign-in step', async () => {
    const result = await diagnoseProvider(rigProvider(), { login: user.email, password: 'wrong-password' });
    expect(statuses(result.imap.steps)).toEqual([
      'dns:ok',
      'tcp:ok',
      'tls:ok',
      'capabilities:ok',
      'auth:failed',
    ]);
    expect(failedStep(result.imap.steps)?.error).toMatchObject({
      code: 'auth_failed',
      explanation: expect.stringMatching(/rejected the login/) as unknown,
    });
    expect(failedStep(result.smtp.steps)?.error?.code).toBe('auth_failed');
  });

  it('verifyAccountCredentials resolves with the steps, or throws the first failure', async () => {
    const steps = await verifyAccountCredentials(rigProvider(), {
      login: user.email,
      password: user.password,
    });
    expect(steps.imap.every((s) => s.status === 'ok')).toBe(true);
    expect(steps.smtp.every((s) => s.status === 'ok')).toBe(true);

    const error = await verifyAccountCredentials(rigProvider(), {
      login: user.email,
      password: 'nope',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'auth_failed', details: { protocol: 'imap', step: 'auth' } });

    // sending turned off: SMTP is not tested at all
    const receiveOnly = await verifyAccountCredentials(
      rigProvider(
        { smtp: { host: '127.0.0.1', port: await closedPort(), security: 'tls' } },
        { allowSend: false },
      ),
      {
        login: user.email,
        password: user.password,
      },
    );
    expect(receiveOnly.smtp.every((s) => s.status === 'skipped')).toBe(true);
  });

  it('probing finds the right port and security for each listener', async () => {
    const rig = getRig();
    const probe = (imapPorts: number[], smtpPorts: number[]) =>
      probeServers(
        { imapHost: rig.imap.host, smtpHost: rig.smtp.host },
        { imapPorts, smtpPorts, timeoutMs: 3000 },
      );
    const implicit = await probe(
      [rig.imap.port, rig.imap.tlsPort],
      [rig.smtp.submissionPort, rig.smtp.smtpsPort],
    );
    expect(implicit.imap).toMatchObject({
      port: rig.imap.tlsPort,
      security: 'tls',
      authMechanisms: expect.arrayContaining(['PLAIN']) as unknown,
    });
    expect(implicit.smtp).toMatchObject({
      port: rig.smtp.smtpsPort,
      security: 'tls',
      authMechanisms: expect.arrayContaining(['PLAIN']) as unknown,
    });
    const starttls = await probe([rig.imap.port], [rig.smtp.submissionPort]);
    expect(starttls.imap).toMatchObject({
      port: rig.imap.port,
      security: 'starttls',
      capabilities: expect.arrayContaining(['IMAP4REV1']) as unknown,
    });
    expect(starttls.smtp).toMatchObject({
      port: rig.smtp.submissionPort,
      security: 'starttls',
      extensions: expect.arrayContaining(['PIPELINING']) as unknown,
    });
    const inbound = await probe([await closedPort()], [rig.smtp.inboundPort]);
    expect(inbound.imap).toBeUndefined();
    expect(inbound.attempts[0]?.error.code).toBe('imap_unreachable');
    expect(inbound.smtp).toMatchObject({
      port: rig.smtp.inboundPort,
      security: 'starttls',
      authMechanisms: [],
    });
  });
});

describe.each(dialects)('POST /providers/{id}/test on %s', (dialect: TestDialect) => {
  let t: TestApp;
  let user: MailUser;
  let counter = 0;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    user = await createMailUser();
  });
  afterAll(async () => {
    await t?.close();
  });

  const createProvider = async (endpoints: Partial<Endpoints> = {}) => {
    const { imap, smtp } = rigProvider(endpoints);
    counter += 1;
    return t.admin
      .post<{ id: string }>('/api/v1/providers', { name: `Rig ${dialect} ${counter}`, imap, smtp })
      .expect(201);
  };

  it('reports every step with its timing; a failed test is still a 200', async () => {
    const provider = await createProvider();
    const good = await t.admin
      .post<Diagnosis>(`/api/v1/providers/${provider.id}/test`, {
        login: user.email,
        password: user.password,
      })
      .expect(200);
    expect(good.imap.ok && good.smtp.ok).toBe(true);
    expect(good.imap.steps.every((s) => s.status === 'ok' && typeof s.ms === 'number')).toBe(true);

    const bad = await t.admin
      .post<Diagnosis>(`/api/v1/providers/${provider.id}/test`, { login: user.email, password: 'wrong' })
      .expect(200);
    expect(bad.imap.ok).toBe(false);
    expect(failedStep(bad.imap.steps)).toMatchObject({ step: 'auth', error: { code: 'auth_failed' } });

    const noCredentials = await t.admin
      .post<Diagnosis>(`/api/v1/providers/${provider.id}/test`, {})
      .expect(200);
    expect(noCredentials.imap.steps.find((s) => s.step === 'auth')?.status).toBe('skipped');
    expect(noCredentials.imap.ok).toBe(true);
  });

  it('is for admins, needs an existing provider, and a password with a login', async () => {
    const provider = await createProvider();
    const member = await t.createUser();
    await member.post(`/api/v1/providers/${provider.id}/test`, {}).expectError(403, 'forbidden');
    await t.admin.post('/api/v1/providers/no-such-provider/test', {}).expectError(404, 'not_found');
    await t.admin
      .post(`/api/v1/providers/${provider.id}/test`, { login: user.email })
      .expectError(400, 'validation_failed');
    await t.admin
      .post(`/api/v1/providers/${provider.id}/test`, { password: 'x', extra: 1 })
      .expectError(400, 'validation_failed');
  });

  it('never echoes the test password in the answer or the logs', async () => {
    const provider = await createProvider();
    const secret = 'Sup3r-secret-test-password';
    const response = await t.admin.request('POST', `/api/v1/providers/${provider.id}/test`, {
      login: user.email,
      password: secret,
    });
    expect(response.text).not.toContain(secret);
    expect(t.logLines.join('\n')).not.toContain(secret);
  });
});
