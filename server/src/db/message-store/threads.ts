// Thread assignment for a batch of new messages (the rules are domain/threading.ts): what the
// account already has is loaded in three queries, then every message of the batch is answered
// from memory, which also sees the messages of the batch as they are assigned.
import type { Db } from '../database.js';
import { chunks } from './sync-queries.js';
import { normaliseSubject, usesSubjectFallback, type ThreadHeaders, type ThreadLookup } from '../../domain/threading.js';

export class PreloadedThreads implements ThreadLookup {
  readonly byMessageId = new Map<string, string>();
  readonly byReplyTo = new Map<string, string>();
  readonly bySubject = new Map<string, string>();

  threadByMessageIds(_accountId: string, messageIds: readonly string[]): Promise<string | undefined> {
    for (const id of messageIds) {
      const found = this.byMessageId.get(id);
      if (found) return Promise.resolve(found);
    }
    return Promise.resolve(undefined);
  }

  threadByReplyTo(_accountId: string, messageId: string): Promise<string | undefined> {
    return Promise.resolve(this.byReplyTo.get(messageId));
  }

  threadBySubject(_accountId: string, subjectKey: string): Promise<string | undefined> {
    return Promise.resolve(this.bySubject.get(subjectKey));
  }

  record(row: { message_id: string | null; in_reply_to: string | null; subject_key: string; thread_id: string }): void {
    if (row.message_id) this.byMessageId.set(row.message_id, row.thread_id);
    if (row.in_reply_to) this.byReplyTo.set(row.in_reply_to, row.thread_id);
    if (row.subject_key) this.bySubject.set(row.subject_key, row.thread_id);
  }
}

/** What the thread rules need to know about the account for these messages. */
export async function preloadThreads(db: Db, accountId: string, messages: readonly ThreadHeaders[]): Promise<PreloadedThreads> {
  const referenced = new Set<string>();
  const own = new Set<string>();
  const subjects = new Set<string>();
  for (const m of messages) {
    for (const id of m.references) referenced.add(id);
    if (m.inReplyTo) referenced.add(m.inReplyTo);
    if (m.messageId) {
      referenced.add(m.messageId);
      own.add(m.messageId);
    }
    const key = normaliseSubject(m.subject);
    if (key && usesSubjectFallback(m)) subjects.add(key);
  }
  const threads = new PreloadedThreads();
  for (const ids of chunks([...referenced], 500)) {
    const rows = await db
      .selectFrom('messages')
      .select(['message_id', 'thread_id'])
      .where('account_id', '=', accountId)
      .where('message_id', 'in', ids)
      .orderBy('date', 'asc')
      .execute();
    for (const r of rows) if (r.message_id) threads.byMessageId.set(r.message_id, r.thread_id);
  }
  for (const ids of chunks([...own], 500)) {
    const rows = await db
      .selectFrom('messages')
      .select(['in_reply_to', 'thread_id'])
      .where('account_id', '=', accountId)
      .where('in_reply_to', 'in', ids)
      .execute();
    for (const r of rows) if (r.in_reply_to) threads.byReplyTo.set(r.in_reply_to, r.thread_id);
  }
  for (const keys of chunks([...subjects], 500)) {
    // Oldest first, so the newest thread of a subject is the one left in the map.
    const rows = await db
      .selectFrom('messages')
      .select(['subject_key', 'thread_id'])
      .where('account_id', '=', accountId)
      .where('subject_key', 'in', keys)
      .orderBy('date', 'asc')
      .execute();
    for (const r of rows) threads.bySubject.set(r.subject_key, r.thread_id);
  }
  return threads;
}
