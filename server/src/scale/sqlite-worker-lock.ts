// On SQLite only one process may sync: a second worker on the same database would sync
// every mailbox twice. The lock is a pid file next to the database, created exclusively; one left
// by a process that died (kill -9) is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export class WorkerAlreadyRunningError extends Error {
  override name = 'WorkerAlreadyRunningError';
}

export interface WorkerLock {
  release(): void;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function acquireSqliteWorkerLock(databaseFile: string, displayName = databaseFile): WorkerLock {
  const lockFile = `${databaseFile}.worker.lock`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(lockFile, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return {
        release: () => {
          try {
            if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) unlinkSync(lockFile);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let pid: number;
    try {
      pid = Number(readFileSync(lockFile, 'utf8').trim());
    } catch {
      continue; // removed meanwhile: try again
    }
    // Our own pid: a previous start in this process that was not released (tests restart in-process).
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new WorkerAlreadyRunningError(
        `another Mailyard worker is already running on ${displayName} (pid ${pid}); on SQLite only one ` +
          'process may sync — use PostgreSQL for several workers',
      );
    }
    try {
      unlinkSync(lockFile);
    } catch {
      // another starter removed it first; the next attempt decides
    }
  }
  throw new WorkerAlreadyRunningError(`could not take the worker lock ${lockFile}`);
}
