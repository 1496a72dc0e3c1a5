import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';

export interface CommandOptions {
  cwd?: string;
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | string | null,
    readonly output: string,
  ) {
    super(`\`${command}\` failed (${exitCode ?? 'killed'}):\n${output.trim()}`);
    this.name = 'CommandError';
  }
}

/** Runs a command to completion; rejects with its combined output when it fails. */
export function runCommand(file: string, args: string[], opts: CommandOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: opts.cwd, uid: opts.uid, gid: opts.gid, env: opts.env, timeout: opts.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const code = typeof error.code === 'number' || typeof error.code === 'string' ? error.code : null;
        reject(new CommandError([file, ...args].join(' '), code, `${stdout}${stderr}`));
      },
    );
  });
}

/** A service that did not come up; the message carries the end of its log. */
export class ServiceStartError extends Error {
  constructor(
    readonly service: string,
    reason: string,
    readonly log: string,
  ) {
    super(
      `${service} did not start: ${reason}\n--- end of the ${service} log ---\n${log.trim() || '(empty)'}\n---`,
    );
    this.name = 'ServiceStartError';
  }
}

/** The last `maxLines` lines of a log file ('' when it does not exist yet). */
export async function tailFile(file: string, maxLines = 60): Promise<string> {
  try {
    const lines = (await readFile(file, 'utf8')).split('\n');
    return lines.slice(-maxLines - 1).join('\n');
  } catch {
    return '';
  }
}

/** True when a start failure was caused by a port someone else grabbed first. */
export function isAddressInUse(text: string): boolean {
  return /address already in use|EADDRINUSE|could not bind/i.test(text);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Waits until every process of the group led by `pgid` is gone (a server's workers can outlive its
 * master briefly and still hold its listening sockets); SIGKILLs the group after `timeoutMs`.
 */
export async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let killed = false;
  while (await isGroupAlive(pgid)) {
    if (!killed && Date.now() > deadline) {
      killGroup(pgid, 'SIGKILL');
      killed = true;
    } else if (killed && Date.now() > deadline + 5_000) {
      throw new Error(`process group ${pgid} survives SIGKILL`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Whether a process of the group is still running. Zombies do not count: daemonised servers are
 * children of PID 1, which here reaps them only now and then, and a zombie holds no sockets.
 */
async function isGroupAlive(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const pids = (await readdir('/proc').catch(() => [])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command name: state ppid pgrp ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

/** Signals a whole process group; the rig starts each server as a group leader. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch {
      // Not a group leader (or already gone): fall through to the single process.
    }
  }
}
