import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  it('blocks an address after its limit of failures within the window and frees it after', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle({ now: () => now }, { perAddress: 3, perIp: 100, windowMs: 60_000 });
    throttle.fail('a@example.com', '127.0.0.1');
    throttle.fail('a@example.com', '127.0.0.1');
    expect(throttle.retryAfter('a@example.com', '127.0.0.1')).toBe(0);
    throttle.fail('a@example.com', '127.0.0.1');
    expect(throttle.retryAfter('a@example.com', '127.0.0.1')).toBe(60_000);
    expect(throttle.retryAfter('b@example.com', '127.0.0.1')).toBe(0);
    now += 30_000;
    expect(throttle.retryAfter('a@example.com', '127.0.0.1')).toBe(30_000);
    now += 30_001;
    expect(throttle.retryAfter('a@example.com', '127.0.0.1')).toBe(0);
  });

  it('blocks an IP spraying guesses over many addresses', () => {
    const throttle = new LoginThrottle({ now: () => 0 }, { perAddress: 100, perIp: 5, windowMs: 60_000 });
    for (let i = 0; i < 5; i++) throttle.fail(`user${i}@example.com`, '10.0.0.9');
    expect(throttle.retryAfter('someone-else@example.com', '10.0.0.9')).toBeGreaterThan(0);
    expect(throttle.retryAfter('someone-else@example.com', '10.0.0.10')).toBe(0);
  });

  it('forgets an address\'s failures after a successful sign-in, but not the IP\'s', () => {
    const throttle = new LoginThrottle({ now: () => 0 }, { perAddress: 2, perIp: 3, windowMs: 60_000 });
    throttle.fail('a@example.com', 'ip');
    throttle.fail('a@example.com', 'ip');
    throttle.succeed('a@example.com');
    expect(throttle.retryAfter('a@example.com', 'other-ip')).toBe(0);
    throttle.fail('b@example.com', 'ip');
    expect(throttle.retryAfter('c@example.com', 'ip')).toBeGreaterThan(0);
  });
});

describe('LoginThrottle memory', () => {
  it('forgets keys whose failures have expired', () => {
    let now = 0;
    const throttle = new LoginThrottle({ now: () => now }, { perAddress: 3, perIp: 100, windowMs: 60_000 });
    for (let i = 0; i < 50; i++) throttle.fail(`guess${i}@example.com`, '10.0.0.1');
    expect(throttle.size).toBe(51);
    now += 60_001;
    throttle.fail('late@example.com', '10.0.0.2');
    expect(throttle.size).toBe(2);
    expect(throttle.retryAfter('late@example.com', '10.0.0.2')).toBe(0);
    now += 60_001;
    expect(throttle.retryAfter('late@example.com', '10.0.0.2')).toBe(0);
    expect(throttle.size).toBe(0);
  });

  it('keeps at most maxKeys keys, dropping the stalest first', () => {
    let now = 0;
    const throttle = new LoginThrottle({ now: () => now }, { perAddress: 1, perIp: 1000, windowMs: 60_000, maxKeys: 10 });
    throttle.fail('victim@example.com', 'ip');
    for (let i = 0; i < 1000; i++) {
      now += 1;
      throttle.fail(`made-up-${i}@example.com`, 'ip');
      // the active attacker IP keeps being refreshed, so it is never the one evicted
      expect(throttle.size).toBeLessThanOrEqual(10);
    }
    expect(throttle.retryAfter('made-up-999@example.com', 'other')).toBeGreaterThan(0);
    expect(throttle.retryAfter('anyone@example.com', 'ip')).toBeGreaterThan(0);
    expect(throttle.retryAfter('victim@example.com', 'other')).toBe(0);
  });
});
