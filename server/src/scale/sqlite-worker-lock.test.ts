import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireSqliteWorkerLock, WorkerAlreadyRunningError } from './sqlite-worker-lock.js';

const dbFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'mailyard-lock-')), 'mailyard.db');

describe('SQLite worker lock', () => {
  it('refuses a second worker while the first process lives', async () => {
    const file = dbFile();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(`${file}.worker.lock`, `${other.pid}\n`);
      expect(() => acquireSqliteWorkerLock(file, 'data/mailyard.db')).toThrow(WorkerAlreadyRunningError);
      expect(() => acquireSqliteWorkerLock(file, 'data/mailyard.db')).toThrow(
        `another Mailyard worker is already running on data/mailyard.db (pid ${other.pid})`,
      );
    } finally {
      other.kill('SIGKILL');
    }
    await new Promise((resolve) => other.once('exit', resolve));
    // the holder died without cleaning up (kill -9): its lock is stale
    const lock = acquireSqliteWorkerLock(file);
    lock.release();
    expect(existsSync(`${file}.worker.lock`)).toBe(false);
  });
});
