// The step-by-step connection test of a provider: for IMAP and SMTP each, DNS → TCP connect →
// TLS (implicit) or STARTTLS → capabilities → authentication (with test credentials only).
// Every step records its outcome, its timing and, on failure, a code and an explanation; the
// first failed step ends the protocol's test and the later steps are "skipped".
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { AppError } from '../../domain/errors.js';
import type { SecurityMode } from '../../domain/provider.js';
import { classifyFailure } from './classify.js';
import { connectAny, systemResolve } from './probe.js';
import { tlsClientOptions } from './tls-options.js';
import {
  DiagnosisError,
  type Credentials,
  type Endpoint,
  type Protocol,
  type ResolveHost,
  type Step,
  type StepName,
} from './types.js';
import {
  Conversation,
  ImapSession,
  SmtpSession,
  describeTls,
  imapGreetingAndCapabilities,
  speaksTls,
  upgradeToTls,
} from './wire.js';

export const defaultDiagnosisTimeoutMs = 8000;

export interface DiagnoseOptions {
  /** limit for each network step */
  timeoutMs?: number;
  resolve?: ResolveHost;
  /**
   * Leave out every `detail` and never quote the server in explanations: for answers to a user
   * about a server the user chose (an untrusted provider), so banners of whatever listens there
   * are not handed back (no port scanner). The step, its status and the plain explanation stay.
   */
  redactServerText?: boolean;
}

/** What a diagnosis needs of a provider (domain/provider.ts `Provider` fits). */
export interface DiagnosableProvider {
  imap: Endpoint;
  smtp: Endpoint;
  allowReceive: boolean;
  allowSend: boolean;
  tlsFingerprint?: string | null;
}

export interface ProtocolDiagnosis {
  ok: boolean;
  steps: Step[];
}

export interface Diagnosis {
  imap: ProtocolDiagnosis;
  smtp: ProtocolDiagnosis;
}

const stepsFor = (security: SecurityMode): StepName[] => [
  'dns',
  'tcp',
  security === 'starttls' ? 'starttls' : 'tls',
  'capabilities',
  'auth',
];

/** Runs steps in order, timing each; after a failure every later step is skipped. */
class StepRecorder {
  readonly steps: Step[] = [];
  private failed = false;

  constructor(
    private readonly protocol: Protocol,
    private readonly endpoint: Endpoint,
    private readonly oauth: boolean,
    private readonly redact: boolean,
  ) {}

  get ok(): boolean {
    return !this.failed;
  }

  async run<T>(
    step: StepName,
    work: () => Promise<T>,
    describe: (value: T) => string | undefined,
  ): Promise<T | undefined> {
    if (this.failed) return undefined;
    const started = performance.now();
    try {
      const value = await work();
      const detail = this.redact ? undefined : describe(value);
      this.steps.push({ step, status: 'ok', ms: elapsed(started), ...(detail !== undefined && { detail }) });
      return value;
    } catch (error) {
      this.failed = true;
      const { host, port, security } = this.endpoint;
      const explained = classifyFailure(error, {
        protocol: this.protocol,
        step,
        host,
        port,
        security,
        oauth: this.oauth,
        quoteServer: !this.redact,
      });
      const detail = this.redact ? undefined : errorDetail(error);
      this.steps.push({
        step,
        status: 'failed',
        ms: elapsed(started),
        ...(detail !== undefined && { detail }),
        error: explained,
      });
      return undefined;
    }
  }

  skip(step: StepName, detail: string): void {
    this.steps.push({ step, status: 'skipped', ms: 0, detail });
  }

  /** Marks every step not yet recorded as skipped. */
  finish(all: StepName[]): ProtocolDiagnosis {
    const done = new Set(this.steps.map((s) => s.step));
    for (const step of all) if (!done.has(step)) this.skip(step, 'Not run: an earlier step failed.');
    return { ok: !this.failed, steps: this.steps };
  }
}

const elapsed = (started: number) => Math.round(performance.now() - started);

function errorDetail(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message.slice(0, 300) : undefined;
  return [typeof e.code === 'string' ? e.code : undefined, message].filter(Boolean).join(': ') || undefined;
}

/**
 * Reads a greeting over plain text. A port that speaks implicit TLS waits silently for our
 * handshake, so after a short silence a TLS handshake is tried alongside: it turns a long
 * greeting timeout into a clear "this port expects TLS".
 */
async function greetPlain<T>(
  read: () => Promise<T>,
  checkTls: () => Promise<boolean>,
  patienceMs: number,
): Promise<T> {
  const reading = read();
  reading.catch(() => undefined);
  const settledEarly = await Promise.race([
    reading.then(
      () => true,
      () => true,
    ),
    sleep(patienceMs).then(() => false),
  ]);
  if (settledEarly) return reading;
  const tlsCheck = checkTls();
  const first = await Promise.race([
    reading.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    tlsCheck.then((tls) => ({ tls })),
  ]);
  if ('value' in first) return first.value;
  const expectsTls = () => new DiagnosisError('EXPECTS_IMPLICIT_TLS', 'The port expects implicit TLS');
  if ('tls' in first) {
    if (first.tls) throw expectsTls();
    return reading;
  }
  if (first.error instanceof DiagnosisError && first.error.code === 'GREETING_TIMEOUT' && (await tlsCheck))
    throw expectsTls();
  throw first.error;
}

