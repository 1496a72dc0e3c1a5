import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CreateMailUserOptions, MailUser } from './types.js';

export class RigRequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'RigRequestError';
  }
}

const LOCAL_PART = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$/;
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The mail accounts of the rig. Dovecot reads one passwd-file per user from `usersDir`; Postfix asks
 * `hasMailbox` / `hasDomain` through its tcp lookup tables.
 */
export class MailUsers {
  private readonly users = new Map<string, MailUser>();

  constructor(
    private readonly usersDir: string,
    private readonly mailDir: string,
    readonly defaultDomain: string,
  ) {}

  async create(opts: CreateMailUserOptions = {}): Promise<MailUser> {
    const localPart = (opts.localPart ?? `user-${randomBytes(5).toString('hex')}`).toLowerCase();
    const domain = (opts.domain ?? this.defaultDomain).toLowerCase();
    const password = opts.password ?? randomBytes(12).toString('base64url');
    if (!LOCAL_PART.test(localPart)) throw new RigRequestError(400, `unsupported local part "${localPart}"`);
    if (!DOMAIN.test(domain)) throw new RigRequestError(400, `unsupported domain "${domain}"`);
    if (/[:\n\r]/.test(password) || password === '') {
      throw new RigRequestError(
        400,
        'password must be non-empty without ":" or line breaks (passwd-file format)',
      );
    }
    const email = `${localPart}@${domain}`;
    if (this.users.has(email)) throw new RigRequestError(409, `mail user ${email} already exists`);

    const user: MailUser = { email, password, localPart, domain };
    this.users.set(email, user);
    try {
      // user:password:uid:gid:gecos:home:shell — uid, gid and home come from Dovecot's defaults.
      await writeFile(path.join(this.usersDir, email), `${email}:{PLAIN}${password}::::::\n`, {
        mode: 0o644,
      });
    } catch (error) {
      this.users.delete(email);
      throw error;
    }
    return user;
  }

  /** Removes the login and the stored mail; sessions already open stay open. */
  async delete(email: string): Promise<void> {
    const user = this.users.get(email.toLowerCase());
    if (user === undefined) throw new RigRequestError(404, `no mail user ${email}`);
    this.users.delete(user.email);
    await rm(path.join(this.usersDir, user.email), { force: true });
    await rm(path.join(this.mailDir, user.domain, user.localPart), { recursive: true, force: true });
  }

  hasMailbox(email: string): boolean {
    return this.users.has(email);
  }

  hasDomain(domain: string): boolean {
    if (domain === this.defaultDomain) return true;
    for (const user of this.users.values()) if (user.domain === domain) return true;
    return false;
  }
}
