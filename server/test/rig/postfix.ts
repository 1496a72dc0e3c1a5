import { chmod, chown, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findFreePorts, isPortFree, waitForPort } from './ports.js';
import {
  CommandError,
  ServiceStartError,
  isAddressInUse,
  isProcessAlive,
  killGroup,
  runCommand,
  tailFile,
  waitForGroupExit,
} from './process.js';
import type { SystemUser } from './system-users.js';

export interface PostfixPorts {
  /** Plain SMTP for incoming mail (STARTTLS offered, no AUTH): what another server would use. */
  inbound: number;
  /** 587-style submission: STARTTLS required, then SASL AUTH. */
  submission: number;
  /** 465-style submissions: implicit TLS, then SASL AUTH. */
  smtps: number;
}

export interface PostfixOptions {
  /** Private folder: `etc/` (main.cf, master.cf), `queue/`, `data/`. */
  dir: string;
  /** maillog_file; Postfix says nothing useful anywhere else without syslog. */
  logFile: string;
  certFile: string;
  keyFile: string;
  postfixUser: SystemUser;
  /** Dovecot's auth-client service (TCP) for SASL. */
  dovecotAuthPort: number;
  /** Dovecot's LMTP service, where every virtual mailbox is delivered. */
  dovecotLmtpPort: number;
  /** Postfix lookup table (e.g. `tcp:127.0.0.1:PORT`) answering for known domains. */
  domainsTable: string;
  /** Postfix lookup table answering for known mailbox addresses. */
  mailboxesTable: string;
}

const POSTFIX_MASTER = '/usr/lib/postfix/sbin/master';
const START_TIMEOUT_MS = 10_000;
// Idle Postfix daemons take up to seconds to notice their master is gone; nothing in a test rig's
// queue is worth waiting for, so the stragglers are killed.
const STOP_GRACE_MS = 300;

/** A Postfix instance with its own config directory; start Dovecot first (SASL mechanisms are cached). */
export class Postfix {
  private constructor(
    private readonly opts: PostfixOptions,
    private ports_: PostfixPorts,
  ) {}

  get ports(): PostfixPorts {
    return this.ports_;
  }

  get configDir(): string {
    return path.join(this.opts.dir, 'etc');
  }

  static async start(opts: PostfixOptions): Promise<Postfix> {
    const postfix = new Postfix(opts, await pickPorts());
    for (let attempt = 1; ; attempt++) {
      try {
        await postfix.start();
        return postfix;
      } catch (error) {
        if (attempt >= 3 || !(error instanceof ServiceStartError) || !isAddressInUse(error.message))
          throw error;
        postfix.ports_ = await pickPorts();
      }
    }
  }

  private async start(): Promise<void> {
    await this.writeConfig();
    await this.createQueue();
    // Postfix re-reads a config file younger than ~2 s until it stops changing (300 ms per try).
    const settled = new Date(Date.now() - 10_000);
    for (const file of ['main.cf', 'master.cf'])
      await utimes(path.join(this.configDir, file), settled, settled);
    try {
      // The master itself rather than `postfix start`: that script's integrity checks (postconf,
      // find over the queue and config dirs) take seconds on a loaded machine and find nothing in a
      // folder made a moment ago. -w returns once the master has initialised, or fails.
      await runCommand(POSTFIX_MASTER, ['-c', this.configDir, '-w']);
    } catch (error) {
      throw new ServiceStartError(
        'Postfix',
        await this.explainMasterFailure(error),
        await tailFile(this.opts.logFile),
      );
    }
    try {
      for (const port of [this.ports_.inbound, this.ports_.submission, this.ports_.smtps]) {
        await waitForPort(port, {
          timeoutMs: START_TIMEOUT_MS,
          isAborted: async () => {
            const pid = await this.masterPid();
            return pid !== undefined && isProcessAlive(pid) ? undefined : 'the Postfix master daemon exited';
          },
        });
      }
    } catch (error) {
      const log = await tailFile(this.opts.logFile);
      await this.stop();
      throw new ServiceStartError('Postfix', (error as Error).message, log);
    }
  }

  async stop(): Promise<void> {
    const pid = await this.masterPid();
    if (pid === undefined || !isProcessAlive(pid)) return;
    // SIGTERM is what `postfix stop` sends; signalling directly lets us wait for the whole group.
    killGroup(pid, 'SIGTERM');
    await waitForGroupExit(pid, STOP_GRACE_MS);
  }

