// Factories that store mailboxes and messages straight through Kysely and the BlobStore, so the
// panel's tests (and the API benchmark) do not depend on the sync engine to have mail to read.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, migrateToLatest, type Db } from '../../src/db/database.js';
import { BlobStore } from '../../src/lib/blob-store.js';
import type { MailAddress, MessageDirection, MessageListItem } from '../../src/domain/message.js';

export interface SeededAccount {
  accountId: string;
  email: string;
  /** folder id by path */
  folders: Record<string, string>;
}

export interface SeedAccountOptions {
  userId: string;
  email?: string;
  /** folder paths with their special-use attribute (null for none) */
  folders?: Record<string, string | null>;
}

const defaultFolders: Record<string, string | null> = { INBOX: null, Archive: '\\Archive', Sent: '\\Sent', Trash: '\\Trash' };

let providerCounter = 0;

/** A provider, an account owned by `userId` and its folders. */
export async function seedAccount(db: Db, opts: SeedAccountOptions): Promise<SeededAccount> {
  const now = Date.now();
  providerCounter += 1;
  const providerId = randomUUID();
  await db
    .insertInto('providers')
    .values({
      id: providerId,
      name: `Seeded provider ${providerCounter} ${providerId.slice(0, 8)}`,
      service_type: 'imap',
      imap_host: 'imap.example.test',
      imap_port: 993,
      imap_security: 'tls',
      smtp_host: 'smtp.example.test',
      smtp_port: 465,
      smtp_security: 'tls',
      login_format: 'email',
      auth_method: 'basic',
      oauth_client_id: null,
      oauth_client_secret: null,
      oauth_authorization_url: null,
      oauth_token_url: null,
      oauth_scopes: null,
      allow_receive: 1,
      allow_send: 1,
      tls_fingerprint: null,
      notes: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const accountId = randomUUID();
  const email = opts.email ?? `mailbox-${accountId.slice(0, 8)}@example.test`;
  await db
    .insertInto('accounts')
    .values({
      id: accountId,
      user_id: opts.userId,
      provider_id: providerId,
      email,
      login: email,
      secret: null,
      display_name: email,
      signature: '',
      sync_period: 'month',
      folders: 'all',
      auto_download: 1,
      send_enabled: 1,
      default_sender: 0,
      enabled: 1,
      state: 'idle',
      progress_done: 0,
      progress_total: 0,
      last_sync_at: now,
      error_code: null,
      error_message: null,
      error_action: null,
      error_at: null,
      archived_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const folders: Record<string, string> = {};
  for (const [path, specialUse] of Object.entries(opts.folders ?? defaultFolders)) {
    const id = randomUUID();
    folders[path] = id;
    await db
      .insertInto('folders')
      .values({
        id,
        account_id: accountId,
        path,
        name: path.split('/').pop() ?? path,
        delimiter: '/',
        special_use: specialUse,
        synced: 1,
        uid_validity: 1,
        highest_uid: 0,
        highest_modseq: null,
        backfill_uid: null,
        sync_complete: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  return { accountId, email, folders };
}

/** Shares an account with another user (the row the accounts API would write). */
export async function seedShare(db: Db, accountId: string, userId: string, rights: { read?: boolean; send?: boolean; manage?: boolean }) {
  await db
    .insertInto('account_shares')
    .values({
      account_id: accountId,
      user_id: userId,
      can_read: rights.read ? 1 : 0,
      can_send: rights.send ? 1 : 0,
      can_manage: rights.manage ? 1 : 0,
    })
    .execute();
}

export interface SeedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  contentId?: string;
  inline?: boolean;
}

export interface SeedMessageOptions {
  accountId: string;
  folderId: string;
  subject?: string;
  from?: MailAddress[];
  to?: MailAddress[];
  cc?: MailAddress[];
  text?: string | null;
  html?: string | null;
  date?: number;
  seen?: boolean;
  flagged?: boolean;
  direction?: MessageDirection;
  threadId?: string;
  messageId?: string;
  attachments?: SeedAttachment[];
  /** the raw source; by default a small RFC 5322 message built from the fields */
  raw?: Buffer;
  /** stored headers-first, as a first sync does: no body columns, no attachment rows yet */
  contentPending?: boolean;
}

export interface SeededMessage {
  id: string;
  threadId: string;
  rawSha256: string;
  raw: Buffer;
  attachments: { id: string; filename: string; content: Buffer; contentId: string | null }[];
}

let uidCounter = 0;

export async function seedMessage(db: Db, blobs: BlobStore, opts: SeedMessageOptions): Promise<SeededMessage> {
  const id = randomUUID();
  const now = Date.now();
  const date = opts.date ?? now;
  const subject = opts.subject ?? 'Hello';
  const from = opts.from ?? [{ name: 'Alice Sender', address: 'alice@example.test' }];
  const to = opts.to ?? [{ name: 'Bob Receiver', address: 'bob@example.test' }];
  const text = opts.text === undefined ? `Body of ${subject}` : opts.text;
  const messageId = opts.messageId ?? `<${id}@example.test>`;
  const raw =
    opts.raw ??
    Buffer.from(
      `Message-ID: ${messageId}\r\nFrom: ${from.map((a) => a.address).join(', ')}\r\nTo: ${to.map((a) => a.address).join(', ')}\r\n` +
        `Subject: ${subject}\r\nDate: ${new Date(date).toUTCString()}\r\n\r\n${text ?? ''}\r\n`,
    );
  const stored = await blobs.put(raw);
  uidCounter += 1;
  const threadId = opts.threadId ?? id;
  await db
    .insertInto('messages')
    .values({
      id,
      account_id: opts.accountId,
      folder_id: opts.folderId,
      uid_validity: 1,
      uid: uidCounter,
      message_id: messageId,
      thread_id: threadId,
      in_reply_to: null,
      references: '[]',
      subject,
      from_json: JSON.stringify(from),
      to_json: JSON.stringify(to),
      cc_json: JSON.stringify(opts.cc ?? []),
      bcc_json: '[]',
      date,
      snippet: opts.contentPending ? '' : (text ?? '').slice(0, 200),
      text: opts.contentPending ? null : text,
      html: opts.contentPending ? null : (opts.html ?? null),
      headers_json: JSON.stringify([{ key: 'subject', value: subject }]),
      seen: opts.seen ? 1 : 0,
      flagged: opts.flagged ? 1 : 0,
      answered: 0,
      draft: 0,
      has_attachments: opts.attachments?.some((a) => !a.inline) ? 1 : 0,
      direction: opts.direction ?? 'incoming',
      size: stored.size,
      raw_sha256: stored.sha256,
      parse_error: null,
      content_pending: opts.contentPending ? 1 : 0,
      modseq: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const attachments: SeededMessage['attachments'] = [];
  for (const [position, attachment] of (opts.contentPending ? [] : (opts.attachments ?? [])).entries()) {
    const blob = await blobs.put(attachment.content);
    const attachmentId = randomUUID();
    await db
      .insertInto('attachments')
      .values({
        id: attachmentId,
        message_id: id,
        filename: attachment.filename,
        content_type: attachment.contentType,
        size: blob.size,
        content_id: attachment.contentId ?? null,
        disposition: attachment.inline ? 'inline' : 'attachment',
        blob_sha256: blob.sha256,
        position,
      })
      .execute();
    attachments.push({ id: attachmentId, filename: attachment.filename, content: attachment.content, contentId: attachment.contentId ?? null });
  }
  return { id, threadId, rawSha256: stored.sha256, raw, attachments };
}

/** The id of the user a client is signed in as. */
export async function userIdOf(client: { get<T>(path: string): { expect(status: number): Promise<T> } }): Promise<string> {
  const me = await client.get<{ id: string }>('/api/v1/me').expect(200);
  return me.id;
}

/** A message in its list shape, for live events a test publishes itself (domain/events.ts). */
export function listItem(accountId: string, fields: Partial<MessageListItem> & { id: string }): MessageListItem {
  return {
    accountId,
    folder: 'INBOX',
    threadId: fields.id,
    subject: '',
    from: [],
    to: [],
    cc: [],
    date: new Date(0).toISOString(),
    snippet: '',
    seen: false,
    flagged: false,
    answered: false,
    hasAttachments: false,
    direction: 'incoming',
    ...fields,
  };
}

/**
 * For unit tests: an in-memory SQLite database (the production migrations) with one user, an
 * account of theirs with `folders`, and a blob store in a temporary folder; `close()` removes both.
 */
export async function memoryMailbox(folders: Record<string, string | null>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-unit-'));
  const db = createDatabase({ kind: 'sqlite', file: ':memory:' });
  await migrateToLatest(db);
  const now = Date.now();
  await db
    .insertInto('users')
    .values({ id: 'u1', email: 'u1@example.test', name: 'U', role: 'user', password_hash: 'x', created_at: now, updated_at: now })
    .execute();
  const account = await seedAccount(db, { userId: 'u1', folders });
  return {
    db,
    blobs: new BlobStore(dir),
    account,
    close: async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
