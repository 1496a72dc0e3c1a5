// Sign-in throttling: backoff, not lockout. Each failed sign-in is counted against the client
// at that account, the client over all accounts, and the account over all clients; once a
// count passes its free allowance, the next attempt on that key has to wait, and the wait
// doubles with every further failure up to a ceiling. A browser that has signed in to an
// account before (a valid device cookie) is counted on its own: a guesser behind the same
// address, or many guessers at the same account, slow themselves, not the owner.
//
// An attempt is counted before the password is checked and taken back when it succeeds, so
// parallel guesses cannot all slip past the check. In memory on purpose: it guards one
// process's sign-in endpoint; several api processes each keep their own counts, which still
// bounds guessing to a small multiple.
import type { Clock } from '../lib/clock.js';

export interface ThrottleLimits {
  /** failures of one client (address or trusted device) at one account before backoff */
  perClientAccount: number;
  /** failures of one client address over all accounts before backoff */
  perClient: number;
  /** failures at one account from clients it does not know before backoff */
  perAccount: number;
  /** the first wait once an allowance is used up; it doubles with each further failure */
  firstDelayMs: number;
  maxDelayMs: number;
  /** a key's failures are forgotten this long after its last one */
  forgetAfterMs: number;
  /** most keys remembered; the least recently failed go first beyond it */
  maxKeys?: number;
}

export const defaultThrottleLimits: ThrottleLimits = {
  perClientAccount: 10,
  perClient: 50,
  perAccount: 50,
  firstDelayMs: 30_000,
  maxDelayMs: 15 * 60 * 1000,
  forgetAfterMs: 60 * 60 * 1000,
};
const defaultMaxKeys = 100_000;

/** Who is trying to sign in to which account. */
export interface SignInAttempt {
  address: string;
  clientIp: string;
  /** the id of a device cookie proven to belong to this address, if the browser sent one */
  trustedDevice?: string;
}

/** Why an attempt has to wait: this client failed too often, or this account did. */
export type ThrottleReason = 'client' | 'account';

export type ThrottleDecision = { allowed: true; ticket: AttemptTicket } | { allowed: false; waitMs: number; reason: ThrottleReason };

/** The keys an allowed attempt was counted on, to take it back if the password was right. */
export interface AttemptTicket {
  readonly keys: readonly string[];
  readonly clientAccountKey: string;
}

interface Failures {
  count: number;
  last: number;
}

export class LoginThrottle {
  // Insertion order is failure recency (count() re-inserts), so the first key is the stalest.
  private readonly failures = new Map<string, Failures>();
  private lastSweep: number;

  constructor(
    private readonly clock: Clock,
    private readonly limits: ThrottleLimits = defaultThrottleLimits,
  ) {
    this.lastSweep = clock.now();
  }

  /** How many keys are remembered (bounded by maxKeys). */
  get size(): number {
    return this.failures.size;
  }

  /** Counts the attempt as a failure unless it has to wait; `succeeded` takes it back. */
  begin(attempt: SignInAttempt): ThrottleDecision {
    const now = this.clock.now();
    this.sweep(now);
    const keys = this.keysOf(attempt);
    let refusal: { waitMs: number; reason: ThrottleReason } | undefined;
    for (const { key, free, reason } of keys) {
      const waitMs = this.waitFor(key, free, now);
      if (waitMs > 0 && (!refusal || waitMs > refusal.waitMs)) refusal = { waitMs, reason };
    }
    if (refusal) return { allowed: false, ...refusal };
    for (const { key } of keys) this.count(key, now);
    this.evict();
    return { allowed: true, ticket: { keys: keys.map((k) => k.key), clientAccountKey: keys[0]!.key } };
  }

  /**
   * A correct password: the client's failures at this account are forgiven; on the other keys
   * only this attempt is taken back, so one valid account does not reset the count for
   * guessing others, nor the owner's sign-in the count of someone guessing their password.
   */
  succeeded(ticket: AttemptTicket): void {
    this.failures.delete(ticket.clientAccountKey);
    this.takeBack(ticket);
  }

  /** Uncounts an attempt whose password was never checked. */
  takeBack(ticket: AttemptTicket): void {
    for (const key of ticket.keys) {
      const entry = this.failures.get(key);
      if (!entry) continue;
      if (entry.count <= 1) this.failures.delete(key);
      else entry.count -= 1;
    }
  }

  private keysOf(attempt: SignInAttempt): { key: string; free: number; reason: ThrottleReason }[] {
    const { perClientAccount, perClient, perAccount } = this.limits;
    if (attempt.trustedDevice !== undefined) {
      return [{ key: `device:${attempt.trustedDevice}:${attempt.address}`, free: perClientAccount, reason: 'client' }];
    }
    return [
      { key: `client-account:${attempt.clientIp}:${attempt.address}`, free: perClientAccount, reason: 'client' },
      { key: `client:${attempt.clientIp}`, free: perClient, reason: 'client' },
      { key: `account:${attempt.address}`, free: perAccount, reason: 'account' },
    ];
  }

  private waitFor(key: string, free: number, now: number): number {
    const entry = this.current(key, now);
    if (!entry || entry.count < free) return 0;
    const delay = Math.min(this.limits.maxDelayMs, this.limits.firstDelayMs * 2 ** Math.min(entry.count - free, 30));
    return Math.max(0, entry.last + delay - now);
  }

  private count(key: string, now: number): void {
    const entry = this.current(key, now);
    this.failures.delete(key);
    this.failures.set(key, { count: (entry?.count ?? 0) + 1, last: now });
  }

  /** Guessing over many made-up addresses must not grow memory without bound. */
  private evict(): void {
    const maxKeys = this.limits.maxKeys ?? defaultMaxKeys;
    for (const key of this.failures.keys()) {
      if (this.failures.size <= maxKeys) break;
      this.failures.delete(key);
    }
  }

  /** The key's failures unless they are old enough to be forgotten (then it is dropped). */
  private current(key: string, now: number): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && now - entry.last > this.limits.forgetAfterMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Now and then, drops the keys whose failures are forgotten. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.limits.forgetAfterMs) return;
    this.lastSweep = now;
    for (const key of [...this.failures.keys()]) this.current(key, now);
  }
}

/**
 * A cap on password checks running at once: each costs a 32 MiB scrypt run. A few wait their
 * turn; beyond that an attempt is refused at once rather than queued without bound.
 */
export class PasswordCheckGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly maxRunning = 4,
    private readonly maxWaiting = 16,
  ) {}

  /** Runs `check` when a slot is free; undefined (without running it) when too many are queued. */
  async run<T>(check: () => Promise<T>): Promise<T | undefined> {
    if (this.running >= this.maxRunning) {
      if (this.waiting.length >= this.maxWaiting) return undefined;
      // The slot is handed over by the finishing check, so `running` already counts this one.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await check();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
