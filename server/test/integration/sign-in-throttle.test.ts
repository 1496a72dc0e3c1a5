// Sign-in guessing through the real HTTP API, on SQLite and PostgreSQL: attempts are counted
// before the password check, password checks are capped, and the throttle slows the guesser
// (per client address and per account, with backoff) without locking the owner out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { ApiClient, type ApiResponse } from '../support/api-client.js';

type ErrorBody = { error: { code: string; details?: { reason?: string; retryAfterSeconds?: number } } };

describe.each(dialects)('sign-in throttling on %s', (dialect) => {
  let t: TestApp;
  let ipCounter = 0;
  const nextIp = () => {
    ipCounter += 1;
    return `203.0.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
  };
  const signIn = (client: ApiClient, email: string, password: string, ip: string): Promise<ApiResponse<ErrorBody>> =>
    client.request<ErrorBody>('POST', '/api/v1/auth/login', { email, password }, { 'x-forwarded-for': ip });

  async function newUser(): Promise<{ email: string; password: string }> {
    ipCounter += 1;
    const email = `owner${ipCounter}-${Date.now()}@mailyard.test`;
    const password = 'the-right-password';
    await t.admin.post('/api/v1/users', { email, password, name: 'Owner', role: 'user' }).expect(201);
    return { email, password };
  }

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { MAILYARD_TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('checks at most the allowance of 30 wrong passwords sent at once for one address', async () => {
    const { email } = await newUser();
    const ip = nextIp();
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn(t.client(), email, `guess-${i}`, ip)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(20);
    for (const r of limited) {
      expect(r.body.error.code).toBe('rate_limited');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(['client', 'busy']).toContain(r.body.error.details?.reason);
    }
  });

  it('refuses password checks beyond the cap at once with 429, Retry-After and the reason', async () => {
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => signIn(t.client(), `nobody${i}-${Date.now()}@mailyard.test`, 'guess', nextIp())),
    );
    const busy = responses.filter((r) => r.status === 429);
    expect(busy.length).toBeGreaterThan(0);
    for (const r of busy) {
      expect(r.body.error).toMatchObject({ code: 'rate_limited', details: { reason: 'busy' } });
      expect(r.headers.get('retry-after')).toBe('1');
    }
    expect(responses.every((r) => r.status === 401 || r.status === 429)).toBe(true);
  });

  it('slows a guesser while the owner signs in correctly from another address', async () => {
    const { email, password } = await newUser();
    const guesser = nextIp();
    for (let i = 0; i < 10; i++) expect((await signIn(t.client(), email, `guess-${i}`, guesser)).status).toBe(401);
    const refused = await signIn(t.client(), email, 'guess-final', guesser);
    expect(refused.status).toBe(429);
    expect(refused.body.error.details?.reason).toBe('client');
    // even the right password waits from the guesser's address
    expect((await signIn(t.client(), email, password, guesser)).status).toBe(429);

    expect((await signIn(t.client(), email, password, nextIp())).status).toBe(200);
  });

  it('behind one shared address, lets in the browser the owner signed in with before', async () => {
    const { email, password } = await newUser();
    const shared = nextIp();
    const owner = t.client();
    expect((await signIn(owner, email, password, shared)).status).toBe(200);
    expect(owner.deviceCookie).toBeDefined();

    const guesser = t.client();
    for (let i = 0; i < 10; i++) expect((await signIn(guesser, email, `guess-${i}`, shared)).status).toBe(401);
    expect((await signIn(guesser, email, 'guess-final', shared)).status).toBe(429);
    expect((await signIn(owner, email, password, shared)).status).toBe(200);
    // a forged device cookie does not either
    const forger = t.client();
    forger.deviceCookie = `mailyard_device=${owner.deviceCookie?.split('=')[1]?.replace(/^./, 'x')}`;
    expect((await signIn(forger, email, 'guess-forged', shared)).status).toBe(429);
  });

  it('slows guessers at one account from many addresses, but not the owner\'s browser', async () => {
    const { email, password } = await newUser();
    const owner = t.client();
    expect((await signIn(owner, email, password, nextIp())).status).toBe(200);
    for (let batch = 0; batch < 50 / 5; batch++) {
      const statuses = await Promise.all(Array.from({ length: 5 }, (_, i) => signIn(t.client(), email, `guess-${batch}-${i}`, nextIp())));
      expect(statuses.map((s) => s.status)).toEqual([401, 401, 401, 401, 401]);
    }
    const fresh = await signIn(t.client(), email, password, nextIp());
    expect(fresh.status).toBe(429);
    expect(fresh.body.error.details?.reason).toBe('account');
    expect((await signIn(owner, email, password, nextIp())).status).toBe(200);
  });
});
