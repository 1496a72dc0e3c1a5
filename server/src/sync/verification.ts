// Verification: the stored copy of a mailbox proven equal to the server, folder by folder, over
// a short IMAP connection of its own, so the session's IDLE on INBOX keeps delivering push
// meanwhile. For each synced folder whose first sync is done, in chunks of UIDs at or below the
// folder's cursor (what the sync has covered):
//   UID SEARCH for the server's UIDs (and SINCE the download period, for what belongs here),
//   UID FETCH FLAGS for a chunk, the stored rows of the same UID range, then compareChunk()
//   (verification-plan.ts) and the repairs: the server wins, except changes still queued here.
// Every repair goes through the message store, so live events fire as for any sync. Memory is
// the UID lists plus one chunk. The flags are always compared by FETCH: it needs no CONDSTORE,
// and it catches a local copy changed behind the sync's back, which HIGHESTMODSEQ cannot.
//
// The cheap check (check()) asks STATUS of each folder and compares the count with what is
// stored (checkStatus); a folder that cannot match gets a full comparison at once.
import type { ImapFlow } from 'imapflow';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { FolderRow } from '../db/schema.js';
import type { FoldersRepository } from '../db/repositories/folders.repository.js';
import type { MessageStore } from '../db/message-store/message-store.js';
import type { SyncAccount, SyncAccountsRepository } from '../db/repositories/sync-accounts.repository.js';
import type { ServerEvent } from '../domain/events.js';
import type { MessageFlags } from '../domain/message.js';
import { toAccountStatus } from '../domain/account.js';
import { createImapClient, type ImapTimeouts } from '../mail/imap/client.js';
import type { ImapServer } from '../scale/sync-hooks.js';
import type { CredentialsFor } from './account-session.js';
import { batches, periodStart, toSequenceSet } from './cursor.js';
import { cursorOf, flagsOf, type FolderSync, type SyncTarget } from './folder-sync.js';
import { checkStatus, compareChunk, driftCount, type StatusVerdict } from './verification-plan.js';

export interface VerificationOptions {
  /** the cheap check (STATUS of every synced folder) runs this often per account */
  checkIntervalMs: number;
  /** a full verification runs at least this often per account */
  fullIntervalMs: number;
  /** UIDs per FETCH FLAGS (and per read of the stored rows) */
  chunkSize: number;
}

export const defaultVerificationOptions: VerificationOptions = {
  checkIntervalMs: 5 * 60_000,
  fullIntervalMs: 24 * 60 * 60_000,
  chunkSize: 2_000,
};

export interface VerifierDeps {
  accounts: SyncAccountsRepository;
  folders: FoldersRepository;
  /** the sync engine's message store (fenced on PostgreSQL) */
  messages: MessageStore;
  /** fetches and stores messages found missing, as the sync stores them */
  folderSync: Pick<FolderSync, 'storeMissing'>;
  credentialsFor: CredentialsFor;
  clock: Clock;
  logger: Logger;
  publish(event: ServerEvent): void;
  imap: Partial<ImapTimeouts>;
  connectGate?: ((server: ImapServer) => Promise<() => void>) | undefined;
}

/** What one folder's comparison found and repaired, UIDs by kind. */
export interface FolderDrift {
  folder: string;
  found: number;
  repaired: number;
  /** stored from the server: it had them, the copy did not */
  added: number[];
  /** removed from the copy: the server no longer has them */
  removed: number[];
  /** flags set to the server's */
  flags: number[];
}

export interface VerificationResult {
  found: number;
  repaired: number;
  folders: FolderDrift[];
}


/** A folder whose first sync is done (a backfill in progress is the sync's own business). */
const verifiable = (folder: FolderRow): boolean => folder.sync_complete === 1 && folder.uid_validity !== null;

/** UIDs shown in the warning about a repair, per kind and folder. */
const LOGGED_UIDS = 20;

