// Scale-out, put together for the composition root. On PostgreSQL: mailbox leases with
// fenced sync writes, live events and sync requests across processes. On SQLite: one syncing
// process per database, enforced by a lock file. On both: a per-server cap on IMAP connections
// being opened at once.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseConfig, Db } from '../db/database.js';
import type { MessageStore } from '../db/message-store/message-store.js';
import type { AccountSync } from '../services/account-sync.js';
import type { Logger } from '../lib/logger.js';
import type { EventBus } from '../services/event-bus.js';
import { ConnectionGate } from './connection-gate.js';
import { EventBridge } from './event-bridge.js';
import { createFencedDatabase } from './fenced-database.js';
import { LeasesRepository } from './leases.repository.js';
import { MailboxOwnership } from './ownership.js';
import { acquireSqliteWorkerLock, type WorkerLock } from './sqlite-worker-lock.js';
import type { SyncScaleHooks } from './sync-hooks.js';

/** Mailbox leases and connection manners when several workers share PostgreSQL (read in config.ts). */
export interface ScaleConfig {
  /** a worker that has not renewed its leases for this long loses them (MAILYARD_LEASE_TTL_MS) */
  leaseTtlMs: number;
  /** how often a worker renews its leases and rebalances (MAILYARD_HEARTBEAT_MS) */
  heartbeatMs: number;
  /** IMAP connections being opened at once to one server (MAILYARD_IMAP_CONNECTS_PER_SERVER) */
  imapConnectsPerServer: number;
}

/** What scale-out reads of the configuration. */
export interface ScaleOutConfig {
  database: DatabaseConfig;
  dataDir: string;
  port: number;
  scale: ScaleConfig;
}

export interface ScaleOutDeps {
  config: ScaleOutConfig;
  db: Db;
  events: EventBus;
  /** the panel's message store */
  messages: Pick<MessageStore, 'listItem'>;
  logger: Logger;
}

export class ScaleOut {
  readonly ownership: MailboxOwnership | undefined;
  /** the sync engine's database: fenced on PostgreSQL */
  readonly syncDb: Db;
  readonly hooks: SyncScaleHooks;
  private readonly bridge: EventBridge | undefined;
  private readonly gate: ConnectionGate;
  private engine: AccountSync | undefined;
  private lock: WorkerLock | undefined;

  constructor(private readonly deps: ScaleOutDeps) {
    const { config, db, logger } = deps;
    this.gate = new ConnectionGate(config.scale.imapConnectsPerServer);
    const engine = () => {
      if (!this.engine) throw new Error('scale-out: the sync engine is not attached');
      return this.engine;
    };
    if (config.database.kind === 'postgres') {
      const ownership = new MailboxOwnership(new LeasesRepository(db), engine, logger, {
        workerId: workerIdentity(config),
        leaseTtlMs: config.scale.leaseTtlMs,
        heartbeatMs: config.scale.heartbeatMs,
        staggerWindowMs: 5_000,
      });
      this.ownership = ownership;
      this.syncDb = createFencedDatabase(config.database.url, ownership, config.scale.leaseTtlMs / 2);
      this.bridge = new EventBridge({
        url: config.database.url,
        events: deps.events,
        logger,
        // A message whose event was too large for NOTIFY, read back in its list shape.
        load: (id) => deps.messages.listItem(id),
        onSyncRequest: (accountId, op) => {
          if (!this.engine) return;
          if (op === 'pending') return this.engine.notifyPendingChanges(accountId);
          if (op === 'verify') return this.engine.verifyAccount(accountId);
          const done = op === 'refresh' ? this.engine.refreshAccount(accountId) : this.engine.removeAccount(accountId);
          done.catch(() => undefined);
        },
      });
      this.hooks = {
        shouldSync: (id) => ownership.holds(id),
        requestClaim: (id) => ownership.requestClaim(id),
        runAs: (id, start) => ownership.runAs(id, start),
        connectGate: (server) => this.gate.acquire(server),
      };
    } else {
      this.ownership = undefined;
      this.syncDb = db;
      this.bridge = undefined;
      this.hooks = {
        shouldSync: () => true,
        requestClaim: () => undefined,
        runAs: (_id, start) => start(),
        connectGate: (server) => this.gate.acquire(server),
      };
    }
  }

  attach(engine: AccountSync): void {
    this.engine = engine;
  }

  /** What the services call: this process's engine and, on PostgreSQL, the worker holding the account. */
  accountSync(engine: AccountSync): AccountSync {
    return {
      notifyPendingChanges: (id) => {
        engine.notifyPendingChanges(id);
        this.bridge?.requestSync(id, 'pending');
      },
      verifyAccount: (id) => {
        engine.verifyAccount(id);
        this.bridge?.requestSync(id, 'verify');
      },
      refreshAccount: async (id) => {
        await engine.refreshAccount(id);
        this.bridge?.requestSync(id, 'refresh');
      },
      removeAccount: async (id) => {
        await engine.removeAccount(id);
        this.bridge?.requestSync(id, 'remove');
      },
    };
  }

  /** Live events from and to other processes (every role, PostgreSQL only). */
  async startEvents(): Promise<void> {
    await this.bridge?.start();
  }

  /** Before the sync engine starts: the SQLite lock. */
  acquireWorker(): void {
    const { database, dataDir } = this.deps.config;
    if (database.kind !== 'sqlite' || this.lock) return;
    const shown = path.relative(path.dirname(dataDir), database.file) || database.file;
    this.lock = acquireSqliteWorkerLock(database.file, shown);
  }

  /** After the sync engine started: take mailboxes. */
  async startOwnership(): Promise<void> {
    await this.ownership?.start();
  }

  /** Sessions stop and leases go back before the engine stops. */
  async stopWorker(): Promise<void> {
    await this.ownership?.stop();
    this.lock?.release();
    this.lock = undefined;
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.bridge?.stop();
    if (this.syncDb !== this.deps.db) await this.syncDb.destroy();
  }
}

/**
 * The same process restarted (same host, port and data directory) is the same worker. With a
 * random port (0) two processes could share the rest, so the pid tells them apart.
 */
function workerIdentity(config: ScaleOutConfig): string {
  const where = `${config.port === 0 ? `pid ${process.pid}` : config.port}\n${config.dataDir}`;
  return `${os.hostname()}-${createHash('sha256').update(where).digest('hex').slice(0, 12)}`;
}
