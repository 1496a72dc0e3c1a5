// The data directory and the database files on disk, on SQLite and PostgreSQL: only the user
// Mailyard runs as may read them, and a directory others could read is tightened at start-up.
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { dialects } from '../support/database.js';
import { startTestApp } from '../support/app.js';

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe.each(dialects)('private data on disk on %s', (dialect) => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'mailyard-disk-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  /** The data directory (and an SQLite database in it) at `dir`. */
  const inDir = (dir: string) => (c: Config): Config => ({
    ...c,
    dataDir: dir,
    database: c.database.kind === 'sqlite' ? { kind: 'sqlite', file: path.join(dir, 'mailyard.db') } : c.database,
  });

  it('creates the data directory 0700 and the database files 0600', async () => {
    const dir = path.join(parent, 'fresh', 'data');
    const t = await startTestApp(dialect, { configure: inDir(dir) });
    try {
      // some writes, so SQLite has its -wal and -shm files
      await t.admin.post('/api/v1/me/tokens', { name: 'disk' }).expect(201);
      expect(modeOf(dir)).toBe('700');
      if (dialect === 'sqlite') {
        for (const suffix of ['', '-wal', '-shm']) {
          expect(existsSync(path.join(dir, `mailyard.db${suffix}`))).toBe(true);
          expect(modeOf(path.join(dir, `mailyard.db${suffix}`))).toBe('600');
        }
      }
      expect(modeOf(path.join(dir, 'secret.key'))).toBe('600');
    } finally {
      await t.close();
    }
  });

  it('tightens an existing directory and database file that others could read, and says so', async () => {
    const dir = path.join(parent, 'existing');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    if (dialect === 'sqlite') {
      closeSync(openSync(path.join(dir, 'mailyard.db'), 'a', 0o644));
      chmodSync(path.join(dir, 'mailyard.db'), 0o644);
    }
    const t = await startTestApp(dialect, { configure: inDir(dir) });
    try {
      expect(modeOf(dir)).toBe('700');
      expect(t.logLines.some((l) => l.includes('tightened the data directory') && l.includes(dir))).toBe(true);
      if (dialect === 'sqlite') expect(modeOf(path.join(dir, 'mailyard.db'))).toBe('600');
    } finally {
      await t.close();
    }
  });
});
