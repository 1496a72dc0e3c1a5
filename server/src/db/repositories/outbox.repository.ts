import type { Insertable } from 'kysely';
import type { Db } from '../database.js';
import { dialectOf } from '../dialect.js';
import type { OutboxTable } from '../schema.js';

export type NewOutboxRow = Insertable<OutboxTable>;

/** The durable outbox, plus the account and provider a send needs. */
export class OutboxRepository {
  constructor(private readonly db: Db) {}

  async insert(row: NewOutboxRow): Promise<void> {
    await this.db.insertInto('outbox').values(row).execute();
  }

  findById(id: string) {
    return this.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findForUser(userId: string, id: string) {
    return this.db.selectFrom('outbox').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  }

  findByIdempotencyKey(userId: string, key: string) {
    return this.db
      .selectFrom('outbox')
      .selectAll()
      .where('user_id', '=', userId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }

  /** Newest first; `before` is the (created_at, id) of the last item of the previous page. */
  listForUser(userId: string, limit: number, before?: { createdAt: number; id: string }) {
    let query = this.db.selectFrom('outbox').selectAll().where('user_id', '=', userId);
    if (before) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', before.createdAt),
          eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)]),
        ]),
      );
    }
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /**
   * Moves up to `limit` due items from queued to sending and returns them. Each item goes to
   * exactly one worker: PostgreSQL skips rows another worker has locked; on SQLite the single
   * UPDATE … RETURNING statement is atomic (one writer at a time).
   */
  claimDue(now: number, limit: number) {
    const postgres = dialectOf(this.db) === 'postgres';
    return this.db
      .updateTable('outbox')
      .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('status', '=', 'queued')
      .where('id', 'in', (eb) => {
        const due = eb
          .selectFrom('outbox as due')
          .select('due.id')
          .where('due.status', '=', 'queued')
          .where('due.next_attempt_at', '<=', now)
          .orderBy('due.next_attempt_at')
          .limit(limit);
        return postgres ? due.forUpdate().skipLocked() : due;
      })
      .returningAll()
      .execute();
  }

  /** When the next queued item is due, to sleep until then. */
  async nextDueAt(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  /** Items left in `sending` since before `claimedBefore`: their worker died mid-send. */
  listStaleSending(claimedBefore: number) {
    return this.db
      .selectFrom('outbox')
      .selectAll()
      .where('status', '=', 'sending')
      .where('updated_at', '<', claimedBefore)
      .orderBy('updated_at')
      .execute();
  }

  /**
   * Settles an item this worker holds in `sending`. Returns false when it was no longer there
   * (another worker's recovery settled it), so the caller publishes nothing.
   */
  async settle(
    id: string,
    changes: {
      status: 'queued' | 'sent' | 'failed' | 'uncertain';
      now: number;
      errorCode: string | null;
      errorMessage: string | null;
      nextAttemptAt?: number;
      payload?: string;
    },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('outbox')
      .set({
        status: changes.status,
        updated_at: changes.now,
        error_code: changes.errorCode,
        error_message: changes.errorMessage,
        ...(changes.status === 'sent' && { sent_at: changes.now }),
        ...(changes.nextAttemptAt !== undefined && { next_attempt_at: changes.nextAttemptAt }),
        ...(changes.payload !== undefined && { payload: changes.payload }),
      })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Keeps an unresolved `sending` item for the next recovery round. */
  async touch(id: string, now: number): Promise<void> {
    await this.db.updateTable('outbox').set({ updated_at: now }).where('id', '=', id).where('status', '=', 'sending').execute();
  }

  /** "Send again" for a failed or possibly-sent item: back to the queue, attempts from zero. */
  async requeue(userId: string, id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('outbox')
      .set({ status: 'queued', attempts: 0, next_attempt_at: now, error_code: null, error_message: null, updated_at: now })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('status', 'in', ['failed', 'uncertain'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The account and its provider, everything one send needs. */
  findSendContext(accountId: string) {
    return this.db
      .selectFrom('accounts')
      .innerJoin('providers', 'providers.id', 'accounts.provider_id')
      .select([
        'accounts.id as accountId',
        'accounts.user_id as userId',
        'accounts.email as email',
        'accounts.login as login',
        'accounts.secret as secret',
        'accounts.display_name as displayName',
        'accounts.signature as signature',
        'accounts.send_enabled as sendEnabled',
        'accounts.enabled as enabled',
        'providers.name as providerName',
        'providers.imap_host as imapHost',
        'providers.imap_port as imapPort',
        'providers.imap_security as imapSecurity',
        'providers.smtp_host as smtpHost',
        'providers.smtp_port as smtpPort',
        'providers.smtp_security as smtpSecurity',
        'providers.auth_method as authMethod',
        'providers.allow_send as allowSend',
        'providers.tls_fingerprint as tlsFingerprint',
      ])
      .where('accounts.id', '=', accountId)
      .executeTakeFirst();
  }
}

export type SendContext = NonNullable<Awaited<ReturnType<OutboxRepository['findSendContext']>>>;
