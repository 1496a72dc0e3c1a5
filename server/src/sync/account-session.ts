// One long-lived IMAP session per account. A loop that connects (a fresh client every time),
// brings every synced folder up to date, then IDLEs on INBOX until something happens: new mail
// or changes in INBOX (push), a pending change from the panel, the poll timer (other folders,
// liveness), or a refresh. Connection failures back off with full jitter; a rejected login stops
// the session and tells the owner what to do.
import type { ImapFlow } from 'imapflow';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { FolderRow } from '../db/schema.js';
import type { FoldersRepository } from '../db/repositories/folders.repository.js';
import type { MessageStore } from '../db/message-store/message-store.js';
import type {
  SyncAccount,
  SyncAccountsRepository,
  SyncStatusUpdate,
} from '../db/repositories/sync-accounts.repository.js';
import type { ServerEvent } from '../domain/events.js';
import { parseFolderSelection, toAccountStatus, type AccountErrorAction } from '../domain/account.js';
import { AppError } from '../domain/errors.js';
import {
  createImapClient,
  toServerFolder,
  type ImapCredentials,
  type ImapTimeouts,
} from '../mail/imap/client.js';
import { classifyImapError, ImapTimeoutError, type ImapFailure } from '../mail/imap/errors.js';
import { backoffDelay, type BackoffPolicy } from '../lib/backoff.js';
import type { FolderSync, SyncHooks, SyncTarget } from './folder-sync.js';
import type { PendingChangeApplier } from './pending-changes.js';
import type { MessageContentParser } from '../services/message-content.js';
import { isLeaseLost } from '../scale/lease-lost.js';
import type { ImapServer } from '../scale/sync-hooks.js';

export type CredentialsFor = (account: SyncAccount) => Promise<ImapCredentials>;

export interface SessionTimings {
  /** other folders are checked, and the connection probed, at least this often */
  pollIntervalMs: number;
  /** a liveness probe (NOOP) that takes longer than this replaces the connection */
  livenessTimeoutMs: number;
  backoff: BackoffPolicy;
  imap: Partial<ImapTimeouts>;
}

export interface SessionDeps {
  accounts: SyncAccountsRepository;
  folders: FoldersRepository;
  /** the sync engine's message store (fenced on PostgreSQL) */
  messages: MessageStore;
  folderSync: FolderSync;
  pending: PendingChangeApplier;
  /** parses the bodies of messages stored headers-first */
  content: Pick<MessageContentParser, 'drain'>;
  credentialsFor: CredentialsFor;
  clock: Clock;
  logger: Logger;
  publish(event: ServerEvent): void;
  timings: SessionTimings;
  /** scale-out: resolves when a connection to the server may be opened */
  connectGate?: ((server: ImapServer) => Promise<() => void>) | undefined;
  /** the session is back after a gap in its connection, caught up (a verification follows) */
  onReconnected?: (() => void) | undefined;
}

type WakeReason = 'inbox' | 'pending' | 'poll' | 'refresh' | 'closed' | 'stop';

/** Stops the session without retrying: the owner has to act first. */
class SessionHalted extends Error {
  override name = 'SessionHalted';
}

const INBOX = 'INBOX';
const noProgress: SyncHooks = { onProgress: () => undefined };

export class AccountSession {
  private stopped = false;
  private finished = false;
  private client: ImapFlow | undefined;
  private wakeUp: ((reason: WakeReason) => void) | undefined;
  private readonly dirty = new Set<WakeReason>();
  private failures = 0;
  private connections = 0;
  private done: Promise<void> | undefined;
  private parsingBodies: Promise<void> | undefined;
  private parseBodiesAgain = false;
  private readonly log: Logger;

  constructor(
    readonly accountId: string,
    private readonly deps: SessionDeps,
  ) {
    this.log = deps.logger.child({ accountId });
  }

  /** Starts the loop after `delayMs` (start-up staggering). */
  start(delayMs = 0): void {
    this.done ??= this.run(delayMs)
      .catch((error: unknown) => {
        this.log.error({ err: error }, 'sync session crashed');
      })
      .finally(() => {
        this.finished = true;
      });
  }

  /** False once the loop has ended (a rejected login halts it), so a refresh starts a new session. */
  get running(): boolean {
    return this.done !== undefined && !this.stopped && !this.finished;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake('stop');
    const client = this.client;
    if (client) {
      await Promise.race([client.logout().catch(() => undefined), sleep(2_000)]);
      client.close();
    }
    await this.done;
    await this.parsingBodies;
  }

  wake(reason: WakeReason): void {
    this.dirty.add(reason);
    this.wakeUp?.(reason);
  }

