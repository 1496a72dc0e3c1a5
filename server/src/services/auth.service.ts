import { AppError, notFound, validationFailed } from '../domain/errors.js';
import { checkedName } from '../domain/names.js';
import { normalizeEmail, toPublicUser, type Actor, type PublicUser } from '../domain/user.js';
import type { UsersRepository } from '../db/repositories/users.repository.js';
import type { SessionsRepository } from '../db/repositories/sessions.repository.js';
import type { ApiTokensRepository } from '../db/repositories/api-tokens.repository.js';
import { hashPassword, verifyPassword } from '../lib/password.js';
import { newId, randomToken, sha256Hex } from '../lib/ids.js';
import type { Clock } from '../lib/clock.js';
import type { SecretBox } from '../lib/secret-box.js';
import { checkPassword as checkNewPassword, requireAdmin } from './users.service.js';
import type { LoginThrottle, PasswordCheckGate, ThrottleReason } from './login-throttle.js';

export interface SessionLogin {
  user: PublicUser;
  /** the cookie value; only its hash is stored */
  sessionToken: string;
  csrfToken: string;
  expiresAt: number;
  /** the device cookie's value: this browser has signed in to this account before */
  deviceCookie: string;
}

/** Who is signing in: the client's address and the device cookie their browser sent, if any. */
export interface SignInClient {
  ip: string;
  deviceCookie?: string | undefined;
}

export interface ResolvedSession {
  actor: Actor;
  csrfToken: string;
}

// Compared against when the address is unknown, so a wrong address and a wrong password
// take the same time.
let decoy: Promise<string> | undefined;
const decoyHash = () => (decoy ??= hashPassword('decoy-password-for-timing'));

const devicePurpose = 'device-cookie';

const throttleMessages: Record<ThrottleReason | 'busy', string> = {
  client: 'Too many failed sign-in attempts from here; try again later',
  account: 'Too many failed sign-in attempts for this account; try again later, or from a browser you have signed in with before',
  busy: 'Too many sign-in attempts are being checked right now; try again in a moment',
};

const rateLimited = (reason: ThrottleReason | 'busy', waitMs: number) =>
  new AppError('rate_limited', throttleMessages[reason], { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), reason });

