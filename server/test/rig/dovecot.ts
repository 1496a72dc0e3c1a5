import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findFreePorts, waitForPort, waitForPortClosed } from './ports.js';
import {
  ServiceStartError,
  isAddressInUse,
  isProcessAlive,
  killGroup,
  tailFile,
  waitForGroupExit,
} from './process.js';
import type { SystemUser } from './system-users.js';

export interface DovecotPorts {
  imap: number;
  imaps: number;
  lmtp: number;
  /** Dovecot's SASL (auth-client) service, which Postfix uses for SMTP AUTH. */
  auth: number;
}

export interface DovecotOptions {
  /** Private folder for config, sockets and state. */
  dir: string;
  /** Root of all mailboxes (`<mailDir>/<domain>/<local part>/Maildir`), owned by `vmail`. */
  mailDir: string;
  /** One passwd-file per user, named after the lower-cased address. */
  usersDir: string;
  logFile: string;
  certFile: string;
  keyFile: string;
  vmail: SystemUser;
  /** Where the oauth2 passdb checks bearer tokens (RFC 7662, POST). */
  introspectionUrl: string;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

/** A Dovecot instance with its own configuration, run in the foreground as a process-group leader. */
export class Dovecot {
  private pid: number | undefined;

  private constructor(
    private readonly opts: DovecotOptions,
    private ports_: DovecotPorts,
  ) {}

  get ports(): DovecotPorts {
    return this.ports_;
  }

  static async start(opts: DovecotOptions): Promise<Dovecot> {
    await mkdir(opts.usersDir, { recursive: true, mode: 0o755 });
    const dovecot = new Dovecot(opts, await pickPorts());
    for (let attempt = 1; ; attempt++) {
      try {
        await dovecot.start();
        return dovecot;
      } catch (error) {
        // Ports are probed, released and only then bound by Dovecot: someone may slip in between.
        if (attempt >= 3 || !(error instanceof ServiceStartError) || !isAddressInUse(error.message))
          throw error;
        dovecot.ports_ = await pickPorts();
      }
    }
  }

  /** Starts (again) on the same ports, so clients can reconnect after a restart. */
  async start(): Promise<void> {
    if (this.pid !== undefined && isProcessAlive(this.pid)) return;
    const configFile = await this.writeConfig();
    // A socket left in base_dir by the previous instance stalls every auth request by seconds.
    await rm(path.join(this.opts.dir, 'run'), { recursive: true, force: true });

    const log = openSync(this.opts.logFile, 'a');
    let exitReason: string | undefined;
    try {
      // Dovecot warns (and caps clients) when its descriptor limit is below process × client limits.
      const child = spawn(
        'sh',
        [
          '-c',
          'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec dovecot -F -c "$0"',
          configFile,
        ],
        { detached: true, stdio: ['ignore', log, log] },
      );
      child.unref();
      child.once('exit', (code, signal) => {
        exitReason = `dovecot exited (${signal ?? `code ${code}`})`;
        if (this.pid === child.pid) this.pid = undefined;
      });
      child.once('error', (error) => {
        exitReason = `cannot run dovecot: ${error.message}`;
      });
      this.pid = child.pid;
    } finally {
      closeSync(log);
    }

    try {
      for (const port of this.portList()) {
        await waitForPort(port, { timeoutMs: START_TIMEOUT_MS, isAborted: () => exitReason });
      }
    } catch (error) {
      await this.stop();
      throw new ServiceStartError('Dovecot', (error as Error).message, await tailFile(this.opts.logFile));
    }
  }

  /** Graceful stop: clients get a "server shutting down" BYE, as from a real restart. */
  async stop(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    killGroup(pid, 'SIGTERM');
    await waitForGroupExit(pid, STOP_TIMEOUT_MS);
    this.pid = undefined;
    // Login processes may hold the listening sockets a moment longer than the master.
    await Promise.all(this.portList().map((port) => waitForPortClosed(port, STOP_TIMEOUT_MS)));
  }

  private portList(): number[] {
    const p = this.ports_;
    return [p.imap, p.imaps, p.lmtp, p.auth];
  }

