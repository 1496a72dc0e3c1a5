// The sync cursor of one folder, as pure functions. Stored per folder:
//   uidValidity   – the UIDVALIDITY the cursor belongs to (RFC 3501 2.3.1.1)
//   highestUid    – every message of the window with backfillUid <= UID <= highestUid is stored
//   backfillUid   – the first sync walks backwards (newest first) from highestUid; this is how far
//   highestModseq – flag changes up to this MODSEQ are applied (RFC 7162 CONDSTORE)
// A cursor only moves past UIDs whose messages are committed, so a crash at any point means
// fetching some messages again (the store is idempotent), never skipping one.

export interface FolderCursor {
  uidValidity: number;
  highestUid: number;
  /** null until the first sync has stored anything; the lowest UID covered otherwise */
  backfillUid: number | null;
  highestModseq: bigint | null;
  /** the backfill has reached the start of the download period */
  complete: boolean;
}

/** What SELECT (or STATUS) says about the mailbox now. */
export interface MailboxSnapshot {
  uidValidity: number;
  uidNext: number;
  /** null when the server has no CONDSTORE or the mailbox has NOMODSEQ */
  highestModseq: bigint | null;
  exists: number;
}

export type FolderPlan =
  /** never synced: start a cursor at the current top and backfill newest first */
  | { kind: 'initial'; cursor: FolderCursor }
  /** UIDVALIDITY changed: every stored UID is void; match stored messages by content, then start over */
  | { kind: 'uidvalidity_changed'; previous: number; cursor: FolderCursor }
  | {
      kind: 'incremental';
      /** UIDs above highestUid may exist */
      fetchNew: boolean;
      /** flags may have changed (MODSEQ moved, or the server cannot tell us) */
      syncFlags: boolean;
      /** the first sync has not reached the start of the period yet */
      backfill: boolean;
    };

export function startCursor(box: MailboxSnapshot): FolderCursor {
  // Everything that exists now is below uidNext and belongs to the backfill; new mail is above.
  return {
    uidValidity: box.uidValidity,
    highestUid: Math.max(0, box.uidNext - 1),
    backfillUid: null,
    highestModseq: box.highestModseq,
    complete: false,
  };
}

export function planFolderSync(cursor: FolderCursor | null, box: MailboxSnapshot): FolderPlan {
  if (cursor === null) return { kind: 'initial', cursor: startCursor(box) };
  if (cursor.uidValidity !== box.uidValidity) {
    return { kind: 'uidvalidity_changed', previous: cursor.uidValidity, cursor: startCursor(box) };
  }
  return {
    kind: 'incremental',
    fetchNew: box.uidNext - 1 > cursor.highestUid,
    syncFlags:
      box.highestModseq === null || cursor.highestModseq === null || box.highestModseq > cursor.highestModseq,
    backfill: !cursor.complete,
  };
}

/** After new messages (UIDs above highestUid) are committed. */
export function afterNewMessages(cursor: FolderCursor, committedUids: readonly number[]): FolderCursor {
  const top = Math.max(cursor.highestUid, ...committedUids);
  return { ...cursor, highestUid: top };
}

/**
 * After a backfill batch is committed. `committedUids` are the batch's UIDs (newest first);
 * the batch covers everything from the previous backfill point down to its lowest UID.
 */
export function afterBackfillBatch(
  cursor: FolderCursor,
  committedUids: readonly number[],
  reachedStart: boolean,
): FolderCursor {
  const low = committedUids.length > 0 ? Math.min(...committedUids) : cursor.backfillUid;
  const backfillUid =
    low === null ? null : cursor.backfillUid === null ? low : Math.min(cursor.backfillUid, low);
  return { ...cursor, backfillUid, complete: reachedStart };
}

/** After the flags of every stored message changed up to `modseq` are applied. */
export function afterFlagSync(cursor: FolderCursor, modseq: bigint | null): FolderCursor {
  if (modseq === null) return cursor;
  return {
    ...cursor,
    highestModseq:
      cursor.highestModseq === null || modseq > cursor.highestModseq ? modseq : cursor.highestModseq,
  };
}

/**
 * UIDs still to backfill, newest first: those of the period (`inPeriod`, from SEARCH SINCE)
 * at or below highestUid and below the backfill point.
 */
export function backfillQueue(cursor: FolderCursor, inPeriod: readonly number[]): number[] {
  const below = cursor.backfillUid ?? cursor.highestUid + 1;
  return inPeriod.filter((uid) => uid < below && uid <= cursor.highestUid).sort((a, b) => b - a);
}

/** Splits UIDs into batches that keep order. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The start of the download period for IMAP SEARCH SINCE, or null for 'all'. */
export function periodStart(period: 'day' | 'week' | 'month' | 'year' | 'all', now: number): Date | null {
  const d = new Date(now);
  switch (period) {
    case 'day':
      d.setUTCDate(d.getUTCDate() - 1);
      return d;
    case 'week':
      d.setUTCDate(d.getUTCDate() - 7);
      return d;
    case 'month':
      d.setUTCMonth(d.getUTCMonth() - 1);
      return d;
    case 'year':
      d.setUTCFullYear(d.getUTCFullYear() - 1);
      return d;
    case 'all':
      return null;
  }
}

/** Compact IMAP sequence set: [1,2,3,7,9,10] → "1:3,7,9:10". */
export function toSequenceSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0];
  let prev = start;
  for (const uid of sorted.slice(1).concat([Number.NaN])) {
    if (start === undefined || prev === undefined) break;
    if (uid === prev + 1) {
      prev = uid;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}:${prev}`);
    start = uid;
    prev = uid;
  }
  return parts.join(',');
}
