import { spawn } from 'node:child_process';
import {
  access,
  chmod,
  chown,
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestCa, nodeExtraCaCerts, type TestCaFiles } from './ca.mjs';
import { startControlServer, type ControlRoute } from './control-server.js';
import { Dovecot } from './dovecot.js';
import { MailUsers, RigRequestError } from './mail-users.js';
import { startOidcOAuthBackend, type OidcOAuthBackend } from './oidc/backend.js';
import { startPostfixTableServer } from './postfix-table-server.js';
import { Postfix } from './postfix.js';
import { Postgres } from './postgres.js';
import { isProcessAlive } from './process.js';
import { ensureSystemUser } from './system-users.js';
import type { RigDescription } from './types.js';

export const RIG_DIR_PREFIX = 'mailyard-rig-';
const MAIL_DOMAIN = 'rig.test';

export interface RunningRig {
  description: RigDescription;
  /** Milliseconds each server took to start, for the setup's log line. */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

/**
 * Starts Dovecot, Postfix, PostgreSQL and the OAuth introspection endpoint on free loopback ports,
 * everything inside one new folder under the system temp dir. A run that dies without stopping the
 * rig is cleaned up by its exit handler, or else by the next run.
 */
export async function startRig(opts: { repoRoot: string }): Promise<RunningRig> {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, work: Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work;
    timings[name] = Math.round(performance.now() - started);
    return result;
  };
  await checkPrerequisites();
  const ca = await ensureTestCa(opts.repoRoot);
  await trustCaInWorkers(ca);
  await reapAbandonedRigs();

