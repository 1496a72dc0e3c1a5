// Helpers for outbox tests: short outbox timings, reading what really arrived in a rig mailbox
// over IMAP, and a loopback TCP proxy that can refuse connections (an SMTP server "down").
import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Config, OutboxConfig } from '../../src/config.js';
import type { MailUser, RigDescription } from '../rig/index.js';
import { otherClient } from './sync.js';

export const fastOutbox: OutboxConfig = { retryBaseMs: 300, retryMaxMs: 1_500, maxAttempts: 8, pollIntervalMs: 300, sendingLeaseMs: 15 * 60_000 };

export const withFastOutbox = (config: Config): Config => ({ ...config, outbox: fastOutbox });

export interface FoundMessage {
  folder: string;
  uid: number;
  source: Buffer;
  parsed: ParsedMail;
}

/** Every message in `folder` of a rig mailbox whose Message-ID header is `messageId`. */
export async function messagesWithId(rig: RigDescription, user: MailUser, folder: string, messageId: string): Promise<FoundMessage[]> {
  const client = await otherClient(rig, user);
  try {
    const lock = await client.getMailboxLock(folder, { readOnly: true });
    try {
      const uids = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
      const found: FoundMessage[] = [];
      for (const uid of uids) {
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (!message || !message.source) continue;
        found.push({ folder, uid, source: message.source, parsed: await simpleParser(message.source) });
      }
      return found;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** A TCP proxy on a loopback port to `target`; `down()` closes the port (connection refused) until `up()`. */
export class ToggleProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly targetPort: number) {}

  async up(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address !== 'string') this.port = address.port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
