// The real account session (sync/account-session.ts) over a real IMAP connection, which a test
// can hold at a named step: a folder's sync starting, a listing or download batch committed, the
// queued changes about to be applied. While it is held the test makes changes through the API or
// on the server, then releases it, so every window between two steps of a sync is reached the
// same way on every run, without sleeping. A change made through the API wakes it as it wakes the
// engine's own sessions (`SyncEngine.notifyPendingChanges`, which the messages service calls).
import type { ImapFlow } from 'imapflow';
import type { TestApp } from './app.js';
import { seedImapAccount } from './sync.js';
import { fastSyncOptions } from './sync.js';
import { userIdOf } from './messages.js';
import type { ImapServerUnderTest } from './imap-servers.js';
import type { TcpProxy } from './tcp-proxy.js';
import { AccountSession } from '../../src/sync/account-session.js';
import { FolderSync, defaultFolderSyncOptions, type FolderSyncOptions, type SyncHooks, type SyncTarget } from '../../src/sync/folder-sync.js';
import { PendingChangeApplier } from '../../src/sync/pending-changes.js';
import type { SyncEngine } from '../../src/sync/engine.js';
import { FoldersRepository } from '../../src/db/repositories/folders.repository.js';
import { MessageStore } from '../../src/db/message-store/message-store.js';
import { SyncAccountsRepository, type SyncStatusUpdate } from '../../src/db/repositories/sync-accounts.repository.js';
import { MessageContentParser } from '../../src/services/message-content.js';
import { createLogger } from '../../src/lib/logger.js';
import { systemClock } from '../../src/lib/clock.js';
import type { ServerEvent } from '../../src/domain/events.js';
import { getRig, type MailUser } from '../rig/index.js';

export type SyncStep =
  /** the session is about to apply the changes queued for the account */
  | { kind: 'apply' }
  /** a folder's sync starts (`full`: the flag and expunge checks run even without news) */
  | { kind: 'folder'; folder: string; full: boolean }
  /** a batch of a folder's listing was committed (the `batch`-th of this sync of the folder) */
  | { kind: 'listed'; folder: string; batch: number }
  /** a batch of a folder's source downloads was committed */
  | { kind: 'downloaded'; folder: string; batch: number };

export interface Held {
  step: SyncStep;
  release: () => void;
}

/** The IMAP commands by which the session changes the server. */
export type ServerCommand = 'messageFlagsAdd' | 'messageFlagsRemove' | 'messageMove' | 'messageDelete';
const serverCommands: readonly string[] = ['messageFlagsAdd', 'messageFlagsRemove', 'messageMove', 'messageDelete'];

export interface SteppedSessionOptions {
  server: ImapServerUnderTest;
  user: MailUser;
  /** folders listed headers-first, batch sizes; the engine's defaults otherwise */
  folderSync?: Partial<FolderSyncOptions>;
  /** connect through this proxy (a port in front of `server`) */
  proxy?: TcpProxy;
  /** called before each command that changes the server, with the client that sends it */
  beforeServerCommand?: (command: ServerCommand, args: unknown[]) => void;
}

export interface SteppedSession {
  accountId: string;
  /** Starts the session (arm the holds of its first pass before). */
  start(): void;
  /** Resolves when the session reaches the next step that `match` accepts; it waits there until released. */
  holdAt(match: (step: SyncStep) => boolean): Promise<Held>;
  /** Resolves when the pass under way (or else the next one) has ended with the account idle. */
  passEnded(): Promise<void>;
  /** Starts a further pass (as "sync now" does) and resolves when it has ended. */
  furtherPass(): Promise<void>;
  /** Arms a hold, starts a further pass, and resolves when the pass reaches the step. */
  furtherPassHeldAt(match: (step: SyncStep) => boolean): Promise<Held>;
  /** account states written, in order */
  states: string[];
  /** Calls `listener` with each event the session's own writes publish (not the panel's). */
  onSyncEvent(listener: (event: ServerEvent) => void): () => void;
  stop(): Promise<void>;
}

