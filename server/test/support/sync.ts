// Helpers for sync engine tests: a Mailyard account pointing at a rig mailbox, a raw IMAP client
// playing "another mail client", fast mailbox filling, and waiting for events or states.
import { createHash, randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { Db } from '../../src/db/database.js';
import type { SecretBox } from '../../src/lib/secret-box.js';
import type { EventBus } from '../../src/services/event-bus.js';
import type { ServerEvent } from '../../src/domain/events.js';
import type { SyncEngineOptions } from '../../src/sync/engine.js';
import { defaultSyncEngineOptions } from '../../src/sync/engine.js';
import type { MailUser, RigDescription } from '../rig/index.js';

/** Short timings so tests see reconnects and liveness checks within seconds. */
export const fastSyncOptions: SyncEngineOptions = {
  ...defaultSyncEngineOptions,
  timings: {
    pollIntervalMs: 2_000,
    livenessTimeoutMs: 2_000,
    backoff: { baseMs: 200, maxMs: 2_000 },
    imap: {
      connectionTimeoutMs: 5_000,
      greetingTimeoutMs: 5_000,
      socketTimeoutMs: 10_000,
      maxIdleTimeMs: 60_000,
    },
  },
  staggerMs: 50,
};

export interface ImapAccountOptions {
  userId: string;
  mailUser: MailUser;
  rig: RigDescription;
  /** override the server (e.g. a proxy in between) */
  port?: number;
  security?: 'tls' | 'starttls';
  password?: string;
  syncPeriod?: 'day' | 'week' | 'month' | 'year' | 'all';
  folders?: 'all' | string[];
}

/** Stores a provider and an account (what the accounts API writes) for a rig mailbox. */
export async function seedImapAccount(db: Db, secrets: SecretBox, opts: ImapAccountOptions): Promise<string> {
  const now = Date.now();
  const providerId = randomUUID();
  const security = opts.security ?? 'tls';
  await db
    .insertInto('providers')
    .values({
      id: providerId,
      name: `Rig ${providerId.slice(0, 8)}`,
      service_type: 'imap',
      imap_host: opts.rig.imap.host,
      imap_port: opts.port ?? (security === 'tls' ? opts.rig.imap.tlsPort : opts.rig.imap.port),
      imap_security: security,
      smtp_host: opts.rig.smtp.host,
      smtp_port: opts.rig.smtp.smtpsPort,
      smtp_security: 'tls',
      login_format: 'email',
      auth_method: 'basic',
      oauth_client_id: null,
      oauth_client_secret: null,
      oauth_authorization_url: null,
      oauth_token_url: null,
      oauth_scopes: null,
      allow_receive: 1,
      allow_send: 1,
      tls_fingerprint: null,
      notes: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const accountId = randomUUID();
  await db
    .insertInto('accounts')
    .values({
      id: accountId,
      user_id: opts.userId,
      provider_id: providerId,
      email: opts.mailUser.email,
      login: opts.mailUser.email,
      secret: secrets.encrypt(JSON.stringify({ password: opts.password ?? opts.mailUser.password })),
      display_name: opts.mailUser.email,
      signature: '',
      sync_period: opts.syncPeriod ?? 'month',
      folders: opts.folders === undefined || opts.folders === 'all' ? 'all' : JSON.stringify(opts.folders),
      auto_download: 1,
      send_enabled: 1,
      default_sender: 0,
      enabled: 1,
      state: 'connecting',
      progress_done: 0,
      progress_total: 0,
      last_sync_at: null,
      error_code: null,
      error_message: null,
      error_action: null,
      error_at: null,
      archived_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return accountId;
}

/** An IMAP client acting as the user's other mail program. */
export async function otherClient(rig: RigDescription, user: MailUser): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    secure: true,
    auth: { user: user.email, pass: user.password },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** sha256 of every message source in the server's INBOX, by UID (what a clean sync must store). */
export async function serverSourceHashes(rig: RigDescription, user: MailUser): Promise<Map<number, string>> {
  const other = await otherClient(rig, user);
  await other.mailboxOpen('INBOX');
  const hashes = new Map<number, string>();
  for await (const m of other.fetch('1:*', { uid: true, source: true }, { uid: true }))
    hashes.set(m.uid, createHash('sha256').update(m.source ?? Buffer.alloc(0)).digest('hex'));
  await other.logout();
  return hashes;
}

export function simpleMessage(opts: {
  subject: string;
  from?: string;
  to: string;
  body?: string;
  messageId?: string;
  date?: Date;
  headers?: string;
}): Buffer {
  const id = opts.messageId ?? `<${randomUUID()}@test.mailyard>`;
  return Buffer.from(
    `Message-ID: ${id}\r\nFrom: ${opts.from ?? 'Sender <sender@example.test>'}\r\nTo: ${opts.to}\r\n` +
      `Subject: ${opts.subject}\r\nDate: ${(opts.date ?? new Date()).toUTCString()}\r\nMIME-Version: 1.0\r\n${opts.headers ?? ''}` +
      `Content-Type: text/plain; charset=utf-8\r\n\r\n${opts.body ?? `Body of ${opts.subject}`}\r\n`,
  );
}

/** Appends messages fast over one connection (not through Postfix). */
export async function appendMessages(
  rig: RigDescription,
  user: MailUser,
  folder: string,
  messages: Iterable<Buffer>,
): Promise<void> {
  const client = await otherClient(rig, user);
  try {
    for (const message of messages) await client.append(folder, message);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * Sends through Postfix's inbound port, as mail from the outside world arrives. Resolves on
 * acceptance. A body given as `{ html }` is sent as text/html only, as newsletters are.
 */
export async function deliver(
  rig: RigDescription,
  to: string,
  subject: string,
  body: string | { html: string } = `Body of ${subject}`,
): Promise<void> {
  const transport = nodemailer.createTransport({
    host: rig.smtp.host,
    port: rig.smtp.inboundPort,
    secure: false,
    tls: { servername: 'localhost' },
  });
  try {
    await transport.sendMail({ from: 'outside@example.test', to, subject, ...(typeof body === 'string' ? { text: body } : body) });
  } finally {
    transport.close();
  }
}

/** Resolves with the first event that matches; rejects after `timeoutMs`. */
export function nextEvent(
  events: EventBus,
  match: (event: ServerEvent) => boolean,
  timeoutMs = 20_000,
): Promise<ServerEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = events.subscribe((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(event);
    });
  });
}

/** Waits until `check` returns a value (not undefined/false); rejects after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
