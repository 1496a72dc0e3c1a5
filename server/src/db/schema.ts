// Table types for Kysely. Conventions that hold on SQLite and PostgreSQL alike:
// ids are text (UUIDs made by the application), timestamps are epoch milliseconds (bigint),
// booleans are integers 0/1, structured values are JSON text.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Bool = number;
type Millis = number;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'user';
  password_hash: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface SessionsTable {
  /** sha256 of the cookie value: a database leak does not hand out live sessions. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: Millis;
  expires_at: Millis;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Millis;
  last_used_at: Millis | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface ProvidersTable {
  id: string;
  name: string;
  service_type: 'imap';
  imap_host: string;
  imap_port: number;
  imap_security: 'tls' | 'starttls' | 'none';
  smtp_host: string;
  smtp_port: number;
  smtp_security: 'tls' | 'starttls' | 'none';
  login_format: 'manual' | 'email' | 'localPart';
  auth_method: 'basic' | 'oauth2';
  oauth_client_id: string | null;
  /** encrypted with SecretBox */
  oauth_client_secret: string | null;
  oauth_authorization_url: string | null;
  oauth_token_url: string | null;
  oauth_scopes: string | null;
  allow_receive: Bool;
  allow_send: Bool;
  /** optional pinned SHA-256 certificate fingerprint (hex, colon-free, lower case) */
  tls_fingerprint: string | null;
  notes: string | null;
  created_at: Millis;
  updated_at: Millis;
  /** the last OAuth client failure at the token endpoint (migration 008), e.g. invalid_client */
  oauth_error_code: ColumnType<string | null, string | null | undefined, string | null>;
  oauth_error_message: ColumnType<string | null, string | null | undefined, string | null>;
  oauth_error_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>;
  /** the user who added the provider (migration 010); informational, no foreign key */
  created_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 when an admin created or last edited it (migration 010); 0: added by a user, unreviewed */
  trusted: ColumnType<Bool, Bool | undefined, Bool>;
}

/** An OAuth authorisation request in flight (migration 008): single use, until expires_at. */
export interface OAuthStatesTable {
  /** sha256 (hex) of the `state` parameter */
  id: string;
  user_id: string;
  provider_id: string;
  /** the address being connected, canonical */
  email: string;
  /** set when signing in again to an existing account */
  account_id: string | null;
  /** the PKCE code verifier, encrypted with SecretBox */
  code_verifier: string;
  nonce: string;
  created_at: Millis;
  expires_at: Millis;
}

export interface ProviderDomainsTable {
  /** canonical form: lower-case, IDN as punycode (A-label) */
  domain: string;
  provider_id: string;
  created_at: Millis;
}

export interface AccountsTable {
  id: string;
  user_id: string;
  provider_id: string;
  email: string;
  login: string;
  /** encrypted with SecretBox: JSON {password} or {accessToken, refreshToken, expiresAt} */
  secret: string | null;
  display_name: string;
  signature: string;
  sync_period: 'day' | 'week' | 'month' | 'year' | 'all';
  /** 'all' or a JSON array of folder paths */
  folders: string;
  auto_download: Bool;
  send_enabled: Bool;
  default_sender: Bool;
  enabled: Bool;
  state: 'connecting' | 'syncing' | 'idle' | 'error' | 'disabled';
  progress_done: number;
  progress_total: number;
  last_sync_at: Millis | null;
  error_code: string | null;
  error_message: string | null;
  error_action: string | null;
  error_at: Millis | null;
  /** set when deleted with "keep the downloaded mail" (migration 004): no secret, never syncs */
  archived_at: Millis | null;
  /** the last full verification against the server (migration 013), and what it found */
  last_verified_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>;
  drift_found: ColumnType<number, number | undefined, number>;
  drift_repaired: ColumnType<number, number | undefined, number>;
  created_at: Millis;
  updated_at: Millis;
}

export interface AccountSharesTable {
  account_id: string;
  user_id: string;
  can_read: Bool;
  can_send: Bool;
  can_manage: Bool;
}

