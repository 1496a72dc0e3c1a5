// Every repository and service test runs on both dialects from the same code:
//   describe.each(dialects)('users on %s', (dialect) => { ... })
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import { createPostgresDatabase } from '../rig/index.js';

export const dialects = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof dialects)[number];

export interface TestDatabase {
  database: Config['database'];
  /** a temporary data directory (blobs, key file) */
  dataDir: string;
  cleanup(): Promise<void>;
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-test-'));
  const cleanupDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite') {
    return { database: { kind: 'sqlite', file: path.join(dataDir, 'mailyard.db') }, dataDir, cleanup: () => Promise.resolve(cleanupDir()) };
  }
  const url = await createPostgresDatabase();
  return { database: { kind: 'postgres', url }, dataDir, cleanup: () => Promise.resolve(cleanupDir()) };
}