export interface EndpointTest {
  protocol: Protocol;
  endpoint: Endpoint;
  fingerprint: string | null | undefined;
  credentials: Credentials | undefined;
  timeoutMs: number;
  resolve: ResolveHost;
  redactServerText?: boolean;
}

const passwordMechanisms = { imap: ['PLAIN', 'LOGIN'], smtp: ['PLAIN', 'LOGIN', 'CRAM-MD5'] };
const tokenMechanisms = { imap: ['XOAUTH2', 'OAUTHBEARER'], smtp: ['XOAUTH2'] };

function checkMechanisms(t: EndpointTest, offered: string[], imapLoginDisabled: boolean): void {
  if (!t.credentials) return;
  const usable =
    'accessToken' in t.credentials ? tokenMechanisms[t.protocol] : passwordMechanisms[t.protocol];
  // IMAP's own LOGIN command works without any AUTH= mechanism unless LOGINDISABLED is set.
  const imapLogin = t.protocol === 'imap' && !('accessToken' in t.credentials) && !imapLoginDisabled;
  if (imapLogin || offered.some((m) => usable.includes(m))) return;
  throw new DiagnosisError('AUTH_MECHANISM_MISSING', `None of ${usable.join(', ')} is offered`, { offered });
}

async function authenticateImap(t: EndpointTest, credentials: Credentials): Promise<void> {
  const { host, port, security } = t.endpoint;
  const client = new ImapFlow({
    host,
    port,
    secure: security === 'tls',
    doSTARTTLS: security === 'starttls' ? true : security === 'none' ? false : undefined,
    auth:
      'accessToken' in credentials
        ? { user: credentials.login, accessToken: credentials.accessToken }
        : { user: credentials.login, pass: credentials.password },
    tls: tlsClientOptions(host, t.fingerprint),
    logger: false,
    verifyOnly: true,
    disableAutoIdle: true,
    connectionTimeout: t.timeoutMs,
    greetingTimeout: t.timeoutMs,
    socketTimeout: t.timeoutMs * 2,
  });
  // Without a listener a late socket error would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } finally {
    client.close();
  }
}

async function authenticateSmtp(t: EndpointTest, credentials: Credentials): Promise<void> {
  const { host, port, security } = t.endpoint;
  const transport = nodemailer.createTransport({
    host,
    port,
    secure: security === 'tls',
    requireTLS: security === 'starttls',
    ignoreTLS: security === 'none',
    auth:
      'accessToken' in credentials
        ? { type: 'OAuth2', user: credentials.login, accessToken: credentials.accessToken }
        : { user: credentials.login, pass: credentials.password },
    tls: tlsClientOptions(host, t.fingerprint),
    connectionTimeout: t.timeoutMs,
    greetingTimeout: t.timeoutMs,
    socketTimeout: t.timeoutMs * 2,
    logger: false,
  });
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}

