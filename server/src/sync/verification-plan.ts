// What a verification compares, as pure functions: one chunk of a folder's UIDs on the server
// against the same UIDs stored here (compareChunk), a folder's STATUS against its stored count
// (checkStatus), and when the next full verification is due. The rule in a sentence: the server
// wins, except where a change made in Mailyard is still queued for it.
import { changeableFlags, type ChangeableFlag, type MessageFlags } from '../domain/message.js';
import type { SyncPeriod } from '../domain/account.js';
import type { FolderCursor } from './cursor.js';

export interface StoredEntry {
  id: string;
  uid: number;
  flags: MessageFlags;
}

/** What the changes still queued in Mailyard say about one folder (the message store's `queuedIn`). */
export interface QueuedInFolder {
  /** the flag fields each message (by id) has a queued change for */
  flags: ReadonlyMap<string, ReadonlySet<ChangeableFlag>>;
  /** UIDs a queued move or delete takes out of the folder */
  leaving: ReadonlySet<number>;
}

export interface FlagRepair {
  id: string;
  uid: number;
  /** the stored flags the comparison saw: a repair applies only while they are still stored */
  stored: MessageFlags;
  /** the server's */
  flags: MessageFlags;
}

export interface ChunkDrift {
  /** on the server, in the download window, not stored here */
  missing: number[];
  /** stored here, gone from the server */
  extra: StoredEntry[];
  /** stored with other flags than the server's, a queued change aside */
  flags: FlagRepair[];
}

const flagFields = ['seen', 'flagged', 'answered', 'draft'] as const;

/**
 * Compares the stored messages of one UID range with the server's (`server`: UID → flags, from
 * a FETCH of that range). `inWindow` tells whether a UID the server has belongs to the download
 * period (older mail is not stored, so its absence is no difference).
 */
export function compareChunk(
  stored: readonly StoredEntry[],
  server: ReadonlyMap<number, MessageFlags>,
  inWindow: (uid: number) => boolean,
  queued: QueuedInFolder,
): ChunkDrift {
  const drift: ChunkDrift = { missing: [], extra: [], flags: [] };
  const storedUids = new Set<number>();
  for (const entry of stored) {
    storedUids.add(entry.uid);
    const flags = server.get(entry.uid);
    if (!flags) {
      drift.extra.push(entry);
      continue;
    }
    const mine = queued.flags.get(entry.id);
    const differs = flagFields.some(
      (field) => entry.flags[field] !== flags[field] && !(isChangeable(field) && mine?.has(field)),
    );
    if (differs) drift.flags.push({ id: entry.id, uid: entry.uid, stored: entry.flags, flags });
  }
  for (const uid of server.keys())
    if (!storedUids.has(uid) && !queued.leaving.has(uid) && inWindow(uid)) drift.missing.push(uid);
  drift.missing.sort((a, b) => a - b);
  return drift;
}

const isChangeable = (field: string): field is ChangeableFlag => (changeableFlags as readonly string[]).includes(field);

export const driftCount = (drift: ChunkDrift): number => drift.missing.length + drift.extra.length + drift.flags.length;

/** What STATUS says about a folder now (RFC 3501 6.3.10, RFC 7162 HIGHESTMODSEQ). */
export interface FolderStatus {
  uidValidity: number;
  messages: number;
  uidNext: number;
  highestModseq: bigint | null;
}

export type StatusVerdict =
  /** the counts agree */
  | 'matches'
  /** the counts cannot agree: a full comparison of the folder is due */
  | 'differs'
  /** the folder changed since the sync last saw it; the sync catches up first */
  | 'unsettled';

/**
 * The cheap check of one folder: the server's message count against what is stored here
 * (`stored`: messages at or below the cursor's highest UID, `leaving`: those a queued move or
 * delete takes out, still on the server). With a download period older mail is on the server
 * only, so there only more stored than the server has is a difference.
 */
export function checkStatus(
  cursor: FolderCursor,
  status: FolderStatus,
  counts: { stored: number; leaving: number },
  period: SyncPeriod,
): StatusVerdict {
  if (status.uidValidity !== cursor.uidValidity) return 'unsettled';
  if (status.uidNext - 1 > cursor.highestUid) return 'unsettled';
  if (status.highestModseq !== null && cursor.highestModseq !== null && status.highestModseq !== cursor.highestModseq)
    return 'unsettled';
  const expected = counts.stored + counts.leaving;
  if (period === 'all') return status.messages === expected ? 'matches' : 'differs';
  return status.messages >= expected ? 'matches' : 'differs';
}

/** Whether a full verification is due: never run, or the last one is `intervalMs` old. */
export function fullVerificationDue(lastVerifiedAt: number | null, now: number, intervalMs: number): boolean {
  return lastVerifiedAt === null || now - lastVerifiedAt >= intervalMs;
}