  private async writeConfig(): Promise<string> {
    const { dir, vmail } = this.opts;
    const p = this.ports_;
    const file = path.join(dir, 'dovecot.conf');
    const oauthFile = path.join(dir, 'oauth2.conf.ext');
    await mkdir(path.join(dir, 'state'), { recursive: true });
    await writeFile(
      oauthFile,
      lines(
        'introspection_mode = post',
        `introspection_url = ${this.opts.introspectionUrl}`,
        'username_attribute = username',
        'active_attribute = active',
        'active_value = true',
        'timeout_msecs = 5000',
      ),
      { mode: 0o600 },
    );
    // Nothing may follow "{" on the same line in Dovecot's config syntax.
    await writeFile(
      file,
      lines(
        '# Generated by the Mailyard test rig (server/test/rig/dovecot.ts).',
        `base_dir = ${dir}/run`,
        `state_dir = ${dir}/state`,
        `instance_name = ${path.basename(path.dirname(dir))}`,
        `log_path = ${this.opts.logFile}`,
        `info_log_path = ${this.opts.logFile}`,
        `debug_log_path = ${this.opts.logFile}`,
        'protocols = imap lmtp',
        'listen = 127.0.0.1',
        'hostname = mail.rig.test',
        'postmaster_address = postmaster@rig.test',
        'default_internal_user = dovecot',
        'default_internal_group = dovecot',
        'default_login_user = dovenull',
        // The packaged limits allow only a few dozen concurrent TLS sessions.
        'default_process_limit = 1000',
        'default_client_limit = 2000',
        'ssl = yes',
        `ssl_cert = <${this.opts.certFile}`,
        `ssl_key = <${this.opts.keyFile}`,
        'ssl_min_protocol = TLSv1.2',
        'auth_mechanisms = plain login xoauth2 oauthbearer',
        'auth_username_format = %Lu',
        'auth_verbose = yes',
        'auth_failure_delay = 0',
        'mail_location = maildir:~/Maildir',
        `mail_uid = ${vmail.uid}`,
        `mail_gid = ${vmail.gid}`,
        `first_valid_uid = ${vmail.uid}`,
        `first_valid_gid = ${vmail.gid}`,
        // Throw-away mail: durability only costs time here.
        'mail_fsync = never',
        'protocol imap {',
        '  mail_max_userip_connections = 1000',
        '}',
        'namespace inbox {',
        '  inbox = yes',
        '  separator = /',
        ...specialUseMailbox('Drafts', '\\Drafts'),
        ...specialUseMailbox('Sent', '\\Sent'),
        ...specialUseMailbox('Trash', '\\Trash'),
        ...specialUseMailbox('Junk', '\\Junk'),
        '}',
        // One file per user: appending to a shared passwd-file makes fresh users fail for ~1 s.
        'passdb {',
        '  driver = passwd-file',
        `  args = scheme=PLAIN username_format=%Lu ${this.opts.usersDir}/%Lu`,
        '  mechanisms = plain login',
        '}',
        'passdb {',
        '  driver = oauth2',
        '  mechanisms = xoauth2 oauthbearer',
        `  args = ${oauthFile}`,
        '}',
        // A real userdb (not static): with mechanism-filtered passdbs LMTP needs it to accept mail.
        'userdb {',
        '  driver = passwd-file',
        `  args = username_format=%Lu ${this.opts.usersDir}/%Lu`,
        `  default_fields = home=${this.opts.mailDir}/%Ld/%Ln`,
        '}',
        // Failed logins in one test must not slow down every later login from 127.0.0.1.
        'service anvil {',
        '  client_limit = 5000',
        '  unix_listener anvil-auth-penalty {',
        '    mode = 0',
        '  }',
        '}',
        'service imap-login {',
        '  inet_listener imap {',
        '    address = 127.0.0.1',
        `    port = ${p.imap}`,
        '  }',
        '  inet_listener imaps {',
        '    address = 127.0.0.1',
        `    port = ${p.imaps}`,
        '    ssl = yes',
        '  }',
        '}',
        'service lmtp {',
        '  inet_listener lmtp {',
        '    address = 127.0.0.1',
        `    port = ${p.lmtp}`,
        '  }',
        '}',
        'service auth {',
        '  client_limit = 5000',
        '  inet_listener auth-client {',
        '    address = 127.0.0.1',
        `    port = ${p.auth}`,
        '  }',
        '}',
      ),
    );
    return file;
  }
}

async function pickPorts(): Promise<DovecotPorts> {
  const [imap, imaps, lmtp, auth] = (await findFreePorts(4)) as [number, number, number, number];
  return { imap, imaps, lmtp, auth };
}

function specialUseMailbox(name: string, specialUse: string): string[] {
  return [`  mailbox ${name} {`, `    special_use = ${specialUse}`, '    auto = subscribe', '  }'];
}

function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}
