// What every module shares: the configuration, the database (migrated), the secret box, the blob
// store, the event bus, the clock and the logger.
import path from 'node:path';
import type { Config } from '../config.js';
import { createDatabase, migrateToLatest, type Db } from '../db/database.js';
import { BlobStore } from '../lib/blob-store.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { protectDataOnDisk } from '../lib/private-files.js';
import { SecretBox, loadSecretKey } from '../lib/secret-box.js';
import { EventBus } from '../services/event-bus.js';

export interface Core {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Db;
  secrets: SecretBox;
  blobs: BlobStore;
  events: EventBus;
}

export async function createCore(config: Config, logger: Logger, clock: Clock): Promise<Core> {
  protectDataOnDisk(config.dataDir, config.database.kind === 'sqlite' ? config.database.file : undefined, logger);
  const db = createDatabase(config.database);
  await migrateToLatest(db);
  return {
    config,
    logger,
    clock,
    db,
    secrets: new SecretBox(loadSecretKey(config.secretKey, config.dataDir)),
    blobs: new BlobStore(path.join(config.dataDir, 'blobs')),
    events: new EventBus(),
  };
}
