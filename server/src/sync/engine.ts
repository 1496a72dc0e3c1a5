// The sync engine: one AccountSession per syncable account, started staggered so a restart
// does not open every connection at once. The composition root starts and stops it; the
// services call it through AccountSync (services/account-sync.ts): the accounts service to
// refresh or stop a mailbox, the messages service when the panel queued changes.
import type { BlobStore } from '../lib/blob-store.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { FoldersRepository } from '../db/repositories/folders.repository.js';
import type { MessageStore } from '../db/message-store/message-store.js';
import type { SyncAccountsRepository } from '../db/repositories/sync-accounts.repository.js';
import type { Publish } from '../services/event-bus.js';
import type { AccountSync } from '../services/account-sync.js';
import { defaultImapTimeouts } from '../mail/imap/client.js';
import { AccountSession, type CredentialsFor, type SessionTimings } from './account-session.js';
import { defaultBackoff } from '../lib/backoff.js';
import { FolderSync, defaultFolderSyncOptions, type FolderSyncOptions } from './folder-sync.js';
import { PendingChangeApplier } from './pending-changes.js';
import type { MessageContentParser } from '../services/message-content.js';
import type { SyncScaleHooks } from '../scale/sync-hooks.js';
import { MailboxVerifier, defaultVerificationOptions, type VerificationOptions } from './verification.js';
import { VerificationSchedule } from './verification-schedule.js';

export interface SyncEngineOptions {
  timings: SessionTimings;
  folderSync: FolderSyncOptions;
  /** sessions start this far apart (plus jitter) at start-up */
  staggerMs: number;
  /** how often each account's copy is checked and verified against the server */
  verification: VerificationOptions;
}

export const defaultSyncEngineOptions: SyncEngineOptions = {
  timings: {
    pollIntervalMs: 45_000,
    livenessTimeoutMs: 20_000,
    backoff: defaultBackoff,
    imap: { ...defaultImapTimeouts, socketTimeoutMs: 90_000, maxIdleTimeMs: 10 * 60_000 },
  },
  folderSync: defaultFolderSyncOptions,
  staggerMs: 250,
  verification: defaultVerificationOptions,
};

export interface SyncEngineDeps {
  accounts: SyncAccountsRepository;
  folders: FoldersRepository;
  /** the message store the engine writes through (fenced on PostgreSQL) */
  messages: MessageStore;
  /** parses bodies stored headers-first (shared with the panel) */
  content: Pick<MessageContentParser, 'drain'>;
  blobs: BlobStore;
  /** account.status events; message events come from the store */
  publish: Publish;
  clock: Clock;
  logger: Logger;
  credentialsFor: CredentialsFor;
  /**
   * Scale-out: which accounts this process syncs (leases), the fencing context
   * of a session, and a per-server gate for opening connections. Absent: sync every account.
   */
  scale?: SyncScaleHooks;
}

export class SyncEngine implements AccountSync {
  private readonly sessions = new Map<string, AccountSession>();
  private readonly verifications = new Map<string, VerificationSchedule>();
  private readonly verifier: MailboxVerifier;
  private readonly folderSync: FolderSync;
  private readonly pending: PendingChangeApplier;
  private started = false;
  private readonly log: Logger;