export async function createSteppedSession(t: TestApp, options: SteppedSessionOptions): Promise<SteppedSession> {
  const { server, user } = options;
  const endpoint = server.endpoint();
  const accountId = await seedImapAccount(t.container.db, t.container.secrets, {
    userId: await userIdOf(t.admin),
    mailUser: user,
    rig: getRig(),
    port: options.proxy?.port ?? endpoint.port,
    security: 'tls',
    syncPeriod: 'all',
  });

  const holds: { match: (step: SyncStep) => boolean; reached: (held: Held) => void }[] = [];
  const holding = new Set<() => void>();
  const reach = async (step: SyncStep): Promise<void> => {
    const index = holds.findIndex((h) => h.match(step));
    if (index < 0) return;
    const [hold] = holds.splice(index, 1);
    await new Promise<void>((resolve) => {
      const release = () => {
        holding.delete(release);
        resolve();
      };
      holding.add(release);
      hold?.reached({ step, release });
    });
  };
  const holdAt = (match: (step: SyncStep) => boolean) =>
    new Promise<Held>((reached) => holds.push({ match, reached }));

  // Passes: each begins with the folder list (reconcile) and ends when the account is idle again.
  let inPass = false;
  let ended = 0;
  let waiters: { after: number; done: () => void }[] = [];
  const states: string[] = [];
  const db = t.container.db;
  const accounts = new SyncAccountsRepository(db);
  const folders = new FoldersRepository(db);
  // The session's own store, as the engine has its own (modules/sync.ts): its events are the sync's.
  const syncListeners = new Set<(event: ServerEvent) => void>();
  const publish = (event: ServerEvent) => {
    for (const listener of syncListeners) listener(event);
    t.container.events.publish(event);
  };
  const messages = new MessageStore({ db, clock: systemClock, publish });
  const observedAccounts = Object.assign(Object.create(accounts) as SyncAccountsRepository, {
    async updateStatus(id: string, changes: SyncStatusUpdate, now: number) {
      await accounts.updateStatus(id, changes, now);
      if (changes.state) states.push(changes.state);
      if (changes.state === 'idle' && inPass) {
        inPass = false;
        ended += 1;
        const ready = waiters.filter((w) => ended > w.after);
        waiters = waiters.filter((w) => ended <= w.after);
        for (const w of ready) w.done();
      }
    },
  });
  const observedFolders = Object.assign(Object.create(folders) as FoldersRepository, {
    reconcile: (...args: Parameters<FoldersRepository['reconcile']>) => {
      inPass = true;
      return folders.reconcile(...args);
    },
  });
  const passEnded = (after: number) => new Promise<void>((done) => waiters.push({ after, done }));

  const silent = createLogger(process.env.MAILYARD_TEST_SYNC_LOG === '1' ? 'debug' : 'silent');
  const folderSync = new SteppedFolderSync(
    { messages, folders, blobs: t.container.blobs, clock: systemClock, logger: silent },
    { ...defaultFolderSyncOptions, parseWorkers: 0, ...options.folderSync },
    reach,
  );
  const pending = new SteppedApplier(
    { messages, folders, logger: silent },
    reach,
    options.beforeServerCommand,
  );
  const session = new AccountSession(accountId, {
    accounts: observedAccounts,
    folders: observedFolders,
    messages,
    folderSync,
    pending,
    content: new MessageContentParser({ blobs: t.container.blobs, logger: silent }),
    credentialsFor: (account) => {
      const secret = JSON.parse(t.container.secrets.decrypt(account.secret ?? '')) as { password: string };
      return Promise.resolve({ user: account.login, password: secret.password });
    },
    clock: systemClock,
    logger: silent,
    publish,
    // Passes happen when a test asks for one, never on a timer.
    timings: { ...fastSyncOptions.timings, pollIntervalMs: 10 * 60_000 },
  });
  const unsubscribe = wakeOnQueuedChanges(t.container.sync, accountId, () => session.wake('pending'));

  return {
    accountId,
    start: () => session.start(),
    holdAt,
    passEnded: () => passEnded(ended),
    furtherPass: () => {
      const done = passEnded(ended);
      session.wake('refresh');
      return done;
    },
    furtherPassHeldAt: (match) => {
      const held = holdAt(match);
      session.wake('refresh');
      return held;
    },
    states,
    onSyncEvent: (listener) => {
      syncListeners.add(listener);
      return () => syncListeners.delete(listener);
    },
    stop: async () => {
      unsubscribe();
      // Whatever is held goes on, so the session can stop.
      holds.splice(0);
      for (const release of [...holding]) release();
      await session.stop();
      await folderSync.close();
    },
  };
}

