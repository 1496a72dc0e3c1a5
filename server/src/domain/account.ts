// The email account (mailbox) as the API shows it (its schema), its closed sets, and the rules
// that need no I/O: deriving the login from the provider's login format, reading the stored
// folder choice.
import { Type, type Static } from '@sinclair/typebox';
import { canonicalDomain, type LoginFormat } from './provider.js';
import { Nullable, literals } from './schema.js';
import { validationFailed } from './errors.js';

export const syncPeriods = ['day', 'week', 'month', 'year', 'all'] as const;
export type SyncPeriod = (typeof syncPeriods)[number];
export const defaultSyncPeriod: SyncPeriod = 'month';

export const accountStates = ['connecting', 'syncing', 'idle', 'error', 'disabled'] as const;
export type AccountState = (typeof accountStates)[number];

/** What the owner does to fix an account in `error` (docs/product.md "Email account"). */
export const accountErrorActions = ['enter_new_password', 'sign_in_again', 'retry'] as const;
export type AccountErrorAction = (typeof accountErrorActions)[number];

export const accountPermissions = ['read', 'send', 'manage'] as const;
export type AccountPermission = (typeof accountPermissions)[number];
export type AccountAccessRights = Record<AccountPermission, boolean>;

export const fullAccess: AccountAccessRights = { read: true, send: true, manage: true };

/** `'all'`, or exactly these folder paths (a parent does not imply its children). */
export type FolderSelection = 'all' | string[];

const AccessSchema = Type.Object({ read: Type.Boolean(), send: Type.Boolean(), manage: Type.Boolean() });

export const AccountErrorSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  action: Nullable(literals(accountErrorActions)),
  at: Type.String(),
});
export type AccountError = Static<typeof AccountErrorSchema>;

/** The `status` of the account API shape and the data of `account.status` events. */
export const AccountStatusSchema = Type.Object({
  state: literals(accountStates),
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer() }),
  lastSyncAt: Nullable(Type.String()),
  error: Nullable(AccountErrorSchema),
  lastVerifiedAt: Nullable(
    Type.String({ description: 'the last full comparison of the copy with the mail server (sync/verification.ts)' }),
  ),
  drift: Type.Object(
    { found: Type.Integer(), repaired: Type.Integer() },
    { description: 'what that comparison found different, and how much of it it repaired' },
  ),
});
export type AccountStatus = Static<typeof AccountStatusSchema>;

/**
 * The API shape (docs/product.md "API contract", accounts), plus its owner and what the caller
 * may do with it. It is the allow-list of what leaves the server: no secret field exists here.
 */
export const AccountSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    providerId: Type.String(),
    providerName: Type.String(),
    login: Type.String(),
    displayName: Type.String(),
    signature: Type.String(),
    syncPeriod: literals(syncPeriods),
    folders: Type.Union([Type.Literal('all'), Type.Array(Type.String())]),
    autoDownload: Type.Boolean(),
    sendEnabled: Type.Boolean(),
    defaultSender: Type.Boolean(),
    enabled: Type.Boolean(),
    archived: Type.Boolean({
      description: 'deleted with "keep the downloaded mail": readable, no longer connected, no stored secret',
    }),
    status: AccountStatusSchema,
    owner: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() }),
    access: AccessSchema,
    createdAt: Type.String(),
  },
  { $id: 'Account' },
);
export type Account = Static<typeof AccountSchema>;

const ShareRightsSchema = { read: Type.Boolean(), send: Type.Boolean(), manage: Type.Boolean() };

/** Someone else who may read, send through or manage a mailbox (`GET /api/v1/accounts/{id}/shares`). */
export const AccountShareSchema = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  email: Type.String(),
  ...ShareRightsSchema,
});
export type AccountShare = Static<typeof AccountShareSchema>;

/** A share as the owner sets it (`PUT /api/v1/accounts/{id}/shares`). */
export const ShareInputSchema = Type.Object(
  { userId: Type.String({ minLength: 1, maxLength: 100 }), ...ShareRightsSchema },
  { additionalProperties: false },
);
export type ShareInput = Static<typeof ShareInputSchema>;

/** A folder of the mailbox, and whether the account's folder choice includes it. */
export const AccountFolderSchema = Type.Object({
  path: Type.String(),
  name: Type.String(),
  delimiter: Nullable(Type.String()),
  specialUse: Nullable(Type.String()),
  selected: Type.Boolean(),
});
export type AccountFolder = Static<typeof AccountFolderSchema>;

