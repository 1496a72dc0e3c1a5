// Login rate limiting: failed attempts per address and per client IP in a sliding window.
// The per-IP limit is higher than the per-address one, so colleagues behind one NAT are not
// locked out by one person's typos, while one IP still cannot spray guesses over many
// addresses. In memory on purpose: it guards one process's login endpoint; several api
// processes each keep their own window, which still bounds guessing to a small multiple.
import type { Clock } from '../lib/clock.js';

export interface ThrottleLimits {
  perAddress: number;
  perIp: number;
  windowMs: number;
  /** most keys (addresses + IPs) remembered; the least recently failed go first beyond it */
  maxKeys?: number;
}

const defaultLimits: ThrottleLimits = { perAddress: 10, perIp: 50, windowMs: 15 * 60 * 1000 };
const defaultMaxKeys = 100_000;

export class LoginThrottle {
  // Insertion order is failure recency (fail() re-inserts), so the first key is the stalest.
  private readonly failures = new Map<string, number[]>();
  private lastSweep: number;

  constructor(
    private readonly clock: Clock,
    private readonly limits: ThrottleLimits = defaultLimits,
  ) {
    this.lastSweep = clock.now();
  }

  /** How many addresses and IPs are remembered (bounded by maxKeys). */
  get size(): number {
    return this.failures.size;
  }

  /** Milliseconds until another attempt is allowed, or 0. */
  retryAfter(address: string, ip: string): number {
    const now = this.clock.now();
    let wait = 0;
    for (const [key, max] of [
      [`address:${address}`, this.limits.perAddress],
      [`ip:${ip}`, this.limits.perIp],
    ] as const) {
      const recent = this.recent(key, now);
      if (recent.length >= max) wait = Math.max(wait, recent[recent.length - max]! + this.limits.windowMs - now);
    }
    return wait;
  }

  fail(address: string, ip: string): void {
    const now = this.clock.now();
    this.sweep(now);
    for (const key of [`address:${address}`, `ip:${ip}`]) {
      const recent = this.recent(key, now);
      this.failures.delete(key);
      this.failures.set(key, [...recent, now]);
    }
    // Guessing over many made-up addresses must not grow memory without bound.
    const maxKeys = this.limits.maxKeys ?? defaultMaxKeys;
    for (const key of this.failures.keys()) {
      if (this.failures.size <= maxKeys) break;
      this.failures.delete(key);
    }
  }

  /** A correct password clears the address's failures, not the IP's: one valid account must
   * not let an attacker reset the counter for guessing others. */
  succeed(address: string): void {
    this.failures.delete(`address:${address}`);
  }

  /** The key's failures inside the window; a key with none left is forgotten. */
  private recent(key: string, now: number): number[] {
    const all = this.failures.get(key);
    if (!all) return [];
    const recent = all.filter((t) => t > now - this.limits.windowMs);
    if (recent.length === 0) this.failures.delete(key);
    else if (recent.length !== all.length) this.failures.set(key, recent);
    return recent;
  }

  /** Once per window, drops the keys whose failures have all expired. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.limits.windowMs) return;
    this.lastSweep = now;
    for (const key of [...this.failures.keys()]) this.recent(key, now);
  }
}
