import { describe, expect, it } from 'vitest';
import type { AccountRecord } from './account.js';
import {
  deriveLogin,
  formatFolderSelection,
  fullAccess,
  parseFolderSelection,
  toAccount,
} from './account.js';
import { AppError } from './errors.js';

describe('deriveLogin', () => {
  it('uses the whole address for the email format', () => {
    expect(deriveLogin('email', 'jane@example.com', 'ignored')).toBe('jane@example.com');
  });

  it('uses the part before @ for the mailbox-name format', () => {
    expect(deriveLogin('localPart', 'jane.doe@example.com', undefined)).toBe('jane.doe');
  });

  it('takes the typed login for manual entry and requires one', () => {
    expect(deriveLogin('manual', 'jane@example.com', '  j.doe ')).toBe('j.doe');
    const error = (() => {
      try {
        deriveLogin('manual', 'jane@example.com', ' ');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('validation_failed');
    expect(Object.keys((error as AppError).details?.fields as object)).toEqual(['login']);
  });
});

describe('folder selection', () => {
  it('round-trips all and a list without blanks or duplicates', () => {
    expect(parseFolderSelection(formatFolderSelection('all'))).toBe('all');
    expect(parseFolderSelection(formatFolderSelection(['INBOX', ' Work ', 'INBOX', '']))).toEqual([
      'INBOX',
      'Work',
    ]);
  });

  it('reads a damaged value as all', () => {
    expect(parseFolderSelection('{oops')).toBe('all');
  });
});

describe('toAccount', () => {
  const row: AccountRecord & { secret: string } = {
    id: 'a1',
    user_id: 'u1',
    provider_id: 'p1',
    provider_name: 'Example',
    owner_email: 'jane@mailyard.test',
    owner_name: 'Jane Doe',
    email: 'jane@example.com',
    login: 'jane',
    secret: 'v1:key:nonce:body',
    display_name: 'Jane',
    signature: '<b>Jane</b>',
    sync_period: 'month',
    folders: '["INBOX"]',
    auto_download: 1,
    send_enabled: 0,
    default_sender: 1,
    enabled: 1,
    state: 'error',
    progress_done: 3,
    progress_total: 10,
    last_sync_at: Date.UTC(2026, 0, 1),
    error_code: 'auth_failed',
    error_message: 'The password was rejected',
    error_action: 'enter_new_password',
    error_at: Date.UTC(2026, 0, 2),
    archived_at: null,
    last_verified_at: null,
    drift_found: 0,
    drift_repaired: 0,
    created_at: Date.UTC(2025, 11, 1),
    updated_at: Date.UTC(2026, 0, 2),
  };

  it('gives the contract shape without the secret', () => {
    const account = toAccount(row, fullAccess);
    expect(account).toMatchObject({
      id: 'a1',
      providerId: 'p1',
      folders: ['INBOX'],
      sendEnabled: false,
      defaultSender: true,
      archived: false,
      status: {
        state: 'error',
        progress: { done: 3, total: 10 },
        lastSyncAt: '2026-01-01T00:00:00.000Z',
        error: { code: 'auth_failed', action: 'enter_new_password', at: '2026-01-02T00:00:00.000Z' },
      },
      owner: { id: 'u1', name: 'Jane Doe' },
    });
    expect(JSON.stringify(account)).not.toContain('v1:key');
  });

  it('reports a switched-off account as disabled with no error', () => {
    expect(toAccount({ ...row, enabled: 0, state: 'idle' }, fullAccess).status).toMatchObject({
      state: 'disabled',
      error: null,
    });
  });
});