  const dir = await mkdtemp(path.join(os.tmpdir(), RIG_DIR_PREFIX));
  // Each server drops to its own account and must be able to reach its part of the folder.
  await chmod(dir, 0o755);
  await writeFile(path.join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, started: new Date() }));
  const reaper = armReaper(dir);
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    // Reverse start order: Postfix before Dovecot (it delivers into it), the HTTP helpers last.
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
    await rm(dir, { recursive: true, force: true });
    reaper.disarm();
  };

  let postgresStarted: Promise<Postgres> | undefined;
  try {
    const [vmail, postgresUser, postfixUser] = await Promise.all([
      ensureSystemUser('vmail'),
      ensureSystemUser('postgres'),
      ensureSystemUser('postfix'),
    ]);
    const logs = {
      dovecot: path.join(dir, 'logs', 'dovecot.log'),
      postfix: path.join(dir, 'logs', 'postfix.log'),
      postgres: path.join(dir, 'logs', 'postgres.log'),
    };
    const certFile = path.join(dir, 'certs', 'server.pem');
    const keyFile = path.join(dir, 'certs', 'server.key');
    const mailDir = path.join(dir, 'mail');
    await Promise.all([
      mkdir(path.dirname(logs.dovecot), { recursive: true, mode: 0o755 }),
      mkdir(path.dirname(certFile), { recursive: true, mode: 0o755 }),
      mkdir(mailDir, { recursive: true, mode: 0o755 }),
      mkdir(path.join(dir, 'postgres'), { recursive: true, mode: 0o755 }),
    ]);
    await Promise.all([
      copyFile(ca.certFile, certFile),
      copyFile(ca.keyFile, keyFile),
      chown(mailDir, vmail.uid, vmail.gid),
    ]);
    await chmod(keyFile, 0o600);

    // PostgreSQL is independent of the mail servers and its initdb is the slowest step: overlap it.
    postgresStarted = timed(
      'postgres',
      Postgres.start({
        dir: path.join(dir, 'postgres'),
        logFile: logs.postgres,
        owner: postgresUser,
        templateCacheDir: path.join(opts.repoRoot, '.rig', 'postgres-template'),
      }),
    ).then((pg) => {
      cleanups.push(() => pg.stop());
      return pg;
    });
    // Observed below; this only keeps an early failure from counting as an unhandled rejection.
    postgresStarted.catch(() => undefined);

    const users = new MailUsers(path.join(dir, 'dovecot', 'users.d'), mailDir, MAIL_DOMAIN);
    // A real OpenID provider (oidc-provider) behind the introspection endpoint; tokens from
    // issueAccessToken() still work (see oidc/backend.ts).
    const oauth: OidcOAuthBackend = await startOidcOAuthBackend({
      certFile: ca.certFile,
      keyFile: ca.keyFile,
    });
    cleanups.push(() => oauth.close());
    const domainsTable = await startPostfixTableServer((domain) =>
      users.hasDomain(domain) ? 'ok' : undefined,
    );
    cleanups.push(() => domainsTable.close());
    const mailboxesTable = await startPostfixTableServer((email) =>
      users.hasMailbox(email) ? 'ok' : undefined,
    );
    cleanups.push(() => mailboxesTable.close());

    const dovecot = await timed(
      'dovecot',
      Dovecot.start({
        dir: path.join(dir, 'dovecot'),
        mailDir,
        usersDir: path.join(dir, 'dovecot', 'users.d'),
        logFile: logs.dovecot,
        certFile,
        keyFile,
        vmail,
        introspectionUrl: oauth.dovecotIntrospectionUrl,
      }),
    );
    cleanups.push(() => dovecot.stop());
    // Postfix asks Dovecot for its SASL mechanisms once, so it must come second.
    const postfix = await timed(
      'postfix',
      Postfix.start({
        dir: path.join(dir, 'postfix'),
        logFile: logs.postfix,
        certFile,
        keyFile,
        postfixUser,
        dovecotAuthPort: dovecot.ports.auth,
        dovecotLmtpPort: dovecot.ports.lmtp,
        domainsTable: domainsTable.table,
        mailboxesTable: mailboxesTable.table,
      }),
    );
    cleanups.push(() => postfix.stop());
    const postgres = await postgresStarted;

    const control = await startControlServer(controlRoutes({ users, postgres, oauth, dovecot }));
    cleanups.push(() => control.close());

    const description: RigDescription = {
      dir,
      caFile: ca.caFile,
      mailDomain: MAIL_DOMAIN,
      imap: { host: '127.0.0.1', port: dovecot.ports.imap, tlsPort: dovecot.ports.imaps },
      smtp: {
        host: '127.0.0.1',
        inboundPort: postfix.ports.inbound,
        submissionPort: postfix.ports.submission,
        smtpsPort: postfix.ports.smtps,
      },
      postgres: { url: postgres.url },
      oauth: { introspectionUrl: oauth.introspectionUrl },
      oidc: { issuer: oauth.issuer },
      logs,
      control: { url: control.url, secret: control.secret },
    };
    return { description, timings, stop };
  } catch (error) {
    // Let a PostgreSQL start still in flight finish, so stop() also stops it.
    await postgresStarted?.catch(() => undefined);
    await stop();
    throw error;
  }
}

function controlRoutes(rig: {
  users: MailUsers;
  postgres: Postgres;
  oauth: OidcOAuthBackend;
  dovecot: Dovecot;
}): Record<string, ControlRoute> {
  return {
    ...rig.oauth.routes,
    'mail-users/create': (body) =>
      rig.users.create({
        localPart: optionalString(body, 'localPart'),
        domain: optionalString(body, 'domain'),
        password: optionalString(body, 'password'),
      }),
    'mail-users/delete': (body) => rig.users.delete(requiredString(body, 'email')),
    'postgres/create-database': async () => ({ url: await rig.postgres.createDatabase() }),
    'oauth/issue-token': (body) =>
      rig.oauth.issueAccessToken(requiredString(body, 'email'), {
        expiresIn: optionalNumber(body, 'expiresIn'),
        scope: optionalString(body, 'scope'),
      }),
    'oauth/revoke-token': (body) => rig.oauth.revokeAccessToken(requiredString(body, 'token')),
    'dovecot/stop': () => rig.dovecot.stop(),
    'dovecot/start': () => rig.dovecot.start(),
  };
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new RigRequestError(400, `"${key}" must be a string`);
  return value;
}