  /** The master daemon's pid (it is the leader of the group holding every Postfix process). */
  async masterPid(): Promise<number | undefined> {
    try {
      const pid = Number(
        (await readFile(path.join(this.opts.dir, 'queue', 'pid', 'master.pid'), 'utf8')).trim(),
      );
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Until its log daemon runs, the master reports errors only to syslog, which this machine lacks:
   * `master -w` just exits 1. Check the likely causes ourselves.
   */
  private async explainMasterFailure(error: unknown): Promise<string> {
    const output = error instanceof CommandError ? error.output.trim() : String(error);
    const ports = [this.ports_.inbound, this.ports_.submission, this.ports_.smtps];
    const busy = (
      await Promise.all(ports.map(async (port) => ((await isPortFree(port)) ? [] : [port])))
    ).flat();
    if (busy.length > 0) return `port ${busy.join(', ')}: Address already in use`;
    return [
      `the master daemon failed${output === '' ? ' without a message' : `: ${output}`}.`,
      'Postfix logs start-up errors only to syslog; its ports are free, so check that user postfix can',
      `reach ${path.join(this.opts.dir, 'data')} and ${path.join(this.opts.dir, 'queue')}, and run`,
      `\`postfix -c ${this.configDir} check\`.`,
    ].join('\n');
  }

  /** The queue layout of Postfix's postfix-files (what `postfix check` would create). */
  private async createQueue(): Promise<void> {
    const { uid, gid } = this.opts.postfixUser;
    const postdrop = await groupId('postdrop');
    const queue = path.join(this.opts.dir, 'queue');
    await mkdir(path.join(queue, 'pid'), { recursive: true, mode: 0o755 });
    for (const name of [
      'active',
      'bounce',
      'corrupt',
      'defer',
      'deferred',
      'flush',
      'hold',
      'incoming',
      'private',
      'saved',
      'trace',
    ]) {
      await mkdir(path.join(queue, name), { recursive: true, mode: 0o700 });
      await chown(path.join(queue, name), uid, gid);
    }
    for (const [name, mode] of [
      ['maildrop', 0o730],
      ['public', 0o710],
    ] as const) {
      await mkdir(path.join(queue, name), { recursive: true });
      await chown(path.join(queue, name), uid, postdrop);
      await chmod(path.join(queue, name), mode);
    }
  }

  private async writeConfig(): Promise<void> {
    const { dir, postfixUser } = this.opts;
    const etc = this.configDir;
    const queue = path.join(dir, 'queue');
    const data = path.join(dir, 'data');
    await mkdir(etc, { recursive: true, mode: 0o755 });
    // Outside the config dir, as Postfix's own permission checks expect.
    await mkdir(queue, { recursive: true, mode: 0o755 });
    await mkdir(data, { recursive: true, mode: 0o700 });
    await chown(data, postfixUser.uid, postfixUser.gid);
    const p = this.ports_;
    await writeFile(
      path.join(etc, 'main.cf'),
      lines(
        '# Generated by the Mailyard test rig (server/test/rig/postfix.ts).',
        'compatibility_level = 3.6',
        `queue_directory = ${queue}`,
        `data_directory = ${data}`,
        'mail_owner = postfix',
        'setgid_group = postdrop',
        `maillog_file = ${this.opts.logFile}`,
        `maillog_file_prefixes = ${path.dirname(this.opts.logFile)}`,
        'myhostname = mail.rig.test',
        'mydomain = rig.test',
        'myorigin = $myhostname',
        'mydestination =',
        'inet_interfaces = 127.0.0.1',
        'inet_protocols = ipv4',
        // Listed only so connection-count limits never throttle a busy test run; relaying from
        // here is never permitted by address (no permit_mynetworks below).
        'mynetworks = 127.0.0.0/8',
        'alias_maps =',
        'alias_database =',
        'local_recipient_maps =',
        'biff = no',
        // No DNS on this machine: a reverse lookup would only wait for a timeout.
        'smtpd_peername_lookup = no',
        'smtp_dns_support_level = disabled',
        'lmtp_dns_support_level = disabled',
        `virtual_mailbox_domains = ${this.opts.domainsTable}`,
        `virtual_mailbox_maps = ${this.opts.mailboxesTable}`,
        `virtual_transport = lmtp:inet:127.0.0.1:${this.opts.dovecotLmtpPort}`,
        // Nothing leaves loopback: mail for other domains is accepted and dropped, like a relay
        // handing it on, and no bounce lands in a test mailbox.
        'default_transport = discard:outside the Mailyard test rig',
        'relay_transport = discard:outside the Mailyard test rig',
        'local_transport = error:5.1.1 no local delivery in the test rig',
        'smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination',
        'smtpd_recipient_restrictions =',
        'smtpd_sasl_type = dovecot',
        `smtpd_sasl_path = inet:127.0.0.1:${this.opts.dovecotAuthPort}`,
        'smtpd_sasl_auth_enable = no',
        'smtpd_sasl_security_options = noanonymous',
        'smtpd_tls_auth_only = yes',
        `smtpd_tls_chain_files = ${this.opts.keyFile}, ${this.opts.certFile}`,
        'smtpd_tls_security_level = may',
        // Tests log in wrongly on purpose; Postfix must not sleep on every error.
        'smtpd_error_sleep_time = 0s',
        'smtpd_soft_error_limit = 100',
        'smtpd_hard_error_limit = 200',
        'default_process_limit = 500',
        'message_size_limit = 52428800',
        // Mail deferred while Dovecot is stopped (restart tests) is retried within seconds.
        'queue_run_delay = 2s',
        'minimal_backoff_time = 2s',
        'maximal_backoff_time = 10s',
      ),
    );
    const smtpd = (port: number, ...options: string[]): string[] => [
      `127.0.0.1:${port} inet n - n - - smtpd`,
      ...options.map((o) => `  -o ${o}`),
    ];
    // chroot (column 5) off: the chroot would need copies of the certs, libraries and hosts files.
    await writeFile(
      path.join(etc, 'master.cf'),
      lines(
        ...smtpd(p.inbound),
        ...smtpd(
          p.submission,
          'syslog_name=postfix/submission',
          'smtpd_tls_security_level=encrypt',
          'smtpd_sasl_auth_enable=yes',
          'smtpd_relay_restrictions=permit_sasl_authenticated,reject',
        ),
        ...smtpd(
          p.smtps,
          'syslog_name=postfix/smtps',
          'smtpd_tls_wrappermode=yes',
          'smtpd_sasl_auth_enable=yes',
          'smtpd_relay_restrictions=permit_sasl_authenticated,reject',
        ),
        'pickup    unix  n - n 60   1 pickup',
        'cleanup   unix  n - n -    0 cleanup',
        'qmgr      unix  n - n 300  1 qmgr',
        'tlsmgr    unix  - - n 1000? 1 tlsmgr',
        'rewrite   unix  - - n -    - trivial-rewrite',
        'bounce    unix  - - n -    0 bounce',
        'defer     unix  - - n -    0 bounce',
        'trace     unix  - - n -    0 bounce',
        'verify    unix  - - n -    1 verify',
        'flush     unix  n - n 1000? 0 flush',
        'proxymap  unix  - - n -    - proxymap',
        'proxywrite unix - - n -    1 proxymap',
        'smtp      unix  - - n -    - smtp',
        'relay     unix  - - n -    - smtp',
        'showq     unix  n - n -    - showq',
        'error     unix  - - n -    - error',
        'retry     unix  - - n -    - error',
        'discard   unix  - - n -    - discard',
        'lmtp      unix  - - n -    - lmtp',
        'anvil     unix  - - n -    1 anvil',
        'scache    unix  - - n -    1 scache',
        'postlog   unix-dgram n - n - 1 postlogd',
      ),
    );
  }
}

async function groupId(name: string): Promise<number> {
  const line = (await readFile('/etc/group', 'utf8')).split('\n').find((l) => l.startsWith(`${name}:`));
  const gid = Number(line?.split(':')[2]);
  if (!Number.isInteger(gid)) throw new Error(`group ${name} is missing: is the postfix package installed?`);
  return gid;
}

async function pickPorts(): Promise<PostfixPorts> {
  const [inbound, submission, smtps] = (await findFreePorts(3)) as [number, number, number];
  return { inbound, submission, smtps };
}

function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}
