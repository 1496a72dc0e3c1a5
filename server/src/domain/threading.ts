// Thread ids within an account: a message joins the thread of any message it references
// (References / In-Reply-To), of a message with the same Message-ID (a copy in another folder),
// or of a stored reply to it (newest-first sync stores replies before their parents). When the
// headers say nothing, a reply-looking subject ("Re: …") joins the latest thread with the same
// normalised subject. Everything else starts a new thread.

export interface ThreadHeaders {
  messageId: string | null;
  inReplyTo: string | null;
  references: readonly string[];
  subject: string;
}

/** The queries the assigner needs; MessagesRepository implements them (also inside a transaction). */
export interface ThreadLookup {
  /** thread id of a stored message of the account whose Message-ID is one of `messageIds` */
  threadByMessageIds(accountId: string, messageIds: readonly string[]): Promise<string | undefined>;
  /** thread id of a stored message of the account that replies to `messageId` */
  threadByReplyTo(accountId: string, messageId: string): Promise<string | undefined>;
  /** thread id of the newest stored message of the account with this normalised subject */
  threadBySubject(accountId: string, subjectKey: string): Promise<string | undefined>;
}

const replyPrefix =
  /^\s*(?:(?:re|fw|fwd|aw|sv|vs|wg|antw|ref|tr|rif|r)\s*(?:\[\d+\])?\s*[:：]\s*|\[[^\]]{1,40}\]\s*)/i;

/** "Re: [list] Fwd: Hello  world" → "hello world" */
export function normaliseSubject(subject: string): string {
  let s = subject;
  for (let i = 0; i < 20; i++) {
    const next = s.replace(replyPrefix, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').trim().toLowerCase().slice(0, 300);
}

const looksLikeReply = (subject: string): boolean =>
  /^\s*(?:re|fw|fwd|aw|sv|wg|antw)\s*(?:\[\d+\])?\s*[:：]/i.test(subject);

/** Whether a message without a header match may join a thread by its subject. */
export const usesSubjectFallback = (headers: ThreadHeaders): boolean =>
  looksLikeReply(headers.subject) || headers.inReplyTo !== null || headers.references.length > 0;

/** The thread the message joins; undefined: it starts a new one. */
export async function existingThreadId(
  lookup: ThreadLookup,
  accountId: string,
  headers: ThreadHeaders,
): Promise<string | undefined> {
  const related = [
    ...headers.references,
    ...(headers.inReplyTo ? [headers.inReplyTo] : []),
    ...(headers.messageId ? [headers.messageId] : []),
  ];
  if (related.length > 0) {
    const found = await lookup.threadByMessageIds(accountId, related);
    if (found) return found;
  }
  if (headers.messageId) {
    const found = await lookup.threadByReplyTo(accountId, headers.messageId);
    if (found) return found;
  }
  const key = normaliseSubject(headers.subject);
  if (key && usesSubjectFallback(headers)) {
    const found = await lookup.threadBySubject(accountId, key);
    if (found) return found;
  }
  return undefined;
}