function requiredString(body: Record<string, unknown>, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined) throw new RigRequestError(400, `"${key}" is required`);
  return value;
}

function optionalNumber(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new RigRequestError(400, `"${key}" must be a number`);
  return value;
}

const REQUIRED_PROGRAMS = [
  { file: '/usr/sbin/dovecot', pkg: 'dovecot-core' },
  { file: '/usr/lib/dovecot/imap', pkg: 'dovecot-imapd' },
  { file: '/usr/lib/dovecot/lmtp', pkg: 'dovecot-lmtpd' },
  { file: '/usr/sbin/postfix', pkg: 'postfix' },
  { file: '/usr/bin/openssl', pkg: 'openssl' },
];

async function checkPrerequisites(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error('the mail test rig must run as root (Postfix and Dovecot switch users on start)');
  }
  const missing: string[] = [];
  for (const program of REQUIRED_PROGRAMS) {
    await access(program.file).catch(() => missing.push(program.pkg));
  }
  if (missing.length > 0) {
    throw new Error(
      `the mail test rig needs: ${missing.join(' ')} (\`npm test\` installs them; or apt-get install them)`,
    );
  }
}

/**
 * Workers are forked after the global setup, with its environment: when vitest was started without
 * scripts/test.mjs, this is the last moment to make them trust the rig's CA.
 */
async function trustCaInWorkers(ca: TestCaFiles): Promise<void> {
  process.env.NODE_EXTRA_CA_CERTS = await nodeExtraCaCerts(ca, process.env.NODE_EXTRA_CA_CERTS);
}

const REAPER = fileURLToPath(new URL('./reaper.mjs', import.meta.url));

/**
 * Stops whatever still runs from a rig folder and deletes it (see reaper.mjs), in a detached
 * process: it must outlive this one when this one is exiting.
 */
function runReaper(dir: string): void {
  spawn(process.execPath, [REAPER, dir], { detached: true, stdio: 'ignore' }).unref();
}

/**
 * vitest exits on Ctrl-C without running global teardown; a detached reaper then stops the servers
 * after this process is gone. Our own signal listeners also stop a second Ctrl-C (or one forwarded
 * by scripts/test.mjs) from killing the process before the exit handler runs.
 */
function armReaper(dir: string): { disarm(): void } {
  let fired = false;
  const onExit = (): void => {
    if (fired) return;
    fired = true;
    runReaper(dir);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    onExit();
    process.exitCode ??= signal === 'SIGINT' ? 130 : 143;
    setTimeout(() => process.exit(), 100).unref();
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  return {
    disarm() {
      fired = true;
      process.off('exit', onExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    },
  };
}

/**
 * Cleans up rig folders whose owning process died without stopping its servers (e.g. SIGKILL). The
 * reapers run on their own: ports are chosen freshly, so this run need not wait for them.
 */
async function reapAbandonedRigs(): Promise<void> {
  const tmp = os.tmpdir();
  const names = (await readdir(tmp).catch(() => [])).filter((name) => name.startsWith(RIG_DIR_PREFIX));
  await Promise.all(
    names.map(async (name) => {
      const dir = path.join(tmp, name);
      if (await isAbandoned(dir)) runReaper(dir);
    }),
  );
}

async function isAbandoned(dir: string): Promise<boolean> {
  try {
    const { pid } = JSON.parse(await readFile(path.join(dir, 'owner.json'), 'utf8')) as { pid?: unknown };
    return typeof pid === 'number' && !isProcessAlive(pid);
  } catch {
    // No owner file: being created right now, unless it has been like that for a while.
    const modified = await stat(dir).then(
      (s) => s.mtimeMs,
      () => Date.now(),
    );
    return Date.now() - modified > 10 * 60_000;
  }
}