export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly tokens: ApiTokensRepository,
    private readonly throttle: LoginThrottle,
    private readonly passwordChecks: PasswordCheckGate,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
    private readonly sessionTtlMs: number,
  ) {}

  async login(email: string, password: string, client: SignInClient): Promise<SessionLogin> {
    const address = normalizeEmail(email);
    const trustedDevice = this.deviceOf(client.deviceCookie, address);
    const user = await this.checkPassword(address, password, { ip: client.ip, trustedDevice });
    if (!user) throw new AppError('invalid_credentials', 'The email address or password is wrong');
    const deviceCookie = trustedDevice !== undefined && client.deviceCookie ? client.deviceCookie : this.newDeviceCookie(address);
    const sessionToken = randomToken();
    const csrfToken = randomToken();
    const now = this.clock.now();
    const expiresAt = now + this.sessionTtlMs;
    await this.sessions.insert({
      id: sha256Hex(sessionToken),
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: now,
      expires_at: expiresAt,
    });
    await this.sessions.deleteExpired(now);
    return { user: toPublicUser(user), sessionToken, csrfToken, expiresAt, deviceCookie };
  }

  /**
   * The user whose password this is, or undefined: throttled (counted before the check) and
   * through the cap on checks running at once, whoever asks.
   */
  private async checkPassword(address: string, password: string, client: { ip: string; trustedDevice: string | undefined }) {
    const decision = this.throttle.begin({ address, clientIp: client.ip, trustedDevice: client.trustedDevice });
    if (!decision.allowed) throw rateLimited(decision.reason, decision.waitMs);
    const user = await this.users.findByEmail(address);
    const hash = user?.password_hash ?? (await decoyHash());
    const ok = await this.passwordChecks.run(() => verifyPassword(password, hash));
    if (ok === undefined) {
      this.throttle.takeBack(decision.ticket);
      throw rateLimited('busy', 1000);
    }
    if (!user || !ok) return undefined;
    this.throttle.succeeded(decision.ticket);
    return user;
  }

  /**
   * A user's own new password, proven by the current one. Their other sessions end (a session
   * someone else may hold must not outlive the password); the one making the change stays.
   */
  async changeOwnPassword(
    actor: Actor,
    input: { currentPassword: string; newPassword: string },
    client: { ip: string; sessionToken: string | undefined },
  ): Promise<void> {
    checkNewPassword(input.newPassword, 'newPassword');
    const user = await this.checkPassword(normalizeEmail(actor.email), input.currentPassword, { ip: client.ip, trustedDevice: undefined });
    if (!user || user.id !== actor.id) {
      throw new AppError('wrong_password', 'The current password is wrong', { fields: { currentPassword: 'is wrong' } });
    }
    await this.users.update(user.id, { password_hash: await hashPassword(input.newPassword), updated_at: this.clock.now() });
    if (actor.via === 'session' && client.sessionToken) await this.sessions.deleteForUserExcept(user.id, sha256Hex(client.sessionToken));
    else await this.sessions.deleteForUser(user.id);
  }

  /** The device id of a cookie issued to this browser for this address, or undefined. */
  private deviceOf(cookie: string | undefined, address: string): string | undefined {
    const [deviceId, tag, ...rest] = (cookie ?? '').split('.');
    if (!deviceId || !tag || rest.length > 0) return undefined;
    return this.secrets.verifyMac(devicePurpose, `${deviceId}\n${address}`, tag) ? deviceId : undefined;
  }

  private newDeviceCookie(address: string): string {
    const deviceId = randomToken();
    return `${deviceId}.${this.secrets.mac(devicePurpose, `${deviceId}\n${address}`)}`;
  }

  private readonly signOutListeners = new Set<(sessionToken: string) => void>();

  /** Tells `listener` of every session that signs out through this process (live streams end at once). */
  onSignOut(listener: (sessionToken: string) => void): () => void {
    this.signOutListeners.add(listener);
    return () => this.signOutListeners.delete(listener);
  }

  async logout(sessionToken: string): Promise<void> {
    await this.sessions.delete(sha256Hex(sessionToken));
    for (const listener of this.signOutListeners) listener(sessionToken);
  }

  /**
   * Resolves a session cookie; sliding expiry so an active user stays signed in. `extend: false`
   * for checks that are not the user's activity (an open event stream re-checking its session).
   */
  async resolveSession(sessionToken: string, { extend = true } = {}): Promise<ResolvedSession | 'expired' | undefined> {
    const row = await this.sessions.findWithUser(sha256Hex(sessionToken));
    if (!row) return undefined;
    const now = this.clock.now();
    if (row.expires_at <= now) {
      await this.sessions.delete(row.sessionId);
      return 'expired';
    }
    // Extend at most about once a day of use, not on every request.
    if (extend && row.expires_at - now < this.sessionTtlMs - 24 * 60 * 60 * 1000) {
      await this.sessions.extend(row.sessionId, now + this.sessionTtlMs);
    }
    return { actor: { ...toPublicUser(row), via: 'session' }, csrfToken: row.csrf_token };
  }

  async resolveApiToken(token: string): Promise<Actor | undefined> {
    const row = await this.tokens.findUserByTokenHash(sha256Hex(token));
    if (!row) return undefined;
    const now = this.clock.now();
    if (!row.last_used_at || now - row.last_used_at > 60_000) await this.tokens.touch(row.tokenId, now);
    return { ...toPublicUser(row), via: 'token' };
  }

  async createApiToken(actor: Actor, name: string) {
    const trimmed = checkedName(name);
    if (!trimmed) throw validationFailed({ name: 'must not be empty' });
    // The prefix makes a leaked token recognisable to secret scanners.
    const token = `myd_${randomToken()}`;
    const row = { id: newId(), user_id: actor.id, name: trimmed, token_hash: sha256Hex(token), created_at: this.clock.now(), last_used_at: null };
    await this.tokens.insert(row);
    return { id: row.id, name: row.name, token, createdAt: new Date(row.created_at).toISOString() };
  }

  async listApiTokens(actor: Actor) {
    return this.tokensOf(actor.id);
  }

  async revokeApiToken(actor: Actor, id: string): Promise<void> {
    if ((await this.tokens.delete(actor.id, id)) === 0) throw notFound('API token');
  }

  /** An admin's view of another user's tokens (never the secrets: only their hashes are stored). */
  async listUserApiTokens(actor: Actor, userId: string) {
    await this.requireUser(actor, userId);
    return this.tokensOf(userId);
  }

  async revokeUserApiToken(actor: Actor, userId: string, id: string): Promise<void> {
    await this.requireUser(actor, userId);
    if ((await this.tokens.delete(userId, id)) === 0) throw notFound('API token');
  }

  private async requireUser(actor: Actor, userId: string): Promise<void> {
    requireAdmin(actor);
    if (!(await this.users.findById(userId))) throw notFound('User');
  }

  private async tokensOf(userId: string) {
    return (await this.tokens.listForUser(userId)).map((t) => ({
      id: t.id,
      name: t.name,
      createdAt: new Date(t.created_at).toISOString(),
      lastUsedAt: t.last_used_at === null ? null : new Date(t.last_used_at).toISOString(),
    }));
  }
}