  private async run(delayMs: number): Promise<void> {
    if (delayMs > 0) await this.pause(delayMs);
    while (!this.stopped) {
      try {
        await this.serve();
      } catch (error) {
        if (this.stopped) break;
        // Scale-out: another worker took the mailbox over; it carries on from here.
        if (isLeaseLost(error)) return;
        if (error instanceof SessionHalted) return;
        const failure = this.failureOf(error);
        if (failure.kind === 'auth') {
          await this.halt(failure);
          return;
        }
        this.failures += 1;
        this.log.info({ code: failure.code, failures: this.failures }, 'sync connection failed; retrying');
        // A TLS problem, or a server that keeps failing, is shown to the owner while we retry.
        if (failure.kind === 'tls' || this.failures >= 3) {
          await this.setStatus({
            state: 'error',
            error_code: failure.code,
            error_message: failure.message,
            error_action: 'retry',
            error_at: this.deps.clock.now(),
          });
        } else {
          await this.setStatus({ state: 'connecting' });
        }
        await this.pause(backoffDelay(this.failures, this.deps.timings.backoff));
      } finally {
        this.client?.close();
        this.client = undefined;
      }
    }
  }

  private failureOf(error: unknown): ImapFailure {
    if (error instanceof AppError && (error.code === 'auth_failed' || error.code === 'oauth_failed')) {
      return { kind: 'auth', code: 'auth_failed', message: error.message };
    }
    return classifyImapError(error);
  }

  /** A login the server rejects stays rejected: stop, and ask the owner to fix it. */
  private async halt(failure: ImapFailure): Promise<void> {
    const account = await this.deps.accounts.findById(this.accountId);
    const action: AccountErrorAction =
      account?.auth_method === 'oauth2' ? 'sign_in_again' : 'enter_new_password';
    this.log.warn(
      { code: failure.code },
      'mail server rejected the login; sync stopped until the owner acts',
    );
    await this.setStatus({
      state: 'error',
      error_code: 'auth_failed',
      error_message: failure.message,
      error_action: action,
      error_at: this.deps.clock.now(),
    });
  }

  private async serve(): Promise<void> {
    const account = await this.deps.accounts.findById(this.accountId);
    if (!account || account.enabled !== 1 || account.archived_at !== null || account.secret === null)
      throw new SessionHalted();
    if (this.failures === 0 && account.state !== 'syncing') await this.setStatus({ state: 'connecting' });

    const credentials = await this.deps.credentialsFor(account);
    const client = createImapClient(
      {
        host: account.imap_host,
        port: account.imap_port,
        security: account.imap_security,
        tlsFingerprint: account.tls_fingerprint,
      },
      credentials,
      // QRESYNC where offered: a SELECT reports the flag changes and expunges since the last sync.
      { logger: this.log, timeouts: this.deps.timings.imap, qresync: true },
    );
    this.client = client;
    const onInboxChange = (event: { path: string }) => {
      if (event.path === INBOX) this.wake('inbox');
    };
    client.on('exists', onInboxChange);
    client.on('expunge', onInboxChange);
    client.on('flags', onInboxChange);
    client.on('close', () => this.wake('closed'));
    // Scale-out: only so many connections to one server are being opened at once.
    const opened = await this.deps.connectGate?.({ host: account.imap_host, port: account.imap_port });
    try {
      await client.connect();
    } finally {
      opened?.();
    }
    if (this.stopped) return;

    this.dirty.clear();
    // Bodies a previous process stored headers-first and did not get to parse.
    this.parseWaitingBodies();
    await this.fullPass(client, account, true);
    this.failures = 0;
    if (this.connections++ > 0) this.deps.onReconnected?.();

    while (!this.stopped) {
      const reason = await this.idle(client);
      if (reason === 'stop') return;
      if (reason === 'closed' || !client.usable) throw new Error('connection closed');
      const woke = new Set(this.dirty);
      this.dirty.clear();
      if (woke.has('poll') || woke.has('refresh')) {
        await this.probe(client);
        const fresh = await this.deps.accounts.findById(this.accountId);
        if (!fresh || fresh.enabled !== 1 || fresh.archived_at !== null) throw new SessionHalted();
        await this.fullPass(client, fresh, woke.has('refresh'));
      } else {
        await this.deps.pending.applyAll(client, this.accountId);
        if (woke.has('inbox')) {
          await this.syncInbox(client, account);
          // A re-key of INBOX (new UIDVALIDITY) may have released changes that waited for it.
          await this.deps.pending.applyAll(client, this.accountId);
        }
        await this.setStatus({
          state: 'idle',
          last_sync_at: this.deps.clock.now(),
          error_code: null,
          error_message: null,
          error_action: null,
          error_at: null,
        });
      }
    }
  }

