// The account status the engine reports (the `status` of the account API shape and the data of
// `account.status` events).
import type { AccountErrorAction, AccountState, AccountStatus } from '../domain/account.js';
import { accountErrorActions } from '../domain/account.js';

export interface AccountStatusRow {
  enabled: number;
  state: AccountState;
  progress_done: number;
  progress_total: number;
  last_sync_at: number | null;
  error_code: string | null;
  error_message: string | null;
  error_action: string | null;
  error_at: number | null;
}

const iso = (millis: number | null): string | null =>
  millis === null ? null : new Date(Number(millis)).toISOString();
const isAction = (value: string | null): value is AccountErrorAction =>
  value !== null && (accountErrorActions as readonly string[]).includes(value);

export function toAccountStatus(row: AccountStatusRow): AccountStatus {
  return {
    state: row.enabled === 1 ? row.state : 'disabled',
    progress: { done: row.progress_done, total: row.progress_total },
    lastSyncAt: iso(row.last_sync_at),
    error:
      row.state === 'error' && row.error_code !== null
        ? {
            code: row.error_code,
            message: row.error_message ?? '',
            action: isAction(row.error_action) ? row.error_action : null,
            at: iso(row.error_at) ?? new Date(0).toISOString(),
          }
        : null,
  };
}
