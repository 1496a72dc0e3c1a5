import { readFile } from 'node:fs/promises';
import { runCommand } from './process.js';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * Looks a system account up, creating it (no home, no login) when missing: mail storage must not
 * belong to root, and PostgreSQL refuses to run as root.
 */
export async function ensureSystemUser(name: string): Promise<SystemUser> {
  const existing = await lookupSystemUser(name);
  if (existing !== undefined) return existing;
  try {
    await runCommand('useradd', [
      '--system',
      '--no-create-home',
      '--user-group',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ]);
  } catch (error) {
    // Another run may have created it between our lookup and useradd.
    const raced = await lookupSystemUser(name);
    if (raced !== undefined) return raced;
    throw error;
  }
  const created = await lookupSystemUser(name);
  if (created === undefined) throw new Error(`useradd ${name} succeeded but the user is not in /etc/passwd`);
  return created;
}

async function lookupSystemUser(name: string): Promise<SystemUser | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined)
      return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}