/** A user as the share chooser lists them (`GET /api/v1/users/directory`). */
export const DirectoryUserSchema = Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() });
export type DirectoryUser = Static<typeof DirectoryUserSchema>;

const iso = (millis: number | null): string | null =>
  millis === null ? null : new Date(Number(millis)).toISOString();

const isErrorAction = (value: string | null): value is AccountErrorAction =>
  value !== null && (accountErrorActions as readonly string[]).includes(value);

export function parseFolderSelection(stored: string): FolderSelection {
  if (stored === 'all') return 'all';
  try {
    const parsed: unknown = JSON.parse(stored);
    if (Array.isArray(parsed)) return parsed.filter((p): p is string => typeof p === 'string');
  } catch {
    // A damaged value must not hide the account; syncing everything is the safe reading.
  }
  return 'all';
}

/** Stored form: 'all' or a JSON array, duplicates and blanks removed, in the order given. */
export function formatFolderSelection(folders: FolderSelection): string {
  if (folders === 'all') return 'all';
  return JSON.stringify([...new Set(folders.map((f) => f.trim()).filter((f) => f !== ''))]);
}

/** The columns toAccountStatus reads; an `accounts` row satisfies it. */
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
  last_verified_at: number | null;
  drift_found: number;
  drift_repaired: number;
  updated_at: number;
}

/**
 * The `status` of the account API shape and the data of `account.status` events. An error
 * recorded without its time shows the time the row last changed, which is when it was recorded.
 */
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
            action: isErrorAction(row.error_action) ? row.error_action : null,
            at: iso(row.error_at) ?? new Date(Number(row.updated_at)).toISOString(),
          }
        : null,
    lastVerifiedAt: iso(row.last_verified_at),
    drift: { found: Number(row.drift_found), repaired: Number(row.drift_repaired) },
  };
}

/** What toAccount reads: an `accounts` row joined with its provider's name and its owner. */
export interface AccountRecord extends AccountStatusRow {
  id: string;
  user_id: string;
  provider_id: string;
  email: string;
  login: string;
  display_name: string;
  signature: string;
  sync_period: SyncPeriod;
  folders: string;
  auto_download: number;
  send_enabled: number;
  default_sender: number;
  archived_at: number | null;
  created_at: number;
  provider_name: string;
  owner_email: string;
  owner_name: string;
}

export function toAccount(row: AccountRecord, access: AccountAccessRights): Account {
  return {
    id: row.id,
    email: row.email,
    providerId: row.provider_id,
    providerName: row.provider_name,
    login: row.login,
    displayName: row.display_name,
    signature: row.signature,
    syncPeriod: row.sync_period,
    folders: parseFolderSelection(row.folders),
    autoDownload: row.auto_download === 1,
    sendEnabled: row.send_enabled === 1,
    defaultSender: row.default_sender === 1,
    enabled: row.enabled === 1,
    archived: row.archived_at !== null,
    status: toAccountStatus(row),
    owner: { id: row.user_id, email: row.owner_email, name: row.owner_name },
    access,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The address split at its last `@` (a quoted local part may itself contain one). */
export function splitAddress(email: string): { localPart: string; domain: string } {
  const at = email.lastIndexOf('@');
  return { localPart: email.slice(0, at), domain: email.slice(at + 1) };
}

/** Lower-case, with the domain in its canonical (punycode) form. */
export function canonicalAddress(input: string): string {
  const trimmed = input.trim().toLowerCase();
  const { localPart, domain } = splitAddress(trimmed);
  if (localPart === '' || !trimmed.includes('@'))
    throw validationFailed({ email: 'enter an email address such as name@example.com' });
  try {
    return `${localPart}@${canonicalDomain(domain, 'email')}`;
  } catch {
    throw validationFailed({ email: 'enter an email address such as name@example.com' });
  }
}

/**
 * The login the provider expects: `email` → the whole address, `localPart` → the part before
 * `@`, `manual` → what the user typed (required). A login typed for another format is ignored,
 * so the provider's rule always wins.
 */
export function deriveLogin(format: LoginFormat, email: string, typed: string | undefined): string {
  switch (format) {
    case 'email':
      return email;
    case 'localPart':
      return splitAddress(email).localPart;
    case 'manual': {
      const login = typed?.trim() ?? '';
      if (login === '') throw validationFailed({ login: 'enter the login (user name) for this mailbox' });
      return login;
    }
  }
}
