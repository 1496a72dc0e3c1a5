// The source of a message opened before the sync downloaded it. A first sync lists messages from
// their headers and downloads the sources afterwards, newest first (sync/folder-sync.ts); someone
// opening, saving or forwarding an older one meanwhile should not have to wait for it. This
// fetches that one message over its own short IMAP connection, stores it exactly as the sync
// would (raw source, parsed body, attachments) through the message store, which announces it. The
// sync skips it afterwards: both write only while the source is pending.
import type { MessageStore } from '../db/message-store/message-store.js';
import type { SyncAccount } from '../db/repositories/sync-accounts.repository.js';
import { AppError } from '../domain/errors.js';
import type { StoredMessage } from '../domain/message.js';
import type { BlobStore } from '../lib/blob-store.js';
import type { Logger } from '../lib/logger.js';
import { createImapClient, type ImapCredentials, type ImapTimeouts } from '../mail/imap/client.js';
import { classifyImapError } from '../mail/imap/errors.js';
import { storeAndParse } from '../mail/mime/parse.js';

export interface MessageSourceDeps {
  accounts: { findById(id: string): Promise<SyncAccount | undefined> };
  messages: Pick<MessageStore, 'completeSources'>;
  blobs: BlobStore;
  credentialsFor(account: SyncAccount): Promise<ImapCredentials>;
  logger: Logger;
  /** short: a reader waits on this */
  timeouts?: Partial<ImapTimeouts>;
}

const readerTimeouts: Partial<ImapTimeouts> = {
  connectionTimeoutMs: 10_000,
  greetingTimeoutMs: 10_000,
  socketTimeoutMs: 30_000,
};

const notDownloaded = (why: string) =>
  new AppError(
    'message_not_downloaded',
    `This message is still being downloaded from the mail server, and fetching it now failed: ${why}. Try again in a moment.`,
  );

export class MessageSourceFetcher {
  constructor(private readonly deps: MessageSourceDeps) {}

  /** Downloads and stores the message's source now if the sync has not yet. */
  async ensure(message: StoredMessage): Promise<void> {
    if (!message.sourcePending) return;
    const { location } = message;
    const account = await this.deps.accounts.findById(message.accountId);
    if (!account || account.secret === null) throw notDownloaded('the mailbox is not connected');
    let credentials: ImapCredentials;
    try {
      credentials = await this.deps.credentialsFor(account);
    } catch (error) {
      throw notDownloaded(error instanceof AppError ? error.message : 'its credentials could not be used');
    }
    const client = createImapClient(
      { host: account.imap_host, port: account.imap_port, security: account.imap_security, tlsFingerprint: account.tls_fingerprint },
      credentials,
      { logger: this.deps.logger, timeouts: { ...readerTimeouts, ...this.deps.timeouts } },
    );
    try {
      await client.connect();
      const box = await client.mailboxOpen(message.folder, { readOnly: true });
      // A changed UIDVALIDITY voids our UID; the sync re-keys the row first.
      if (Number(box.uidValidity) !== location.uidValidity) throw notDownloaded('the folder changed on the server');
      const download = await client.download(String(location.uid), undefined, { uid: true, chunkSize: 1024 * 1024 });
      if (!download.content) throw notDownloaded('the server no longer has it');
      // Streamed to disk while it downloads, like the sync's large messages.
      const stored = await storeAndParse(download.content, this.deps.blobs);
      await this.deps.messages.completeSources(
        { folderId: location.folderId, folderPath: message.folder, uidValidity: location.uidValidity },
        [{ uid: location.uid, source: stored.raw, parsed: stored.parsed, parseError: stored.parseError }],
      );
    } catch (error) {
      if (error instanceof AppError) throw error;
      const failure = classifyImapError(error);
      this.deps.logger.warn({ code: failure.code, messageId: message.id }, 'fetching a message source on demand failed');
      // Our own words for the failure (a refused login, an unreachable server), none of the server's.
      throw notDownloaded(failure.message.charAt(0).toLowerCase() + failure.message.slice(1));
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
}