/** Stepped sessions by account, woken where the engine wakes its own sessions. */
const stepped = new WeakMap<SyncEngine, Map<string, () => void>>();

function wakeOnQueuedChanges(engine: SyncEngine, accountId: string, wake: () => void): () => void {
  const sessions = stepped.get(engine) ?? new Map<string, () => void>();
  if (!stepped.has(engine)) {
    const own = engine.notifyPendingChanges.bind(engine);
    engine.notifyPendingChanges = (id) => {
      own(id);
      sessions.get(id)?.();
    };
    stepped.set(engine, sessions);
  }
  sessions.set(accountId, wake);
  return () => sessions.delete(accountId);
}

/** FolderSync with the steps of each folder's sync reported to the test. */
class SteppedFolderSync extends FolderSync {
  constructor(
    deps: ConstructorParameters<typeof FolderSync>[0],
    options: FolderSyncOptions,
    private readonly reach: (step: SyncStep) => Promise<void>,
  ) {
    super(deps, options);
  }

  override async sync(client: ImapFlow, target: SyncTarget, hooks: SyncHooks, full: boolean): Promise<void> {
    const folder = target.folder.path;
    await this.reach({ kind: 'folder', folder, full });
    let batch = 0;
    return super.sync(client, target, this.after(hooks, () => this.reach({ kind: 'listed', folder, batch: ++batch })), full);
  }

  override async downloadSources(client: ImapFlow, target: SyncTarget, hooks: SyncHooks, pause: () => boolean): Promise<boolean> {
    const folder = target.folder.path;
    let batch = 0;
    return super.downloadSources(
      client,
      target,
      this.after(hooks, () => this.reach({ kind: 'downloaded', folder, batch: ++batch })),
      pause,
    );
  }

  private after(hooks: SyncHooks, step: () => Promise<void>): SyncHooks {
    return {
      ...hooks,
      onProgress: async (count) => {
        await hooks.onProgress(count);
        await step();
      },
    };
  }
}

/** PendingChangeApplier that reports when it starts, and lets the test watch the commands it sends. */
class SteppedApplier extends PendingChangeApplier {
  constructor(
    deps: ConstructorParameters<typeof PendingChangeApplier>[0],
    private readonly reach: (step: SyncStep) => Promise<void>,
    private readonly beforeServerCommand: SteppedSessionOptions['beforeServerCommand'],
  ) {
    super(deps);
  }

  override async applyAll(client: ImapFlow, accountId: string): Promise<number> {
    await this.reach({ kind: 'apply' });
    return super.applyAll(this.watched(client), accountId);
  }

  private watched(client: ImapFlow): ImapFlow {
    const before = this.beforeServerCommand;
    if (!before) return client;
    return new Proxy(client, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (typeof property === 'string' && serverCommands.includes(property))
          return (...args: unknown[]) => {
            before(property as ServerCommand, args);
            return method.apply(target, args);
          };
        return method.bind(target);
      },
    });
  }
}
