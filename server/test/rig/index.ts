/**
 * The mail / PostgreSQL / OAuth test rig, as seen from integration tests.
 *
 * The rig is started once per vitest run by ./global-setup.ts (integration projects only) and shared
 * by every test file, so tests must not depend on global state: each creates its own mail users
 * (random addresses) and its own database. Helpers talk to the global setup over HTTP because test
 * files run in other processes.
 *
 *   const rig = getRig();                      // ports, hosts, CA file, log paths
 *   const user = await createMailUser();       // { email, password, localPart, domain }
 *   const url = await createPostgresDatabase();
 *   const token = await issueAccessToken(user.email);
 */
import { afterEach, expect, inject } from 'vitest';
import { tailFile } from './process.js';
import type { CreateMailUserOptions, IssueAccessTokenOptions, MailUser, RigDescription } from './types.js';

export type { CreateMailUserOptions, IssueAccessTokenOptions, MailUser, RigDescription } from './types.js';

/** Hosts, ports, CA and log files of the running rig (the same object as `inject('rig')`). */
export function getRig(): RigDescription {
  const rig = inject('rig') as RigDescription | undefined;
  if (rig === undefined) {
    throw new Error('no test rig: it runs only for the integration projects (files under server/test/)');
  }
  return rig;
}

/** A new mailbox; by default a random address in the rig domain. Its login is the address. */
export function createMailUser(opts: CreateMailUserOptions = {}): Promise<MailUser> {
  return control<MailUser>('mail-users/create', opts);
}

/** Removes the login and the stored mail (open IMAP sessions stay open). */
export async function deleteMailUser(email: string): Promise<void> {
  await control('mail-users/delete', { email });
}

/** A new empty database on the rig's PostgreSQL; returns its superuser connection URL. */
export async function createPostgresDatabase(): Promise<string> {
  return (await control<{ url: string }>('postgres/create-database')).url;
}

/**
 * An OAuth 2.0 access token for `email`, accepted by IMAP and SMTP AUTH XOAUTH2 / OAUTHBEARER
 * until it expires (default one hour) or is revoked. The user must exist (createMailUser).
 */
export async function issueAccessToken(email: string, opts: IssueAccessTokenOptions = {}): Promise<string> {
  return (await control<{ accessToken: string }>('oauth/issue-token', { email, ...opts })).accessToken;
}

/** Makes the token fail on the next login (no caching in between). */
export async function revokeAccessToken(token: string): Promise<void> {
  await control('oauth/revoke-token', { token });
}

/**
 * Stops Dovecot gracefully (clients get BYE) and resolves once its ports are closed; mail arriving
 * meanwhile waits in Postfix's queue and is retried within seconds of startDovecot(). Every test file
 * shares the rig, so only `*.serial.test.ts` files (run one at a time, after the others) may do this.
 */
export async function stopDovecot(): Promise<void> {
  assertSerialTestFile('stopDovecot');
  await control('dovecot/stop');
}

/** Starts Dovecot again on the same ports and resolves once it accepts connections. */
export async function startDovecot(): Promise<void> {
  assertSerialTestFile('startDovecot');
  await control('dovecot/start');
}

/** The end of each server's log, for failure messages. */
export async function rigLogs(maxLines = 40): Promise<string> {
  const { logs } = getRig();
  const parts = await Promise.all(
    Object.entries(logs).map(
      async ([name, file]) => `--- ${name} (${file}) ---\n${await tailFile(file, maxLines)}`,
    ),
  );
  return parts.join('\n');
}

/** Prints the servers' logs after every failed test of the calling file. */
export function printRigLogsOnFailure(maxLines = 40): void {
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail')
      console.error(`[rig] logs after "${context.task.name}":\n${await rigLogs(maxLines)}`);
  });
}

function assertSerialTestFile(helper: string): void {
  const file = expect.getState().testPath ?? '';
  if (!file.endsWith('.serial.test.ts')) {
    throw new Error(
      `${helper}() affects every test running in parallel: call it only from a *.serial.test.ts file`,
    );
  }
}

async function control<T = unknown>(route: string, body: object = {}): Promise<T> {
  const { control: endpoint } = getRig();
  const response = await fetch(`${endpoint.url}/${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${endpoint.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const result = (await response.json()) as T | { error?: string };
  if (!response.ok) {
    const message =
      typeof result === 'object' && result !== null && 'error' in result ? result.error : undefined;
    throw new Error(`test rig: ${route} failed (${response.status}): ${message ?? 'no details'}`);
  }
  return result as T;
}
