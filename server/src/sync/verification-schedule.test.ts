import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../lib/logger.js';
import { VerificationSchedule } from './verification-schedule.js';
import type { SyncAccount } from '../db/repositories/sync-accounts.repository.js';

const options = { checkIntervalMs: 1_000, fullIntervalMs: 10_000, chunkSize: 100 };

function setup(account: Partial<SyncAccount>, differing: string[] = [], verifying: () => Promise<void> = () => Promise.resolve()) {
  const calls: string[] = [];
  const now = 100_000;
  const schedule = new VerificationSchedule(
    'a1',
    {
      verifier: {
        verify: async () => {
          calls.push('verify');
          await verifying();
          return undefined;
        },
        check: () => {
          calls.push('check');
          return Promise.resolve(differing);
        },
      },
      accounts: { findById: () => Promise.resolve({ state: 'idle', error_code: null, last_verified_at: now - 1_000, ...account } as SyncAccount) },
      clock: { now: () => now },
      logger: createLogger('silent'),
      context: (work) => work(),
    },
    options,
  );
  return { schedule, calls };
}

describe('the verification schedule', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the cheap check within one interval, and nothing more while the counts match', async () => {
    const { schedule, calls } = setup({});
    schedule.start();
    await vi.advanceTimersByTimeAsync(options.checkIntervalMs);
    expect(calls).toEqual(['check']);
    await schedule.stop();
  });

  it('verifies in full when a folder cannot match', async () => {
    const { schedule, calls } = setup({}, ['INBOX']);
    schedule.start();
    await vi.advanceTimersByTimeAsync(options.checkIntervalMs);
    expect(calls).toEqual(['check', 'verify']);
    await schedule.stop();
  });

  it('verifies in full when the last full verification is an interval old, or never ran', async () => {
    const old = setup({ last_verified_at: 100_000 - options.fullIntervalMs });
    old.schedule.start();
    await vi.advanceTimersByTimeAsync(options.checkIntervalMs);
    expect(old.calls).toEqual(['verify']);
    await old.schedule.stop();

    const never = setup({ last_verified_at: null });
    never.schedule.start();
    await vi.advanceTimersByTimeAsync(options.checkIntervalMs);
    expect(never.calls).toEqual(['verify']);
    await never.schedule.stop();
  });

  it('verifies in full at once when asked, and again after a run when asked during it', async () => {
    let finish: () => void = () => undefined;
    const { schedule, calls } = setup({}, [], () => new Promise<void>((resolve) => (finish = resolve)));
    schedule.requestFull();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['verify']);
    schedule.requestFull();
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['verify', 'verify']);
    finish();
    await schedule.stop();
  });

  it('makes no login while the server rejects the stored one', async () => {
    const { schedule, calls } = setup({ state: 'error', error_code: 'auth_failed' });
    schedule.requestFull();
    await vi.advanceTimersByTimeAsync(options.checkIntervalMs);
    expect(calls).toEqual([]);
    await schedule.stop();
  });
});