  /** Folder list, pending changes, then every synced folder (INBOX first). */
  private async fullPass(client: ImapFlow, account: SyncAccount, full: boolean): Promise<void> {
    const folders = await this.refreshFolders(client, account);
    await this.deps.pending.applyAll(client, this.accountId);
    const synced = folders.filter((f) => f.synced === 1).sort((a, b) => rank(a) - rank(b));
    const targets = synced.map((folder): SyncTarget => ({
      accountId: account.id,
      accountEmail: account.email,
      syncPeriod: account.sync_period,
      folder,
    }));

    const progress = { done: 0, total: 0 };
    const firstSync =
      synced.some((f) => f.sync_complete !== 1) ||
      (await this.deps.messages.hasPendingSources(synced.map((f) => f.id)));
    if (firstSync) {
      progress.done = await this.deps.messages.countDownloaded(account.id);
      let remaining = 0;
      for (const target of targets)
        remaining += await this.skipMissing(() => this.deps.folderSync.remaining(client, target), 0);
      progress.total = progress.done + remaining;
      await this.setStatus({
        state: 'syncing',
        progress_done: progress.done,
        progress_total: progress.total,
      });
    }
    const hooks = {
      onProgress: async (count: number) => {
        if (!firstSync) return;
        progress.done = Math.min(progress.total, progress.done + count);
        await this.setStatus({
          state: 'syncing',
          progress_done: progress.done,
          progress_total: progress.total,
        });
      },
    };
    for (const target of targets) {
      if (this.stopped) return;
      await this.skipMissing(() => this.deps.folderSync.sync(client, target, hooks, full), undefined);
      this.parseWaitingBodies();
      // Push stays prompt during a long first sync: INBOX news is handled between folders.
      await this.serveNews(client, account, target.folder.path === INBOX);
    }
    // Every folder is listed; now the sources of what was listed from its headers.
    await this.downloadSources(client, account, targets, hooks);
    // Idle means the server has what was done here: changes queued during the last batch, and
    // those that waited for a folder's re-key (pending-changes.ts), go out first.
    this.dirty.delete('pending');
    await this.deps.pending.applyAll(client, this.accountId);
    await this.setStatus({
      state: 'idle',
      progress_done: firstSync ? progress.total : undefined,
      last_sync_at: this.deps.clock.now(),
      error_code: null,
      error_message: null,
      error_action: null,
      error_at: null,
    });
  }

  private async syncInbox(client: ImapFlow, account: SyncAccount): Promise<void> {
    const target = await this.inboxTarget(account);
    if (!target) return;
    await this.skipMissing(() => this.deps.folderSync.sync(client, target, noProgress, false), undefined);
    this.parseWaitingBodies();
    // A large catch-up was listed from its headers: its sources too, before going back to IDLE.
    await this.downloadSources(client, account, [target], noProgress);
  }

  private async inboxTarget(account: SyncAccount): Promise<SyncTarget | undefined> {
    const folders = await this.deps.folders.listByAccount(this.accountId);
    const inbox = folders.find((f) => f.path === INBOX && f.synced === 1);
    if (!inbox) return undefined;
    return { accountId: account.id, accountEmail: account.email, syncPeriod: account.sync_period, folder: inbox };
  }

  /** New INBOX mail and changes made in Mailyard, between the folders of a long pass. */
  private async serveNews(client: ImapFlow, account: SyncAccount, inboxJustSynced: boolean): Promise<void> {
    if (this.dirty.delete('inbox') && !inboxJustSynced) {
      const target = await this.inboxTarget(account);
      if (target) await this.skipMissing(() => this.deps.folderSync.sync(client, target, noProgress, false), undefined);
    }
    if (this.dirty.delete('pending')) await this.deps.pending.applyAll(client, this.accountId);
  }

  /**
   * Downloads the sources of messages listed from their headers (sync/folder-sync.ts), folder by
   * folder, newest first. Push and changes made in Mailyard are served between batches, so a
   * long download does not hold them up.
   */
  private async downloadSources(
    client: ImapFlow,
    account: SyncAccount,
    targets: readonly SyncTarget[],
    hooks: SyncHooks,
  ): Promise<void> {
    const news = () => this.stopped || this.dirty.has('inbox') || this.dirty.has('pending');
    // Sources are stored raw; their bodies are parsed from disk beside the downloads.
    const parsing: SyncHooks = {
      onProgress: async (count) => {
        await hooks.onProgress(count);
        this.parseWaitingBodies();
      },
    };
    for (const target of targets) {
      for (;;) {
        if (this.stopped) return;
        const done = await this.skipMissing(
          () => this.deps.folderSync.downloadSources(client, target, parsing, news),
          true,
        );
        if (done) break;
        await this.serveNews(client, account, false);
      }
    }
  }