export async function diagnoseEndpoint(t: EndpointTest): Promise<ProtocolDiagnosis> {
  const { host, port, security } = t.endpoint;
  const oauth = t.credentials !== undefined && 'accessToken' in t.credentials;
  const rec = new StepRecorder(t.protocol, t.endpoint, oauth, t.redactServerText ?? false);
  const all = stepsFor(security);
  const target = { host, pinnedFingerprint: t.fingerprint };
  const patienceMs = Math.min(1000, Math.round(t.timeoutMs / 3));

  const addresses = await rec.run(
    'dns',
    () => t.resolve(host),
    (found) => (isIP(host) ? `${host} is an IP address: no lookup needed` : `${host} → ${found.join(', ')}`),
  );
  if (!addresses) return rec.finish(all);
  const connected = await rec.run(
    'tcp',
    () => connectAny(addresses, port, t.timeoutMs),
    (c) => `Connected to ${c.address} port ${port}`,
  );
  if (!connected) return rec.finish(all);
  const checkTls = () => speaksTls(connected.address, port, host, t.timeoutMs);

  let conversation: Conversation | undefined;
  try {
    let offered: string[] | undefined;
    let loginDisabled = false;
    if (t.protocol === 'imap') {
      let session: ImapSession | undefined;
      if (security === 'tls') {
        const secure = await rec.run(
          'tls',
          () => upgradeToTls(connected.socket, { ...target, timeoutMs: t.timeoutMs }),
          describeTls,
        );
        if (secure) session = new ImapSession((conversation = new Conversation(secure, t.timeoutMs)));
      } else {
        session = new ImapSession((conversation = new Conversation(connected.socket, t.timeoutMs)));
        if (security === 'starttls') {
          const s = session;
          await rec.run(
            'starttls',
            async () => {
              const before = await greetPlain(() => imapGreetingAndCapabilities(s), checkTls, patienceMs);
              await s.startTls(target, before);
            },
            () =>
              conversation?.tlsSocket
                ? `Upgraded with STARTTLS: ${describeTls(conversation.tlsSocket)}`
                : undefined,
          );
        } else {
          rec.skip('tls', 'Security is "none": the password crosses the network in clear text.');
        }
      }
      if (session && rec.ok) {
        const s = session;
        const caps = await rec.run(
          'capabilities',
          () =>
            security === 'starttls'
              ? s.capability()
              : security === 'none'
                ? greetPlain(() => imapGreetingAndCapabilities(s), checkTls, patienceMs)
                : imapGreetingAndCapabilities(s),
          (c) => c.capabilities.join(' '),
        );
        if (caps) {
          offered = caps.authMechanisms;
          loginDisabled = caps.loginDisabled;
          await s.logout();
        }
      }
    } else {
      let session: SmtpSession | undefined;
      if (security === 'tls') {
        const secure = await rec.run(
          'tls',
          () => upgradeToTls(connected.socket, { ...target, timeoutMs: t.timeoutMs }),
          describeTls,
        );
        if (secure) session = new SmtpSession((conversation = new Conversation(secure, t.timeoutMs)));
      } else {
        session = new SmtpSession((conversation = new Conversation(connected.socket, t.timeoutMs)));
        if (security === 'starttls') {
          const s = session;
          await rec.run(
            'starttls',
            async () => {
              await greetPlain(() => s.greeting(), checkTls, patienceMs);
              await s.startTls(target, await s.ehlo());
            },
            () =>
              conversation?.tlsSocket
                ? `Upgraded with STARTTLS: ${describeTls(conversation.tlsSocket)}`
                : undefined,
          );
        } else {
          rec.skip('tls', 'Security is "none": the password crosses the network in clear text.');
        }
      }
      if (session && rec.ok) {
        const s = session;
        const ext = await rec.run(
          'capabilities',
          async () => {
            if (security === 'none') await greetPlain(() => s.greeting(), checkTls, patienceMs);
            else if (security === 'tls') await s.greeting();
            return s.ehlo();
          },
          (e) => e.extensions.join(' '),
        );
        if (ext) {
          offered = ext.authMechanisms;
          await s.quit();
        }
      }
    }
    conversation?.close();
    conversation = undefined;
    if (!rec.ok || offered === undefined) return rec.finish(all);

    const credentials = t.credentials;
    if (!credentials) {
      rec.skip('auth', 'No test login given: sign-in was not checked.');
      return rec.finish(all);
    }
    const mechanisms = offered;
    await rec.run(
      'auth',
      async () => {
        checkMechanisms(t, mechanisms, loginDisabled);
        await (t.protocol === 'imap' ? authenticateImap(t, credentials) : authenticateSmtp(t, credentials));
      },
      () =>
        `Signed in as ${credentials.login}${'accessToken' in credentials ? ' with an OAuth access token' : ''}`,
    );
    return rec.finish(all);
  } finally {
    conversation?.close();
    connected.socket.destroy();
  }
}

function skippedProtocol(security: SecurityMode, why: string): ProtocolDiagnosis {
  return {
    ok: true,
    steps: stepsFor(security).map((step) => ({ step, status: 'skipped', ms: 0, detail: why })),
  };
}

/** Tests both protocols of a provider (in parallel); a protocol the provider turned off is skipped. */
export async function diagnoseProvider(
  provider: DiagnosableProvider,
  credentials?: Credentials,
  opts: DiagnoseOptions = {},
): Promise<Diagnosis> {
  const common = {
    fingerprint: provider.tlsFingerprint,
    credentials,
    timeoutMs: opts.timeoutMs ?? defaultDiagnosisTimeoutMs,
    resolve: opts.resolve ?? systemResolve,
    redactServerText: opts.redactServerText ?? false,
  };
  const [imap, smtp] = await Promise.all([
    provider.allowReceive
      ? diagnoseEndpoint({ ...common, protocol: 'imap', endpoint: provider.imap })
      : skippedProtocol(provider.imap.security, 'Receiving is turned off for this provider.'),
    provider.allowSend
      ? diagnoseEndpoint({ ...common, protocol: 'smtp', endpoint: provider.smtp })
      : skippedProtocol(provider.smtp.security, 'Sending is turned off for this provider.'),
  ]);
  return { imap, smtp };
}

/**
 * Verifies a mailbox's login before it is saved (the add-account wizard). Resolves with every
 * step when IMAP and SMTP both accept the credentials; otherwise throws
 * `AppError(code, explanation, {protocol, step, steps})` for the first failure (IMAP before SMTP).
 */
export async function verifyAccountCredentials(
  provider: DiagnosableProvider,
  credentials: Credentials,
  opts: DiagnoseOptions = {},
): Promise<{ imap: Step[]; smtp: Step[] }> {
  const result = await diagnoseProvider(provider, credentials, opts);
  for (const protocol of ['imap', 'smtp'] as const) {
    const failed = result[protocol].steps.find((s) => s.status === 'failed');
    if (failed?.error) {
      throw new AppError(failed.error.code, failed.error.explanation, {
        protocol,
        step: failed.step,
        steps: result[protocol].steps,
      });
    }
  }
  return { imap: result.imap.steps, smtp: result.smtp.steps };
}
