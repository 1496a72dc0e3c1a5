// Finds which ports and security a provider's servers answer on, and what they offer before
// login: IMAP 993 (implicit TLS) and 143 (STARTTLS), SMTP 465 (implicit TLS) and 587
// (STARTTLS), preferring implicit TLS (RFC 8314). Certificates are verified; a port whose
// certificate fails is not offered as a result.
import { lookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import type { SecurityMode } from '../../domain/provider.js';
import { classifyFailure } from './classify.js';
import { DiagnosisError, type Protocol, type ResolveHost, type StepError, type StepName } from './types.js';
import {
  Conversation,
  ImapSession,
  SmtpSession,
  imapGreetingAndCapabilities,
  openTcp,
  upgradeToTls,
  type ImapCapabilities,
  type SmtpExtensions,
} from './wire.js';

export const defaultImapPorts = [993, 143] as const;
export const defaultSmtpPorts = [465, 587] as const;
export const defaultProbeTimeoutMs = 4000;

export interface ProbeOptions {
  /** candidate IMAP ports in order of preference (default 993, 143) */
  imapPorts?: readonly number[];
  /** candidate SMTP ports in order of preference (default 465, 587) */
  smtpPorts?: readonly number[];
  /** limit for each network step (connect, handshake, each answer) */
  timeoutMs?: number;
  /** host → addresses; may refuse (private-network rule). Default: the system resolver. */
  resolve?: ResolveHost;
}

export interface ImapProbe {
  host: string;
  port: number;
  security: SecurityMode;
  capabilities: string[];
  authMechanisms: string[];
}

export interface SmtpProbe {
  host: string;
  port: number;
  security: SecurityMode;
  extensions: string[];
  authMechanisms: string[];
}

export interface ProbeAttempt {
  protocol: Protocol;
  host: string;
  port: number;
  error: StepError;
  /** the underlying code (`ETIMEOUT`, `ECONNREFUSED`, `CONNECT_TIMEOUT`, …) */
  cause?: string;
}

export interface ServerProbe {
  imap?: ImapProbe;
  smtp?: SmtpProbe;
  /** ports that gave no usable answer, and why */
  attempts: ProbeAttempt[];
}

export interface ProbeInput {
  imapHost?: string;
  smtpHost?: string;
  tlsFingerprint?: string | null;
}

/** The system resolver (getaddrinfo: /etc/hosts, then DNS). */
export const systemResolve: ResolveHost = async (host) => {
  if (isIP(host)) return [host];
  const found = await lookup(host, { all: true });
  if (found.length === 0) throw new DiagnosisError('NO_ADDRESS', `${host} has no address`);
  return found.map((a) => a.address);
};

/** Tries the addresses in turn: a name may list an address the service does not listen on. */
export async function connectAny(
  addresses: readonly string[],
  port: number,
  timeoutMs: number,
): Promise<{ socket: Socket; address: string }> {
  let lastError: unknown = new DiagnosisError('NO_ADDRESS', 'no address to connect to');
  for (const address of addresses) {
    try {
      return { socket: await openTcp(address, port, timeoutMs), address };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

const securityRank: Record<SecurityMode, number> = { tls: 0, starttls: 1, none: 2 };

type Found<T> = { found: T } | { failed: ProbeAttempt };

function isPlainTextAnswer(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    /^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL|HTTP_REQUEST|RECORD_LAYER_FAILURE)$/.test(
      code,
    )
  );
}

function failedAttempt(
  protocol: Protocol,
  c: PortContext,
  step: StepName,
  security: SecurityMode,
  error: unknown,
): ProbeAttempt {
  const code = (error as { code?: unknown } | undefined)?.code;
  return {
    protocol,
    host: c.host,
    port: c.port,
    error: classifyFailure(error, { protocol, step, host: c.host, port: c.port, security }),
    ...(typeof code === 'string' && { cause: code }),
  };
}

interface PortContext {
  host: string;
  port: number;
  fingerprint: string | null | undefined;
  timeoutMs: number;
  addresses: () => Promise<string[]>;
}

/**
 * What differs between IMAP and SMTP before login: how to greet and list capabilities, how to
 * upgrade with STARTTLS, how to leave, and how the answer becomes a probe result. `R` is the
 * protocol's own capability answer.
 */
interface PreLoginDialogue<R, P> {
  protocol: Protocol;
  open(conversation: Conversation): {
    hello(): Promise<R>;
    /** STARTTLS, then the capabilities again (they may change after the upgrade) */
    startTls(target: { host: string; pinnedFingerprint: string | null | undefined }, before: R): Promise<R>;
    bye(): Promise<void>;
  };
  offersStartTls(answer: R): boolean;
  result(c: PortContext, security: SecurityMode, answer: R): P;
}

const imapDialogue: PreLoginDialogue<ImapCapabilities, ImapProbe> = {
  protocol: 'imap',
  open(conversation) {
    const session = new ImapSession(conversation);
    return {
      hello: () => imapGreetingAndCapabilities(session),
      startTls: async (target, before) => {
        await session.startTls(target, before);
        return session.capability();
      },
      bye: () => session.logout(),
    };
  },
  offersStartTls: (caps) => caps.capabilities.includes('STARTTLS'),
  result: (c, security, caps) => ({
    host: c.host,
    port: c.port,
    security,
    capabilities: caps.capabilities,
    authMechanisms: caps.authMechanisms,
  }),
};

const smtpDialogue: PreLoginDialogue<SmtpExtensions, SmtpProbe> = {
  protocol: 'smtp',
  open(conversation) {
    const session = new SmtpSession(conversation);
    return {
      hello: async () => {
        await session.greeting();
        return session.ehlo();
      },
      startTls: async (target, before) => {
        await session.startTls(target, before);
        return session.ehlo();
      },
      bye: () => session.quit(),
    };
  },
  offersStartTls: (ext) => ext.extensions.includes('STARTTLS'),
  result: (c, security, ext) => ({
    host: c.host,
    port: c.port,
    security,
    extensions: ext.extensions,
    authMechanisms: ext.authMechanisms,
  }),
};

/** Implicit TLS first; a port that answers in plain text is tried for STARTTLS, else none. */
async function probePort<R, P>(c: PortContext, dialogue: PreLoginDialogue<R, P>): Promise<Found<P>> {
  const fail = (error: unknown, security: SecurityMode, step: StepName = 'capabilities'): Found<P> => ({
    failed: failedAttempt(dialogue.protocol, c, step, security, error),
  });
  const target = { host: c.host, pinnedFingerprint: c.fingerprint };
  let addresses: string[];
  try {
    addresses = await c.addresses();
  } catch (error) {
    return fail(error, 'tls', 'dns');
  }
  let conversation: Conversation | undefined;
  try {
    const { socket } = await connectAny(addresses, c.port, c.timeoutMs);
    try {
      conversation = new Conversation(
        await upgradeToTls(socket, { ...target, timeoutMs: c.timeoutMs }),
        c.timeoutMs,
      );
    } catch (error) {
      if (!isPlainTextAnswer(error)) return fail(error, 'tls');
      conversation = undefined;
    }
    if (conversation) {
      const session = dialogue.open(conversation);
      const answer = await session.hello();
      await session.bye();
      return { found: dialogue.result(c, 'tls', answer) };
    }
  } catch (error) {
    return fail(error, 'tls');
  } finally {
    conversation?.close();
  }

  // The port answered in plain text: STARTTLS (or, last resort, without encryption).
  try {
    const { socket } = await connectAny(addresses, c.port, c.timeoutMs);
    conversation = new Conversation(socket, c.timeoutMs);
    const session = dialogue.open(conversation);
    const before = await session.hello();
    if (!dialogue.offersStartTls(before)) {
      await session.bye();
      return { found: dialogue.result(c, 'none', before) };
    }
    const after = await session.startTls(target, before);
    await session.bye();
    return { found: dialogue.result(c, 'starttls', after) };
  } catch (error) {
    return fail(error, 'starttls');
  } finally {
    conversation?.close();
  }
}

function best<T extends { security: SecurityMode }>(
  results: Found<T>[],
  attempts: ProbeAttempt[],
): T | undefined {
  const found: T[] = [];
  for (const result of results) {
    if ('found' in result) found.push(result.found);
    else attempts.push(result.failed);
  }
  // Stable sort: among equally secure answers the caller's port order decides.
  return found.sort((a, b) => securityRank[a.security] - securityRank[b.security])[0];
}

export async function probeServers(input: ProbeInput, opts: ProbeOptions = {}): Promise<ServerProbe> {
  const timeoutMs = opts.timeoutMs ?? defaultProbeTimeoutMs;
  const resolve = opts.resolve ?? systemResolve;
  // One resolution per host, shared by its ports (and by IMAP and SMTP on the same host).
  const resolved = new Map<string, Promise<string[]>>();
  const addressesOf = (host: string) => () => {
    let pending = resolved.get(host);
    if (!pending) {
      pending = resolve(host);
      resolved.set(host, pending);
    }
    return pending;
  };
  const context = (host: string, port: number): PortContext => ({
    host,
    port,
    fingerprint: input.tlsFingerprint,
    timeoutMs,
    addresses: addressesOf(host),
  });

  const imapHost = input.imapHost;
  const smtpHost = input.smtpHost;
  const [imapResults, smtpResults] = await Promise.all([
    imapHost
      ? Promise.all(
          (opts.imapPorts ?? defaultImapPorts).map((port) =>
            probePort(context(imapHost, port), imapDialogue),
          ),
        )
      : [],
    smtpHost
      ? Promise.all(
          (opts.smtpPorts ?? defaultSmtpPorts).map((port) =>
            probePort(context(smtpHost, port), smtpDialogue),
          ),
        )
      : [],
  ]);
  const attempts: ProbeAttempt[] = [];
  const imap = best(imapResults, attempts);
  const smtp = best(smtpResults, attempts);
  return { ...(imap && { imap }), ...(smtp && { smtp }), attempts };
}
