import { describe, expect, it } from 'vitest';
import type { ChangeableFlag, MessageFlags } from '../domain/message.js';
import type { FolderCursor } from './cursor.js';
import { checkStatus, compareChunk, fullVerificationDue, type QueuedInFolder } from './verification-plan.js';

const flags = (over: Partial<MessageFlags> = {}): MessageFlags => ({
  seen: false,
  flagged: false,
  answered: false,
  draft: false,
  ...over,
});
const nothingQueued: QueuedInFolder = { flags: new Map(), leaving: new Set() };
const always = () => true;

describe('comparing a chunk of a folder', () => {
  it('finds nothing when both sides agree', () => {
    const drift = compareChunk(
      [{ id: 'a', uid: 1, flags: flags({ seen: true }) }],
      new Map([[1, flags({ seen: true })]]),
      always,
      nothingQueued,
    );
    expect(drift).toEqual({ missing: [], extra: [], flags: [] });
  });

  it('finds messages missing here, stored but gone from the server, and other flags', () => {
    const drift = compareChunk(
      [
        { id: 'a', uid: 1, flags: flags() },
        { id: 'b', uid: 2, flags: flags() },
      ],
      new Map([
        [1, flags({ flagged: true })],
        [3, flags()],
      ]),
      always,
      nothingQueued,
    );
    expect(drift.missing).toEqual([3]);
    expect(drift.extra.map((e) => e.id)).toEqual(['b']);
    expect(drift.flags).toEqual([{ id: 'a', uid: 1, stored: flags(), flags: flags({ flagged: true }) }]);
  });

  it('leaves what a queued change decides: its flags and the messages it takes out', () => {
    const queued: QueuedInFolder = {
      flags: new Map([['a', new Set<ChangeableFlag>(['seen'])]]),
      leaving: new Set([3]),
    };
    const drift = compareChunk(
      [{ id: 'a', uid: 1, flags: flags({ seen: true }) }],
      new Map([
        [1, flags()],
        [3, flags()],
      ]),
      always,
      queued,
    );
    expect(drift).toEqual({ missing: [], extra: [], flags: [] });
  });

  it('still repairs a flag the queued change does not set', () => {
    const queued: QueuedInFolder = { flags: new Map([['a', new Set<ChangeableFlag>(['seen'])]]), leaving: new Set() };
    const drift = compareChunk([{ id: 'a', uid: 1, flags: flags({ seen: true }) }], new Map([[1, flags({ flagged: true })]]), always, queued);
    expect(drift.flags).toHaveLength(1);
  });

  it('does not count mail older than the download period as missing', () => {
    const drift = compareChunk([], new Map([[5, flags()]]), (uid) => uid !== 5, nothingQueued);
    expect(drift.missing).toEqual([]);
  });
});

describe('the cheap check of a folder', () => {
  const cursor: FolderCursor = { uidValidity: 7, highestUid: 100, backfillUid: 1, highestModseq: 50n, complete: true };
  const status = { uidValidity: 7, messages: 90, uidNext: 101, highestModseq: 50n };

  it('matches when the server has what is stored and what queued changes take out', () => {
    expect(checkStatus(cursor, status, { stored: 88, leaving: 2 }, 'all')).toBe('matches');
  });

  it('differs when the counts cannot agree', () => {
    expect(checkStatus(cursor, status, { stored: 89, leaving: 0 }, 'all')).toBe('differs');
    expect(checkStatus(cursor, status, { stored: 91, leaving: 0 }, 'month')).toBe('differs');
  });

  it('allows older mail on the server with a download period', () => {
    expect(checkStatus(cursor, status, { stored: 40, leaving: 0 }, 'month')).toBe('matches');
  });

  it('waits for the sync when the folder changed since it last looked', () => {
    expect(checkStatus(cursor, { ...status, uidNext: 105 }, { stored: 1, leaving: 0 }, 'all')).toBe('unsettled');
    expect(checkStatus(cursor, { ...status, highestModseq: 60n }, { stored: 1, leaving: 0 }, 'all')).toBe('unsettled');
    expect(checkStatus(cursor, { ...status, uidValidity: 8 }, { stored: 1, leaving: 0 }, 'all')).toBe('unsettled');
  });

  it('compares counts on a server without CONDSTORE', () => {
    const plain = { ...cursor, highestModseq: null };
    expect(checkStatus(plain, { ...status, highestModseq: null }, { stored: 80, leaving: 0 }, 'all')).toBe('differs');
  });
});

describe('when a full verification is due', () => {
  it('is due when it never ran or the interval has passed', () => {
    expect(fullVerificationDue(null, 1_000, 500)).toBe(true);
    expect(fullVerificationDue(400, 1_000, 500)).toBe(true);
    expect(fullVerificationDue(600, 1_000, 500)).toBe(false);
  });
});
