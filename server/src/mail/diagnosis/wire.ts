// The pre-authentication part of IMAP and SMTP, step by step: TCP connect, implicit TLS or
// STARTTLS, the greeting and the capability list. imapflow and nodemailer do all of this inside
// one connect() and report only the end result; a diagnosis needs each step on its own, with its
// timing and its failure, so these few commands are spoken here. Authentication itself is left
// to the libraries (diagnose.ts).
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { tlsClientOptions } from './tls-options.js';
import { DiagnosisError, type DiagnosisFailure } from './types.js';

/** A response larger than this is not a greeting or capability list. */
const maxResponseBytes = 64 * 1024;

export function openTcp(address: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new DiagnosisError('CONNECT_TIMEOUT', `No answer from ${address}:${port} within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

export interface TlsTarget {
  /** the name the certificate must carry (or the IP literal) */
  host: string;
  pinnedFingerprint?: string | null | undefined;
  timeoutMs: number;
}

/** Starts TLS on a connected socket, verifying the certificate. */
export function upgradeToTls(socket: net.Socket, target: TlsTarget): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ ...tlsClientOptions(target.host, target.pinnedFingerprint), socket });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(
        new DiagnosisError('TLS_TIMEOUT', `The TLS handshake did not finish within ${target.timeoutMs} ms`),
      );
    }, target.timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.removeAllListeners('error');
      resolve(secure);
    });
    secure.once('error', (error: Error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(error);
    });
  });
}

/** What a finished TLS handshake tells a person: version and certificate. */
export function describeTls(socket: tls.TLSSocket): string {
  const cert = socket.getPeerCertificate();
  const subject = cert.subject?.CN ?? cert.subjectaltname ?? 'unknown subject';
  const issuer = cert.issuer?.CN ?? cert.issuer?.O ?? 'unknown issuer';
  return `${socket.getProtocol() ?? 'TLS'}, certificate for ${String(subject)} issued by ${String(issuer)}, valid until ${cert.valid_to}, SHA-256 ${cert.fingerprint256}`;
}

/** Whether something on address:port completes (or at least starts) a TLS handshake. */
export async function speaksTls(
  address: string,
  port: number,
  host: string,
  timeoutMs: number,
): Promise<boolean> {
  let socket: net.Socket | undefined;
  try {
    socket = await openTcp(address, port, timeoutMs);
    (await upgradeToTls(socket, { host, timeoutMs })).destroy();
    return true;
  } catch (error) {
    // A certificate complaint comes after the server answered in TLS: it does speak TLS.
    const code = (error as { code?: unknown }).code;
    return (
      typeof code === 'string' &&
      (/CERT|SELF_SIGNED|ISSUER|LEAF|ALTNAME/.test(code) || code === 'CERT_PIN_MISMATCH')
    );
  } finally {
    socket?.destroy();
  }
}

/**
 * One command/response exchange at a time over a socket that may be upgraded to TLS.
 * Bytes are read as latin1: greetings and capabilities are ASCII.
 */
export class Conversation {
  private buffer = '';
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private secure: boolean;

  constructor(
    private socket: net.Socket,
    private readonly responseTimeoutMs: number,
  ) {
    this.secure = socket instanceof tls.TLSSocket;
    this.attach();
  }

  get isSecure(): boolean {
    return this.secure;
  }

  get tlsSocket(): tls.TLSSocket | undefined {
    return this.socket instanceof tls.TLSSocket ? this.socket : undefined;
  }

  private readonly onData = (chunk: Buffer) => {
    // A TLS record (handshake 0x16 / alert 0x15, version 0x03) where text was expected.
    if (
      !this.secure &&
      this.buffer === '' &&
      chunk.length >= 2 &&
      (chunk[0] === 0x15 || chunk[0] === 0x16) &&
      chunk[1] === 0x03
    ) {
      this.fail(
        new DiagnosisError(
          'EXPECTS_IMPLICIT_TLS',
          'The server answered with TLS where plain text was expected',
        ),
      );
      return;
    }
    this.buffer += chunk.toString('latin1');
    if (this.buffer.length > maxResponseBytes)
      this.fail(new DiagnosisError('WRONG_PROTOCOL', 'The server sent an overlong response'));
    this.wake?.();
  };

  private readonly onError = (error: Error) => this.fail(error);
  private readonly onClose = () =>
    this.fail(new DiagnosisError('CONNECTION_CLOSED', 'The server closed the connection'));

  private fail(error: Error) {
    this.failure ??= error;
    this.wake?.();
  }

  private attach() {
    this.socket.on('data', this.onData);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
  }

  private detach() {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
  }

  /** Waits until `complete` accepts the text received so far, which is then consumed. */
  read(
    complete: (text: string) => boolean,
    timeoutCode: DiagnosisFailure = 'RESPONSE_TIMEOUT',
  ): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        reject(new DiagnosisError(timeoutCode, `No complete answer within ${this.responseTimeoutMs} ms`));
      }, this.responseTimeoutMs);
      const check = () => {
        if (complete(this.buffer)) {
          clearTimeout(timer);
          this.wake = undefined;
          const text = this.buffer;
          this.buffer = '';
          resolve(text);
        } else if (this.failure) {
          clearTimeout(timer);
          this.wake = undefined;
          reject(this.failure);
        }
      };
      this.wake = check;
      check();
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  async upgrade(target: Omit<TlsTarget, 'timeoutMs'>): Promise<void> {
    this.detach();
    this.buffer = '';
    this.socket = await upgradeToTls(this.socket, { ...target, timeoutMs: this.responseTimeoutMs });
    this.secure = true;
    this.attach();
  }

  close(): void {
    this.detach();
    // The socket may still report an error (e.g. a reset) after we let go of it.
    this.socket.on('error', () => undefined);
    this.socket.destroy();
  }
}

const lines = (text: string) => text.split('\r\n').filter((line) => line !== '');
const hasLine = (text: string) => text.includes('\r\n');

// ---- IMAP (RFC 9051 / 3501) -------------------------------------------------------------

export interface ImapCapabilities {
  capabilities: string[];
  authMechanisms: string[];
  /** LOGINDISABLED: plain LOGIN is refused on this connection */
  loginDisabled: boolean;
}

function imapCapabilities(list: string[]): ImapCapabilities {
  const upper = list.map((c) => c.toUpperCase());
  return {
    capabilities: upper,
    authMechanisms: upper.filter((c) => c.startsWith('AUTH=')).map((c) => c.slice('AUTH='.length)),
    loginDisabled: upper.includes('LOGINDISABLED'),
  };
}

export class ImapSession {
  private tag = 0;

  constructor(readonly conversation: Conversation) {}

  /** Reads the greeting; returns the capabilities it carried, if any. */
  async greeting(): Promise<string[] | undefined> {
    const line = lines(await this.conversation.read(hasLine, 'GREETING_TIMEOUT'))[0] ?? '';
    if (/^\* BYE/i.test(line))
      throw new DiagnosisError('GREETING_REJECTED', `The server refused the connection: ${line}`, {
        response: line,
      });
    if (!/^\* (OK|PREAUTH)\b/i.test(line)) {
      throw new DiagnosisError(
        'WRONG_PROTOCOL',
        `This does not look like an IMAP server: ${line.slice(0, 200)}`,
        { response: line.slice(0, 200) },
      );
    }
    const match = /\[CAPABILITY ([^\]]*)\]/i.exec(line);
    return match?.[1]?.split(' ').filter(Boolean);
  }

  private async command(command: string): Promise<{ status: string; untagged: string[]; text: string }> {
    const tag = `M${++this.tag}`;
    this.conversation.send(`${tag} ${command}`);
    const text = await this.conversation.read((received) =>
      new RegExp(`(^|\\r\\n)${tag} [^\\r\\n]*\\r\\n`).test(received),
    );
    const all = lines(text);
    const done = all.find((line) => line.startsWith(`${tag} `)) ?? '';
    return {
      status: done.split(' ')[1]?.toUpperCase() ?? '',
      untagged: all.filter((line) => line.startsWith('* ')),
      text: done,
    };
  }

  async capability(): Promise<ImapCapabilities> {
    const answer = await this.command('CAPABILITY');
    const line = answer.untagged.find((l) => /^\* CAPABILITY /i.test(l));
    return imapCapabilities(line ? line.split(' ').slice(2) : []);
  }

  /** STARTTLS, when offered, then the capabilities again (they may change after TLS). */
  async startTls(target: Omit<TlsTarget, 'timeoutMs'>, before: ImapCapabilities): Promise<void> {
    if (!before.capabilities.includes('STARTTLS')) {
      throw new DiagnosisError('STARTTLS_NOT_OFFERED', 'The server does not offer STARTTLS', {
        capabilities: before.capabilities,
      });
    }
    const answer = await this.command('STARTTLS');
    if (answer.status !== 'OK')
      throw new DiagnosisError('STARTTLS_REFUSED', `The server refused STARTTLS: ${answer.text}`, {
        response: answer.text,
      });
    await this.conversation.upgrade(target);
  }

  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT');
    } catch {
      // Leaving politely is a courtesy; the socket is closed either way.
    }
  }
}

/** Greeting, then CAPABILITY unless the greeting carried it. */
export async function imapGreetingAndCapabilities(session: ImapSession): Promise<ImapCapabilities> {
  const fromGreeting = await session.greeting();
  return fromGreeting ? imapCapabilities(fromGreeting) : session.capability();
}

// ---- SMTP (RFC 5321 / 3207) -------------------------------------------------------------

export interface SmtpExtensions {
  extensions: string[];
  authMechanisms: string[];
}

/** A complete (possibly multi-line) SMTP reply ends with a line "NNN text". */
const completeReply = (text: string) => /(^|\r\n)\d{3}( [^\r\n]*)?\r\n$/.test(text);

function replyCode(text: string): number {
  const last = lines(text).at(-1) ?? '';
  return Number(last.slice(0, 3));
}

export class SmtpSession {
  constructor(readonly conversation: Conversation) {}

  async greeting(): Promise<string> {
    // A first line that is not an SMTP reply will never complete one: stop at it.
    const text = await this.conversation.read(
      (t) => completeReply(t) || (hasLine(t) && !/^\d{3}[ -]/.test(t)),
      'GREETING_TIMEOUT',
    );
    const first = lines(text)[0] ?? '';
    const code = replyCode(text);
    if (!/^\d{3}[ -]/.test(first)) {
      throw new DiagnosisError(
        'WRONG_PROTOCOL',
        `This does not look like an SMTP server: ${first.slice(0, 200)}`,
        { response: first.slice(0, 200) },
      );
    }
    if (code !== 220)
      throw new DiagnosisError('GREETING_REJECTED', `The server refused the connection: ${first}`, {
        response: first,
      });
    return first;
  }

  async ehlo(): Promise<SmtpExtensions> {
    this.conversation.send(`EHLO ${clientName()}`);
    const text = await this.conversation.read(completeReply);
    if (replyCode(text) !== 250) {
      throw new DiagnosisError('WRONG_PROTOCOL', `The server refused EHLO: ${lines(text).at(-1) ?? ''}`, {
        response: lines(text).at(-1),
      });
    }
    const extensions = lines(text)
      .slice(1)
      .map((line) => line.slice(4).trim().toUpperCase());
    const auth = extensions.find((e) => e.startsWith('AUTH ') || e.startsWith('AUTH='));
    return { extensions, authMechanisms: auth ? auth.slice(5).split(' ').filter(Boolean) : [] };
  }

  async startTls(target: Omit<TlsTarget, 'timeoutMs'>, before: SmtpExtensions): Promise<void> {
    if (!before.extensions.includes('STARTTLS')) {
      throw new DiagnosisError('STARTTLS_NOT_OFFERED', 'The server does not offer STARTTLS', {
        extensions: before.extensions,
      });
    }
    this.conversation.send('STARTTLS');
    const text = await this.conversation.read(completeReply);
    if (replyCode(text) !== 220) {
      throw new DiagnosisError(
        'STARTTLS_REFUSED',
        `The server refused STARTTLS: ${lines(text).at(-1) ?? ''}`,
        { response: lines(text).at(-1) },
      );
    }
    await this.conversation.upgrade(target);
  }

  async quit(): Promise<void> {
    try {
      this.conversation.send('QUIT');
      await this.conversation.read(completeReply);
    } catch {
      // as for IMAP LOGOUT: a courtesy
    }
  }
}

/** The EHLO name: our host name when it is a usable domain, else an address literal. */
function clientName(): string {
  const name = os.hostname();
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(name) ? name : '[127.0.0.1]';
}
