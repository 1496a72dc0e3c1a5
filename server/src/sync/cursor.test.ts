import { describe, expect, it } from 'vitest';
import {
  afterBackfillBatch,
  afterFlagSync,
  afterNewMessages,
  backfillQueue,
  batches,
  periodStart,
  planFolderSync,
  startCursor,
  toSequenceSet,
  type FolderCursor,
} from './cursor.js';

const box = { uidValidity: 7, uidNext: 101, highestModseq: 500n, exists: 100 };
const cursor: FolderCursor = {
  uidValidity: 7,
  highestUid: 100,
  backfillUid: 40,
  highestModseq: 450n,
  complete: false,
};

describe('folder cursor', () => {
  it('starts at the top of the mailbox with nothing covered yet', () => {
    expect(planFolderSync(null, box)).toEqual({
      kind: 'initial',
      cursor: { uidValidity: 7, highestUid: 100, backfillUid: null, highestModseq: 500n, complete: false },
    });
  });

  it('starts over when UIDVALIDITY changes', () => {
    const plan = planFolderSync({ ...cursor, uidValidity: 6 }, box);
    expect(plan).toMatchObject({ kind: 'uidvalidity_changed', previous: 6, cursor: startCursor(box) });
  });

  it('asks for new mail, flags and backfill only when there is something to do', () => {
    expect(planFolderSync(cursor, box)).toEqual({
      kind: 'incremental',
      fetchNew: false,
      syncFlags: true,
      backfill: true,
    });
    expect(
      planFolderSync({ ...cursor, highestModseq: 500n, complete: true }, { ...box, uidNext: 103 }),
    ).toEqual({
      kind: 'incremental',
      fetchNew: true,
      syncFlags: false,
      backfill: false,
    });
    // Without CONDSTORE nobody can say whether flags changed.
    expect(planFolderSync({ ...cursor, highestModseq: null }, { ...box, highestModseq: null })).toMatchObject(
      { syncFlags: true },
    );
  });

  it('moves only over committed messages', () => {
    expect(afterNewMessages(cursor, [101, 102]).highestUid).toBe(102);
    expect(afterNewMessages(cursor, []).highestUid).toBe(100);
    expect(afterBackfillBatch(cursor, [39, 35, 30], false)).toMatchObject({
      backfillUid: 30,
      complete: false,
    });
    expect(afterBackfillBatch({ ...cursor, backfillUid: null }, [100, 99], true)).toMatchObject({
      backfillUid: 99,
      complete: true,
    });
    expect(afterFlagSync(cursor, 600n).highestModseq).toBe(600n);
    expect(afterFlagSync(cursor, 400n).highestModseq).toBe(450n);
    expect(afterFlagSync(cursor, null)).toBe(cursor);
  });

  it('backfills newest first, below the backfill point and not above the top', () => {
    expect(backfillQueue(cursor, [5, 39, 41, 120, 38])).toEqual([39, 38, 5]);
    expect(backfillQueue({ ...cursor, backfillUid: null }, [5, 100, 101])).toEqual([100, 5]);
  });

  it('cuts batches and sequence sets', () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(toSequenceSet([9, 1, 2, 3, 7, 10])).toBe('1:3,7,9:10');
    expect(toSequenceSet([4])).toBe('4');
  });

  it('turns the download period into a SEARCH SINCE date', () => {
    const now = Date.UTC(2026, 2, 31, 12);
    expect(periodStart('all', now)).toBeNull();
    expect(periodStart('day', now)?.toISOString()).toBe('2026-03-30T12:00:00.000Z');
    expect(periodStart('week', now)?.toISOString()).toBe('2026-03-24T12:00:00.000Z');
    expect(periodStart('year', now)?.toISOString()).toBe('2025-03-31T12:00:00.000Z');
    expect(periodStart('month', now)?.getTime()).toBeLessThan(now);
  });
});
