// The data directory holds every stored message, the secret key and (on SQLite) the database:
// only the user Mailyard runs as may read it. It is created 0700 and the database files 0600,
// and an existing directory or file that others could read is tightened at start-up.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger.js';

const sqliteCompanions = ['', '-wal', '-shm', '-journal'];

/** Creates or tightens the data directory (0700) and the SQLite file and its companions (0600). */
export function protectDataOnDisk(dataDir: string, sqliteFile: string | undefined, log: Logger): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tighten(dataDir, 0o700, log, 'data directory');
  if (sqliteFile === undefined || sqliteFile === ':memory:') return;
  // SQLite gives the -wal and -shm files the database file's own mode: create it 0600 first.
  mkdirSync(path.dirname(sqliteFile), { recursive: true, mode: 0o700 });
  if (!existsSync(sqliteFile)) closeSync(openSync(sqliteFile, 'a', 0o600));
  for (const suffix of sqliteCompanions) {
    const file = sqliteFile + suffix;
    if (existsSync(file)) tighten(file, 0o600, log, 'database file');
  }
}

function tighten(file: string, mode: number, log: Logger, what: string): void {
  const current = statSync(file).mode & 0o777;
  if ((current & ~mode) === 0) return;
  chmodSync(file, mode);
  log.warn({ path: file, was: current.toString(8), now: mode.toString(8) }, `tightened the ${what}: other users could read it`);
}