export class MailboxVerifier {
  constructor(
    private readonly deps: VerifierDeps,
    private readonly options: VerificationOptions = defaultVerificationOptions,
  ) {}

  /**
   * Compares every synced folder with the server and repairs what differs; records the result
   * in the account's status. `stopped` ends it between chunks (the session is stopping).
   */
  async verify(accountId: string, stopped: () => boolean = () => false): Promise<VerificationResult | undefined> {
    const account = await this.deps.accounts.findById(accountId);
    if (!account) return undefined;
    const synced = (await this.deps.folders.listByAccount(accountId)).filter((f) => f.synced === 1);
    const log = this.deps.logger.child({ accountId });
    // Only a comparison of every synced folder may say the copy matches.
    const unfinished = synced.filter((f) => !verifiable(f));
    if (unfinished.length > 0) {
      log.info({ folders: unfinished.map((f) => f.path) }, 'verification waits: the first sync of some folders is not done');
      return undefined;
    }
    const result = await this.withClient(account, async (client) => {
      const folders: FolderDrift[] = [];
      for (const folder of synced) {
        if (stopped()) return undefined;
        const target: SyncTarget = { accountId, accountEmail: account.email, syncPeriod: account.sync_period, folder };
        const drift = await this.verifyFolder(client, target, stopped);
        // A new UIDVALIDITY: the sync re-keys the folder first, the next verification compares it.
        if (!drift) return undefined;
        folders.push(drift);
      }
      return folders;
    });
    if (!result || stopped()) return undefined;
    const found = result.reduce((sum, f) => sum + f.found, 0);
    const repaired = result.reduce((sum, f) => sum + f.repaired, 0);
    await this.record(accountId, found, repaired);
    if (found > 0)
      log.warn(
        {
          found,
          repaired,
          folders: result
            .filter((f) => f.found > 0)
            .map((f) => ({
              folder: f.folder,
              found: f.found,
              repaired: f.repaired,
              added: f.added.slice(0, LOGGED_UIDS),
              removed: f.removed.slice(0, LOGGED_UIDS),
              flags: f.flags.slice(0, LOGGED_UIDS),
            })),
        },
        'verification: the copy differed from the mail server; repaired it',
      );
    else log.info('verification: the copy matches the mail server');
    return { found, repaired, folders: result };
  }

  /** The cheap check: the paths of the folders whose STATUS cannot match what is stored. */
  async check(accountId: string): Promise<string[]> {
    const account = await this.deps.accounts.findById(accountId);
    if (!account) return [];
    const differing = await this.withClient(account, async (client) => {
      const out: string[] = [];
      const folders = await this.deps.folders.listByAccount(accountId);
      for (const folder of folders.filter((f) => f.synced === 1 && verifiable(f))) {
        if ((await this.checkFolder(client, account, folder)) === 'differs') out.push(folder.path);
      }
      return out;
    });
    return differing ?? [];
  }

  private async checkFolder(client: ImapFlow, account: SyncAccount, folder: FolderRow): Promise<StatusVerdict> {
    const cursor = cursorOf(folder);
    if (!cursor) return 'unsettled';
    const status = await client.status(folder.path, { messages: true, uidNext: true, uidValidity: true, highestModseq: true });
    if (!status) return 'unsettled';
    const where = { accountId: account.id, folderId: folder.id, uidValidity: cursor.uidValidity };
    const queued = await this.deps.messages.queuedChanges(where);
    const stored = await this.deps.messages.countStored(where, cursor.highestUid);
    return checkStatus(
      cursor,
      {
        uidValidity: Number(status.uidValidity ?? -1),
        messages: status.messages ?? 0,
        uidNext: status.uidNext ?? 0,
        highestModseq: status.highestModseq ?? null,
      },
      { stored, leaving: queued.leaving.size },
      account.sync_period,
    );
  }

