import { describe, expect, it } from 'vitest';
import { LoginThrottle, PasswordCheckGate, type ThrottleLimits } from './login-throttle.js';

const limits: ThrottleLimits = {
  perClientAccount: 3,
  perClient: 10,
  perAccount: 6,
  firstDelayMs: 1_000,
  maxDelayMs: 8_000,
  forgetAfterMs: 60_000,
};

const fail = (throttle: LoginThrottle, address: string, clientIp: string, trustedDevice?: string) => {
  const decision = throttle.begin({ address, clientIp, ...(trustedDevice && { trustedDevice }) });
  if (!decision.allowed) throw new Error(`refused: ${decision.reason}`);
  return decision.ticket;
};

describe('LoginThrottle', () => {
  it('counts an attempt before its password is checked, so parallel guesses cannot pass the allowance', () => {
    const throttle = new LoginThrottle({ now: () => 0 }, limits);
    const decisions = Array.from({ length: 10 }, () => throttle.begin({ address: 'a@example.com', clientIp: 'ip' }));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    expect(decisions[3]).toEqual({ allowed: false, waitMs: 1_000, reason: 'client' });
  });

  it('backs off, doubling the wait with each failure up to the ceiling, and forgets after a quiet hour', () => {
    let now = 0;
    const throttle = new LoginThrottle({ now: () => now }, limits);
    for (let i = 0; i < 3; i++) fail(throttle, 'a@example.com', 'ip');
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const decision = throttle.begin({ address: 'a@example.com', clientIp: 'ip' });
      if (decision.allowed) throw new Error('expected a wait');
      waits.push(decision.waitMs);
      now += decision.waitMs;
      fail(throttle, 'a@example.com', 'ip');
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    now += 60_001;
    expect(throttle.begin({ address: 'a@example.com', clientIp: 'ip' }).allowed).toBe(true);
  });

  it('slows a guesser without locking out the owner signing in from another address', () => {
    const throttle = new LoginThrottle({ now: () => 0 }, limits);
    for (let i = 0; i < 3; i++) fail(throttle, 'a@example.com', 'guesser');
    expect(throttle.begin({ address: 'a@example.com', clientIp: 'guesser' }).allowed).toBe(false);
    expect(throttle.begin({ address: 'a@example.com', clientIp: 'owner' }).allowed).toBe(true);
  });

  it('slows many guessers at one account, but not a browser the owner signed in with before', () => {
    const throttle = new LoginThrottle({ now: () => 0 }, limits);
    for (let i = 0; i < 6; i++) fail(throttle, 'a@example.com', `guesser-${i}`);
    expect(throttle.begin({ address: 'a@example.com', clientIp: 'guesser-new' })).toMatchObject({ allowed: false, reason: 'account' });
    // same address as the guessers (a shared proxy), but a proven device cookie
    expect(throttle.begin({ address: 'a@example.com', clientIp: 'guesser-0', trustedDevice: 'owner-laptop' }).allowed).toBe(true);
  });

  it('slows one address spraying guesses over many accounts', () => {
    const throttle = new LoginThrottle({ now: () => 0 }, limits);
    for (let i = 0; i < 10; i++) fail(throttle, `user${i}@example.com`, '10.0.0.9');
    expect(throttle.begin({ address: 'someone-else@example.com', clientIp: '10.0.0.9' }).allowed).toBe(false);
    expect(throttle.begin({ address: 'someone-else@example.com', clientIp: '10.0.0.10' }).allowed).toBe(true);
  });

  it('a correct password forgives the client at that account but takes back only its own attempt elsewhere', () => {
    const throttle = new LoginThrottle({ now: () => 0 }, limits);
    fail(throttle, 'a@example.com', 'ip');
    fail(throttle, 'a@example.com', 'ip');
    throttle.succeeded(fail(throttle, 'a@example.com', 'ip'));
    for (let i = 0; i < 3; i++) fail(throttle, 'a@example.com', 'ip');
    expect(throttle.begin({ address: 'a@example.com', clientIp: 'ip' }).allowed).toBe(false);
    // the client's count over all accounts kept its failures: 2 + 3 = 5 of 10
    for (let i = 0; i < 5; i++) fail(throttle, `other${i}@example.com`, 'ip');
    expect(throttle.begin({ address: 'b@example.com', clientIp: 'ip' }).allowed).toBe(false);
  });

  it('keeps at most maxKeys keys, dropping the stalest first', () => {
    let now = 0;
    const throttle = new LoginThrottle({ now: () => now }, { ...limits, perClient: 100_000, maxKeys: 10 });
    for (let i = 0; i < 1000; i++) {
      now += 1;
      fail(throttle, `made-up-${i}@example.com`, 'ip');
      expect(throttle.size).toBeLessThanOrEqual(10);
    }
  });
});

describe('PasswordCheckGate', () => {
  it('runs a few checks at once, queues a few more and refuses the rest without running them', async () => {
    const gate = new PasswordCheckGate(2, 1);
    const releases: (() => void)[] = [];
    let started = 0;
    const check = () =>
      gate.run(() => {
        started += 1;
        return new Promise<boolean>((resolve) => releases.push(() => resolve(true)));
      });
    const results = [check(), check(), check(), check()];
    expect(await results[3]).toBeUndefined();
    expect(started).toBe(2);
    releases.shift()!();
    await results[0];
    await Promise.resolve();
    expect(started).toBe(3);
    for (const release of releases) release();
    expect(await Promise.all(results.slice(0, 3))).toEqual([true, true, true]);
  });
});