  constructor(
    private readonly deps: SyncEngineDeps,
    private readonly options: SyncEngineOptions = defaultSyncEngineOptions,
  ) {
    this.log = deps.logger.child({ component: 'sync' });
    this.folderSync = new FolderSync(
      { messages: deps.messages, folders: deps.folders, blobs: deps.blobs, clock: deps.clock, logger: this.log },
      options.folderSync,
    );
    this.pending = new PendingChangeApplier({ messages: deps.messages, folders: deps.folders, logger: this.log });
    this.verifier = new MailboxVerifier(
      {
        accounts: deps.accounts,
        folders: deps.folders,
        messages: deps.messages,
        folderSync: this.folderSync,
        credentialsFor: deps.credentialsFor,
        clock: deps.clock,
        logger: this.log,
        publish: deps.publish,
        imap: options.timings.imap,
        connectGate: deps.scale && ((server) => deps.scale!.connectGate(server)),
      },
      options.verification,
    );
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Scale-out: accounts another worker holds are left to it.
    const accounts = (await this.deps.accounts.listSyncable()).filter(
      (account) => this.deps.scale?.shouldSync(account.id) ?? true,
    );
    accounts.forEach((account, index) => {
      const delay =
        index === 0 ? 0 : index * this.options.staggerMs + Math.floor(Math.random() * this.options.staggerMs);
      this.startSession(account.id, delay);
    });
    this.log.info({ accounts: accounts.length }, 'sync engine started');
  }

  async stop(): Promise<void> {
    this.started = false;
    const sessions = [...this.sessions.values()];
    const verifications = [...this.verifications.values()];
    this.sessions.clear();
    this.verifications.clear();
    await Promise.all([...sessions.map((s) => s.stop()), ...verifications.map((v) => v.stop())]);
  }

  /** An account was added, changed, re-authenticated, or its owner asked to sync now. */
  async refreshAccount(accountId: string): Promise<void> {
    if (!this.started) return;
    const account = await this.deps.accounts.findById(accountId);
    const syncable =
      account !== undefined &&
      account.enabled === 1 &&
      account.archived_at === null &&
      account.secret !== null &&
      account.allow_receive === 1;
    const session = this.sessions.get(accountId);
    // Scale-out: another worker may hold the lease; try to take it if nobody does.
    if (syncable && this.deps.scale && !this.deps.scale.shouldSync(accountId)) {
      await this.removeAccount(accountId);
      this.deps.scale.requestClaim(accountId);
      return;
    }
    if (!syncable) {
      await this.removeAccount(accountId);
      return;
    }
    if (session?.running) {
      session.wake('refresh');
      return;
    }
    // A halted session (rejected login) or none yet: start afresh.
    if (session) {
      this.sessions.delete(accountId);
      await session.stop();
    }
    this.startSession(accountId, 0);
  }

  async removeAccount(accountId: string): Promise<void> {
    const verification = this.verifications.get(accountId);
    this.verifications.delete(accountId);
    await verification?.stop();
    const session = this.sessions.get(accountId);
    if (!session) return;
    this.sessions.delete(accountId);
    await session.stop();
  }

  /** For the owner: compare the copy with the server now, in full. */
  verifyAccount(accountId: string): void {
    this.verifications.get(accountId)?.requestFull();
  }

  /** For the panel: changes were queued for this account. */
  notifyPendingChanges(accountId: string): void {
    this.sessions.get(accountId)?.wake('pending');
  }

  private startSession(accountId: string, delayMs: number): void {
    const session = new AccountSession(accountId, {
      accounts: this.deps.accounts,
      folders: this.deps.folders,
      messages: this.deps.messages,
      folderSync: this.folderSync,
      pending: this.pending,
      content: this.deps.content,
      credentialsFor: this.deps.credentialsFor,
      clock: this.deps.clock,
      logger: this.log,
      publish: this.deps.publish,
      timings: this.options.timings,
      connectGate: this.deps.scale && ((server) => this.deps.scale!.connectGate(server)),
      onReconnected: () => this.verifyAccount(accountId),
    });
    this.sessions.set(accountId, session);
    // Scale-out: the session's writes are fenced with the lease it starts under.
    const scale = this.deps.scale;
    const context = <T>(work: () => T): T => (scale ? scale.runAs(accountId, work) : work());
    context(() => session.start(delayMs));
    if (!this.verifications.has(accountId)) {
      const verification = new VerificationSchedule(
        accountId,
        { verifier: this.verifier, accounts: this.deps.accounts, clock: this.deps.clock, logger: this.log, context },
        this.options.verification,
      );
      this.verifications.set(accountId, verification);
      verification.start();
    }
  }
}