  private async verifyFolder(client: ImapFlow, target: SyncTarget, stopped: () => boolean): Promise<FolderDrift | undefined> {
    const cursor = cursorOf(target.folder);
    if (!cursor) return undefined;
    const box = await client.mailboxOpen(target.folder.path, { readOnly: true });
    // A new UIDVALIDITY voids every stored UID: the sync re-keys the folder first.
    if (Number(box.uidValidity) !== cursor.uidValidity) return undefined;
    const top = cursor.highestUid;
    const drift: FolderDrift = { folder: target.folder.path, found: 0, repaired: 0, added: [], removed: [], flags: [] };
    if (top < 1) return drift;
    const where = {
      accountId: target.accountId,
      folderId: target.folder.id,
      folderPath: target.folder.path,
      uidValidity: cursor.uidValidity,
    };
    const onServer = await this.search(client, { uid: `1:${top}` });
    const since = periodStart(target.syncPeriod, this.deps.clock.now());
    const inPeriod = since ? new Set(await this.search(client, { uid: `1:${top}`, since })) : undefined;
    const inWindow = (uid: number) => inPeriod === undefined || inPeriod.has(uid);

    const chunks = batches(onServer, this.options.chunkSize);
    if (chunks.length === 0) chunks.push([]);
    let after = 0;
    for (const [index, chunk] of chunks.entries()) {
      if (stopped()) return undefined;
      const upTo = index === chunks.length - 1 ? top : (chunk[chunk.length - 1] ?? top);
      // Stored rows first, the server's flags second: a message expunged in between reads as
      // gone on both sides, never as missing here.
      const stored = await this.deps.messages.storedInRange(where, after, upTo);
      const server = new Map<number, MessageFlags>();
      if (chunk.length > 0)
        for await (const m of client.fetch(toSequenceSet(chunk), { uid: true, flags: true }, { uid: true }))
          if (m.uid <= top) server.set(m.uid, flagsOf(m.flags));
      const queued = await this.deps.messages.queuedChanges(where);
      const found = compareChunk(stored, server, inWindow, queued);
      after = upTo;
      if (driftCount(found) === 0) continue;
      drift.found += driftCount(found);
      drift.repaired += await this.deps.messages.repairFlags(where, found.flags);
      drift.flags.push(...found.flags.map((f) => f.uid));
      drift.repaired += await this.deps.messages.removeExpunged(where, found.extra.map((e) => e.uid));
      drift.removed.push(...found.extra.map((e) => e.uid));
      if (found.missing.length > 0) {
        drift.repaired += await this.deps.folderSync.storeMissing(client, target, cursor.uidValidity, found.missing);
        drift.added.push(...found.missing);
      }
    }
    return drift;
  }

  private async search(client: ImapFlow, query: { uid: string; since?: Date }): Promise<number[]> {
    const found = await client.search(query, { uid: true });
    return (Array.isArray(found) ? found : []).sort((a, b) => a - b);
  }

  /** Runs `work` over a connection of its own, logged out afterwards. */
  private async withClient<T>(account: SyncAccount, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const credentials = await this.deps.credentialsFor(account);
    const client = createImapClient(
      { host: account.imap_host, port: account.imap_port, security: account.imap_security, tlsFingerprint: account.tls_fingerprint },
      credentials,
      { logger: this.deps.logger.child({ accountId: account.id, component: 'verification' }), timeouts: this.deps.imap },
    );
    try {
      const opened = await this.deps.connectGate?.({ host: account.imap_host, port: account.imap_port });
      try {
        await client.connect();
      } finally {
        opened?.();
      }
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  private async record(accountId: string, found: number, repaired: number): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.accounts.updateStatus(
      accountId,
      { last_verified_at: now, drift_found: found, drift_repaired: repaired },
      now,
    );
    const after = await this.deps.accounts.findById(accountId);
    if (after) this.deps.publish({ type: 'account.status', accountId, data: { ...toAccountStatus(after) } });
  }
}
