import { AppError, forbidden, notFound, validationFailed } from '../domain/errors.js';
import { checkedName } from '../domain/names.js';
import { normalizeEmail, toPublicUser, type Actor, type PublicUser, type UserRole } from '../domain/user.js';
import type { UsersRepository } from '../db/repositories/users.repository.js';
import { isUniqueViolation } from '../db/errors.js';
import type { NewUser } from '../db/schema.js';
import type { SessionsRepository } from '../db/repositories/sessions.repository.js';
import type { ApiTokensRepository } from '../db/repositories/api-tokens.repository.js';
import { hashPassword } from '../lib/password.js';
import { newId } from '../lib/ids.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';

export const minPasswordLength = 8;

export interface CreateUserInput {
  email: string;
  password: string;
  name: string;
  role: UserRole;
}

export interface UpdateUserInput {
  name?: string;
  role?: UserRole;
  password?: string;
}

/** What deleting a user asks of the accounts service (AccountsService.deleteAllOwnedBy). */
export interface OwnedAccounts {
  deleteAllOwnedBy(owner: Actor): Promise<void>;
}

const emailTaken = (email: string) =>
  new AppError('email_taken', `A user with the address ${email} already exists`, { fields: { email: 'already in use' } });

export function checkPassword(password: string, field = 'password'): void {
  if (password.length < minPasswordLength) {
    throw validationFailed({ [field]: `must be at least ${minPasswordLength} characters` });
  }
}

export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly tokens: ApiTokensRepository,
    private readonly clock: Clock,
    /** the user's mailboxes go first, the way the owner would delete them */
    private readonly accounts: OwnedAccounts,
  ) {}

  async list(actor: Actor): Promise<PublicUser[]> {
    requireAdmin(actor);
    return (await this.users.list()).map(toPublicUser);
  }

  async get(id: string): Promise<PublicUser> {
    const user = await this.users.findById(id);
    if (!user) throw notFound('User');
    return toPublicUser(user);
  }

  async create(actor: Actor | 'system', input: CreateUserInput): Promise<PublicUser> {
    if (actor !== 'system') requireAdmin(actor);
    const user = await this.newUserRow(input);
    // The early check gives the common case a fast answer; the insert's unique index decides races.
    if (await this.users.findByEmail(user.email)) throw emailTaken(user.email);
    await this.insertUnique(this.users, user);
    return toPublicUser(user);
  }

  private async newUserRow(input: CreateUserInput): Promise<NewUser & { email: string; name: string; role: UserRole }> {
    const email = normalizeEmail(input.email);
    checkPassword(input.password);
    const now = this.clock.now();
    return {
      id: newId(),
      email,
      name: checkedName(input.name) || email,
      role: input.role,
      password_hash: await hashPassword(input.password),
      created_at: now,
      updated_at: now,
    };
  }

  private async insertUnique(users: UsersRepository, user: NewUser & { email: string }): Promise<void> {
    try {
      await users.insert(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken(user.email);
      throw error;
    }
  }

  /** Creates the admin only if no user exists, decided inside one locked transaction. */
  private async createFirstAdmin(input: { email: string; password: string; name: string }): Promise<PublicUser | undefined> {
    // Hashing is slow: done before the lock is taken.
    const user = await this.newUserRow({ ...input, role: 'admin' });
    const created = await this.users.exclusive(async (users) => {
      if ((await users.count()) > 0) return false;
      await this.insertUnique(users, user);
      return true;
    });
    return created ? toPublicUser(user) : undefined;
  }

  async update(actor: Actor, id: string, input: UpdateUserInput): Promise<PublicUser> {
    requireAdmin(actor);
    const user = await this.users.findById(id);
    if (!user) throw notFound('User');
    if (input.role === 'user' && user.role === 'admin' && (await this.users.countAdmins()) <= 1) {
      throw new AppError('last_admin', 'The last administrator cannot lose the admin role');
    }
    if (input.password !== undefined) checkPassword(input.password);
    await this.users.update(id, {
      ...(input.name !== undefined && { name: checkedName(input.name) }),
      ...(input.role !== undefined && { role: input.role }),
      ...(input.password !== undefined && { password_hash: await hashPassword(input.password) }),
      updated_at: this.clock.now(),
    });
    // A new password ends every credential the old one gave out; a lost admin role ends the
    // sessions (a token takes the user's current role on each request).
    if (input.password !== undefined) await this.tokens.deleteForUser(id);
    if (input.password !== undefined || (input.role && input.role !== user.role)) await this.sessions.deleteForUser(id);
    return this.get(id);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requireAdmin(actor);
    if (actor.id === id) throw new AppError('cannot_delete_self', 'You cannot delete your own user');
    const user = await this.users.findById(id);
    if (!user) throw notFound('User');
    await this.accounts.deleteAllOwnedBy({ ...toPublicUser(user), via: actor.via });
    await this.users.delete(id);
  }

  /** True until the first user exists: the web UI then offers the first-run setup. */
  async setupNeeded(): Promise<boolean> {
    return (await this.users.count()) === 0;
  }

  /** First-run setup from the web UI: creates the first admin, only while no user exists. */
  async setupFirstAdmin(input: { email: string; password: string; name: string }): Promise<PublicUser> {
    const alreadySetUp = () => new AppError('conflict', 'Mailyard is already set up; sign in instead');
    if (!(await this.setupNeeded())) throw alreadySetUp();
    const user = await this.createFirstAdmin(input);
    if (!user) throw alreadySetUp();
    return user;
  }

  /** Creates the first admin from MAILYARD_ADMIN_EMAIL / _PASSWORD when no user exists. */
  async bootstrapAdmin(admin: { email: string; password: string } | undefined, log: Logger): Promise<void> {
    if ((await this.users.count()) > 0) return;
    if (!admin) {
      log.warn('no users exist yet: open the web UI to create the first admin, or set MAILYARD_ADMIN_EMAIL and MAILYARD_ADMIN_PASSWORD');
      return;
    }
    let user: PublicUser | undefined;
    try {
      user = await this.createFirstAdmin({ ...admin, name: 'Administrator' });
    } catch (error) {
      // Start-up fails here; "Some fields are invalid" would not say which variable to fix.
      const fields = error instanceof AppError && error.code === 'validation_failed' ? error.details?.fields : undefined;
      if (fields && typeof fields === 'object') {
        const problems = Object.entries(fields as Record<string, unknown>).map(
          ([field, why]) => `MAILYARD_ADMIN_${field.toUpperCase()} ${String(why)}`,
        );
        throw new Error(problems.join('; '), { cause: error });
      }
      throw error;
    }
    // Another process may have created the first user in the meantime: nothing to do then.
    if (user) log.info({ userId: user.id, email: user.email }, 'created the first admin');
  }
}

export function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw forbidden('Only administrators can do that');
}
