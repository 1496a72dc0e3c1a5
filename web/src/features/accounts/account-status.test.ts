import { describe, expect, it } from 'vitest';
import {
  actionLabel,
  describeVerificationFailure,
  notesOf,
  progressPercent,
  statusView,
  verificationSummary,
} from './account-status.js';
import type { AccountStatus } from './accounts.api.js';

const status = (state: AccountStatus['state'], done = 0, total = 0): AccountStatus => ({
  state,
  progress: { done, total },
  lastSyncAt: null,
  error: null,
  lastVerifiedAt: null,
  drift: { found: 0, repaired: 0 },
});

describe('statusView', () => {
  it('shows sync progress as X of Y messages', () => {
    expect(statusView(status('syncing', 120, 480))).toEqual({
      label: 'Syncing',
      color: 'blue',
      progress: '120 of 480 messages',
    });
    expect(progressPercent(status('syncing', 120, 480))).toBe(25);
    expect(progressPercent(status('connecting'))).toBeNull();
  });

  it('names every state and archived accounts', () => {
    expect(statusView(status('idle')).label).toBe('Up to date');
    expect(statusView(status('error')).label).toBe('Needs attention');
    expect(statusView(status('disabled')).label).toBe('Switched off');
    expect(statusView(status('disabled'), true).label).toBe('Archived');
  });
});

describe('describeVerificationFailure', () => {
  it('says which step failed in plain words with a hint', () => {
    const failure = describeVerificationFailure('auth_failed', 'Authentication failed', {
      step: 'auth',
      protocol: 'imap',
    });
    expect(failure.step).toBe('Signing in to the incoming mail server (IMAP login)');
    expect(failure.message).toBe('Authentication failed');
    expect(failure.hint).toContain('login and password');
    expect(
      describeVerificationFailure('tls_error', 'certificate has expired', { step: 'tls', protocol: 'smtp' })
        .step,
    ).toBe('Checking the security certificate of the outgoing mail server (SMTP)');
    expect(describeVerificationFailure('app_password_required', 'x', {}).hint).toContain('app password');
  });
});

describe('actionLabel and notesOf', () => {
  it('names the fixing action', () => {
    expect(actionLabel('enter_new_password')).toBe('Enter new password');
    expect(actionLabel('retry')).toBe('Retry');
  });
  it('accepts one note or many', () => {
    expect(notesOf('needs an app password')).toEqual(['needs an app password']);
    expect(notesOf(['a', ' '])).toEqual(['a']);
    expect(notesOf(null)).toEqual([]);
  });
});

describe('verificationSummary', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  const verified = (minutesAgo: number, found: number, repaired: number): AccountStatus => ({
    ...status('idle'),
    lastVerifiedAt: new Date(now - minutesAgo * 60_000).toISOString(),
    drift: { found, repaired },
  });

  it('says when the copy was proven equal to the server', () => {
    expect(verificationSummary(verified(3, 0, 0), now)).toBe('Verified 3 minutes ago — everything matches');
    expect(verificationSummary(verified(0, 0, 0), now)).toBe('Verified just now — everything matches');
  });

  it('counts the differences found and repaired', () => {
    expect(verificationSummary(verified(3, 2, 2), now)).toBe('Verified 3 minutes ago: 2 differences found and repaired');
    expect(verificationSummary(verified(120, 1, 1), now)).toBe('Verified 2 hours ago: 1 difference found and repaired');
    expect(verificationSummary(verified(3, 3, 2), now)).toBe('Verified 3 minutes ago: 3 differences found, 2 repaired');
  });

  it('says nothing before the first verification', () => {
    expect(verificationSummary(status('idle'), now)).toBeNull();
  });
});
