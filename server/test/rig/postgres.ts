import { randomBytes } from 'node:crypto';
import { access, appendFile, chown, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { findFreePorts } from './ports.js';
import { CommandError, ServiceStartError, isAddressInUse, runCommand, tailFile } from './process.js';
import type { SystemUser } from './system-users.js';

export interface PostgresOptions {
  /** Private folder: `data/` (the cluster) and `run/` (its Unix socket). */
  dir: string;
  logFile: string;
  /** PostgreSQL refuses to run as root; the cluster belongs to this account. */
  owner: SystemUser;
  /** Where freshly initialised clusters are kept for copying (`<repo>/.rig/postgres-template`). */
  templateCacheDir: string;
}

/** Bump when the initdb arguments change, so old cached clusters are not reused. */
const TEMPLATE_VERSION = 2;

const SUPERUSER = 'postgres';

/** A throw-away PostgreSQL cluster listening on 127.0.0.1, trust authentication for everyone. */
export class Postgres {
  private constructor(
    private readonly opts: PostgresOptions,
    private readonly binDir: string,
    private port_: number,
  ) {}

  get port(): number {
    return this.port_;
  }

  /** Superuser URL of the maintenance database. */
  get url(): string {
    return this.urlFor('postgres');
  }

  static async start(opts: PostgresOptions): Promise<Postgres> {
    const [port] = (await findFreePorts(1)) as [number];
    const postgres = new Postgres(opts, await findBinDir(), port);
    await postgres.initCluster();
    for (let attempt = 1; ; attempt++) {
      try {
        await postgres.start();
        return postgres;
      } catch (error) {
        if (attempt >= 3 || !(error instanceof ServiceStartError) || !isAddressInUse(error.message))
          throw error;
        [postgres.port_] = (await findFreePorts(1)) as [number];
      }
    }
  }

  /** Creates an empty database owned by the superuser and returns its URL. */
  async createDatabase(): Promise<string> {
    const name = `test_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return this.urlFor(name);
  }

  async stop(): Promise<void> {
    await this.pgCtl(['stop', '-m', 'immediate', '-w', '-t', '30']).catch(() => undefined);
  }

  private urlFor(database: string): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port_}/${database}`;
  }

  private get dataDir(): string {
    return path.join(this.opts.dir, 'data');
  }

  private async initCluster(): Promise<void> {
    const { owner } = this.opts;
    const runDir = path.join(this.opts.dir, 'run');
    await mkdir(this.opts.dir, { recursive: true, mode: 0o755 });
    await mkdir(runDir, { recursive: true, mode: 0o755 });
    await chown(runDir, owner.uid, owner.gid);
    await chown(this.opts.dir, owner.uid, owner.gid);
    await writeFile(this.opts.logFile, '', { flag: 'a' });
    await chown(this.opts.logFile, owner.uid, owner.gid);
    // Copying an initialised cluster takes a tenth of what initdb takes.
    const template = this.templatePath();
    if (await exists(path.join(template, 'PG_VERSION'))) {
      await runCommand('cp', ['-a', template, this.dataDir]);
    } else {
      await this.initdb();
      await saveTemplate(this.dataDir, template).catch((error: unknown) => {
        console.warn(`[rig] could not cache the PostgreSQL cluster in ${template}: ${String(error)}`);
      });
    }
    await appendFile(
      path.join(this.dataDir, 'postgresql.conf'),
      [
        '',
        '# Mailyard test rig',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${runDir}'`,
        'max_connections = 300',
        // Throw-away data: durability only costs time here.
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
  }

  /** Cached clusters are per PostgreSQL version and owner uid (file ownership is part of them). */
  private templatePath(): string {
    const version = path.basename(path.dirname(this.binDir));
    return path.join(this.opts.templateCacheDir, `${version}-uid${this.opts.owner.uid}-v${TEMPLATE_VERSION}`);
  }

  private async initdb(): Promise<void> {
    try {
      await this.asOwner(path.join(this.binDir, 'initdb'), [
        ...['-D', this.dataDir, '-U', SUPERUSER, '--auth=trust', '--no-sync'],
        // 1 MB WAL segments instead of 16: the cluster is copied for every run.
        ...['--encoding=UTF8', '--locale=C.UTF-8', '--wal-segsize=1'],
      ]);
    } catch (error) {
      throw new ServiceStartError(
        'PostgreSQL',
        'initdb failed',
        error instanceof CommandError ? error.output : String(error),
      );
    }
  }

  private async start(): Promise<void> {
    try {
      // setsid: keep the server out of the terminal's process group, so Ctrl-C reaches only the
      // test runner, which then stops the rig in order.
      await this.pgCtl(['start', '-w', '-t', '30', '-l', this.opts.logFile, '-o', `-p ${this.port_}`], true);
    } catch (error) {
      const output = error instanceof CommandError ? error.output : String(error);
      throw new ServiceStartError(
        'PostgreSQL',
        `pg_ctl start failed: ${output}`,
        await tailFile(this.opts.logFile),
      );
    }
  }

  private pgCtl(args: string[], newSession = false): Promise<string> {
    const pgCtl = path.join(this.binDir, 'pg_ctl');
    return newSession
      ? this.asOwner('setsid', [pgCtl, '-D', this.dataDir, ...args])
      : this.asOwner(pgCtl, ['-D', this.dataDir, ...args]);
  }

  private asOwner(file: string, args: string[]): Promise<string> {
    const { owner } = this.opts;
    return runCommand(file, args, {
      uid: owner.uid,
      gid: owner.gid,
      cwd: this.opts.dir,
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8', HOME: '/' },
    });
  }
}

/** The newest installed server (Debian keeps each major version in /usr/lib/postgresql/<n>/bin). */
async function findBinDir(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root).catch(() => []))
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (versions[0] === undefined)
    throw new Error(`no PostgreSQL server in ${root}: install the postgresql package`);
  return path.join(root, versions[0], 'bin');
}

/** Copied aside and renamed into place, so a concurrent run never copies a half-written cluster. */
async function saveTemplate(dataDir: string, template: string): Promise<void> {
  await mkdir(path.dirname(template), { recursive: true, mode: 0o755 });
  const staging = `${template}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await runCommand('cp', ['-a', dataDir, staging]);
    await rename(staging, template).catch(async (error: unknown) => {
      if (!(await exists(path.join(template, 'PG_VERSION')))) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