  /**
   * Parses the bodies of messages a folder sync stored headers-first (services/message-content.ts),
   * beside the IMAP work: no connection is needed, only the stored raw sources. One run at a time;
   * a call during a run makes it look again before it ends.
   */
  private parseWaitingBodies(): void {
    if (this.parsingBodies) {
      this.parseBodiesAgain = true;
      return;
    }
    this.parsingBodies = (async () => {
      do {
        this.parseBodiesAgain = false;
        await this.deps.content.drain(this.deps.messages, this.accountId, () => this.stopped);
      } while (this.parseBodiesAgain && !this.stopped);
    })()
      .catch((error: unknown) => {
        // Scale-out: another worker holds the mailbox now and carries on from the stored state.
        if (this.stopped || isLeaseLost(error)) return;
        this.log.warn({ err: error }, 'parsing stored message bodies failed; retried on the next sync');
      })
      .finally(() => {
        this.parsingBodies = undefined;
      });
  }

  /** A folder deleted on the server between LIST and SELECT is skipped; the next LIST drops it. */
  private async skipMissing<T>(work: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (this.failureOf(error).kind !== 'command') throw error;
      this.log.info(
        { code: (error as { code?: unknown }).code },
        'a folder command was refused; skipping the folder this time',
      );
      return fallback;
    }
  }

  private async refreshFolders(client: ImapFlow, account: SyncAccount): Promise<FolderRow[]> {
    const selection = parseFolderSelection(account.folders);
    const listing = (await client.list()).map(toServerFolder).map((f) => ({
      path: f.path,
      name: f.name,
      delimiter: f.delimiter,
      specialUse: f.specialUse,
      // A parent does not imply its children: only exact paths are synced.
      synced: f.selectable && (selection === 'all' || selection.includes(f.path)),
    }));
    const before = await this.deps.folders.listByAccount(this.accountId);
    const removed = await this.deps.folders.reconcile(this.accountId, listing, this.deps.clock.now());
    if (removed.length > 0)
      this.log.info(
        { folders: before.filter((f) => removed.includes(f.id)).map((f) => f.path) },
        'folders removed on the server',
      );
    return this.deps.folders.listByAccount(this.accountId);
  }

  /**
   * Waits in IDLE on INBOX until something needs doing. The next command breaks IDLE, so the
   * connection is back in IDLE as soon as the work after a wake-up is done.
   */
  private async idle(client: ImapFlow): Promise<WakeReason> {
    if (this.stopped) return 'stop';
    if (!client.usable) return 'closed';
    if (!client.mailbox || client.mailbox.path !== INBOX) await client.mailboxOpen(INBOX);
    const first = [...this.dirty][0];
    if (first) return first;
    const woken = new Promise<WakeReason>((resolve) => {
      this.wakeUp = resolve;
    });
    const idling = client.idle().catch(() => undefined);
    const timer = setTimeout(() => this.wake('poll'), this.deps.timings.pollIntervalMs);
    try {
      return await woken;
    } finally {
      clearTimeout(timer);
      this.wakeUp = undefined;
      void idling;
    }
  }

  /** NOOP with a deadline: a connection that stopped answering is replaced. */
  private async probe(client: ImapFlow): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ImapTimeoutError('the mail server stopped answering')),
        this.deps.timings.livenessTimeoutMs,
      );
    });
    try {
      await Promise.race([client.noop(), deadline]);
    } catch (error) {
      client.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async pause(ms: number): Promise<void> {
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = (reason) => {
        // A refresh (new password, "retry") skips the rest of the backoff.
        if (reason === 'stop' || reason === 'refresh') finish();
      };
    });
    this.wakeUp = undefined;
  }

  private async setStatus(update: SyncStatusUpdate): Promise<void> {
    const changes = Object.fromEntries(
      Object.entries(update).filter(([, v]) => v !== undefined),
    ) as SyncStatusUpdate;
    const before = await this.deps.accounts.findById(this.accountId);
    if (!before) return;
    const unchanged = Object.entries(changes).every(([k, v]) => before[k as keyof typeof before] === v);
    // last_sync_at alone moves on every wake-up: persist it, but do not flood the event stream.
    const onlyTime = Object.keys(changes).every(
      (k) =>
        k === 'last_sync_at' || before[k as keyof typeof before] === changes[k as keyof SyncStatusUpdate],
    );
    if (unchanged) return;
    await this.deps.accounts.updateStatus(this.accountId, changes, this.deps.clock.now());
    if (onlyTime && before.state === 'idle') return;
    const after = await this.deps.accounts.findById(this.accountId);
    if (after)
      this.deps.publish({
        type: 'account.status',
        accountId: this.accountId,
        data: { ...toAccountStatus(after) },
      });
  }
}

const rank = (folder: FolderRow): number =>
  folder.path === INBOX ? 0 : folder.special_use === '\\Sent' ? 1 : 2;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