export interface FoldersTable {
  id: string;
  account_id: string;
  path: string;
  name: string;
  delimiter: string | null;
  special_use: string | null;
  /** whether Mailyard synchronises this folder */
  synced: Bool;
  uid_validity: number | null;
  highest_uid: number;
  highest_modseq: string | null;
  /** lowest UID the first sync has reached going backwards (newest first) */
  backfill_uid: number | null;
  sync_complete: Bool;
  created_at: Millis;
  updated_at: Millis;
}

export interface MessagesTable {
  id: string;
  account_id: string;
  folder_id: string;
  uid_validity: number;
  uid: number;
  message_id: string | null;
  thread_id: string;
  in_reply_to: string | null;
  /** JSON array of message ids */
  references: string;
  subject: string;
  from_json: string;
  to_json: string;
  cc_json: string;
  bcc_json: string;
  date: Millis;
  snippet: string;
  text: string | null;
  html: string | null;
  headers_json: string;
  seen: Bool;
  flagged: Bool;
  answered: Bool;
  draft: Bool;
  has_attachments: Bool;
  direction: 'incoming' | 'outgoing';
  size: number;
  /** sha256 of the raw source in the blob store; '' while `source_pending` */
  raw_sha256: string;
  parse_error: string | null;
  /** 1 while only the headers are stored and the body waits to be parsed (migration 011) */
  content_pending: ColumnType<Bool, Bool | undefined, Bool>;
  /** 1 while the message is listed from its headers and its source is not downloaded (012) */
  source_pending: ColumnType<Bool, Bool | undefined, Bool>;
  modseq: string | null;
  /** normalised subject for threading (sync/threading.ts); '' when not set */
  subject_key: ColumnType<string, string | undefined, string>;
  created_at: Millis;
  updated_at: Millis;
}

export interface AttachmentsTable {
  id: string;
  message_id: string;
  filename: string;
  content_type: string;
  size: number;
  content_id: string | null;
  disposition: string;
  blob_sha256: string;
  position: number;
}

export interface OutboxTable {
  id: string;
  account_id: string;
  user_id: string;
  status: 'queued' | 'sending' | 'sent' | 'failed' | 'uncertain';
  /** JSON of the compose request (attachments as blob references) */
  payload: string;
  message_id: string;
  idempotency_key: string | null;
  attempts: number;
  next_attempt_at: Millis;
  error_code: string | null;
  error_message: string | null;
  created_at: Millis;
  updated_at: Millis;
  sent_at: Millis | null;
}

/** Changes made in Mailyard that must reach the IMAP server (survive disconnects). */
export interface PendingChangesTable {
  id: Generated<number>;
  account_id: string;
  message_id: string;
  kind: 'flags' | 'move' | 'delete';
  /** JSON: {seen?, flagged?, answered?} or {toFolderId} */
  payload: string;
  created_at: Millis;
  attempts: ColumnType<number, number | undefined, number>;
}

/** A live worker process (scale-out); times are the database's clock. */
export interface WorkersTable {
  id: string;
  started_at: number;
  heartbeat_at: number;
}

/** Who syncs a mailbox; `fencing_token` grows with every claim (scale-out). */
export interface AccountLeasesTable {
  account_id: string;
  owner_id: string | null;
  fencing_token: number;
  expires_at: number;
  heartbeat_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  settings: SettingsTable;
  providers: ProvidersTable;
  provider_domains: ProviderDomainsTable;
  accounts: AccountsTable;
  account_shares: AccountSharesTable;
  folders: FoldersTable;
  messages: MessagesTable;
  attachments: AttachmentsTable;
  outbox: OutboxTable;
  pending_changes: PendingChangesTable;
  oauth_states: OAuthStatesTable;
  workers: WorkersTable;
  account_leases: AccountLeasesTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ProviderRow = Selectable<ProvidersTable>;
export type AccountRow = Selectable<AccountsTable>;
export type FolderRow = Selectable<FoldersTable>;
export type MessageRow = Selectable<MessagesTable>;
export type OutboxRow = Selectable<OutboxTable>;
