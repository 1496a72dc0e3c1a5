// The account's Sent folder over IMAP: append the copy of a sent message, and look a message up
// by its Message-ID (how a send interrupted by a crash is settled). Short-lived connections: the
// outbox needs them rarely, and the sync engine's sessions belong to the sync engine.
import type { ImapFlow } from 'imapflow';
import { createImapClient, toServerFolder, type ImapCredentials, type ImapEndpoint } from '../../mail/imap/client.js';
import type { Logger } from '../../lib/logger.js';

export interface SentFolder {
  /** Appends the message, marked read; returns the folder path, or undefined when there is no Sent folder. */
  append(endpoint: ImapEndpoint, credentials: ImapCredentials, raw: Buffer, date: Date): Promise<string | undefined>;
  /** Whether the Sent folder holds a message with this Message-ID. */
  contains(endpoint: ImapEndpoint, credentials: ImapCredentials, messageId: string): Promise<boolean>;
}

// Servers without SPECIAL-USE still name the folder in one of these ways.
const conventionalNames = ['sent', 'sent items', 'sent messages', 'sent mail', 'inbox.sent', 'inbox/sent', 'gesendet', 'envoyés'];

async function findSentPath(client: ImapFlow): Promise<string | undefined> {
  const folders = (await client.list()).map(toServerFolder).filter((f) => f.selectable);
  const bySpecialUse = folders.find((f) => f.specialUse === '\\Sent');
  if (bySpecialUse) return bySpecialUse.path;
  return folders.find((f) => conventionalNames.includes(f.path.toLowerCase()))?.path;
}

export class ImapSentFolder implements SentFolder {
  constructor(private readonly logger?: Logger) {}

  private async withClient<T>(endpoint: ImapEndpoint, credentials: ImapCredentials, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = createImapClient(endpoint, credentials, this.logger ? { logger: this.logger } : {});
    try {
      await client.connect();
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  append(endpoint: ImapEndpoint, credentials: ImapCredentials, raw: Buffer, date: Date): Promise<string | undefined> {
    return this.withClient(endpoint, credentials, async (client) => {
      const path = await findSentPath(client);
      if (!path) return undefined;
      await client.append(path, raw, ['\\Seen'], date);
      return path;
    });
  }

  contains(endpoint: ImapEndpoint, credentials: ImapCredentials, messageId: string): Promise<boolean> {
    return this.withClient(endpoint, credentials, async (client) => {
      const path = await findSentPath(client);
      if (!path) return false;
      const lock = await client.getMailboxLock(path, { readOnly: true });
      try {
        const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
        return Array.isArray(found) && found.length > 0;
      } finally {
        lock.release();
      }
    });
  }
}
