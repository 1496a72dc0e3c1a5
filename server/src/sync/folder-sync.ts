// One folder brought up to date over an open IMAP connection: new mail, flag changes,
// expunges, the first sync (newest first, in batches) and UIDVALIDITY changes. The cursor moves
// only after the messages it covers are committed (see cursor.ts).
//
// Headers first: a fetch of many messages (a first sync, a large catch-up) lists each one from
// its header block (BODY.PEEK[HEADER], flags, size), a few hundred bytes a message, so the
// mailbox shows up in seconds whatever its size. downloadSources() then fetches the sources,
// newest first, and stores them raw; their bodies are parsed from disk afterwards
// (services/message-content.ts). The message store (db/message-store/) keeps what is left to
// download or parse, so a restart carries on. A few new messages (push) are fetched and parsed
// whole at once. What is fetched goes to the store in domain terms (IncomingMessage): the store
// owns the rows, their threads and the events that announce them.
//
// Batches are pipelined: while batch k is parsed (on this thread, or on worker threads when
// parseWorkers > 0, see mail/mime/parse-pool.ts) and committed, batch k+1 is already being
// fetched. Commits, and the cursor moves after them,
// stay in batch order. Memory is bounded by a byte budget on fetched sources not yet parsed
// and stored, and by the number of batches in flight.
import type { ImapFlow } from 'imapflow';
import type { Readable } from 'node:stream';
import type { BlobStore } from '../lib/blob-store.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { FolderRow } from '../db/schema.js';
import type { FoldersRepository } from '../db/repositories/folders.repository.js';
import type { MessageStore, SyncFolder } from '../db/message-store/message-store.js';
import type {
  DownloadedSource,
  FlagUpdate,
  IncomingMessage,
  MessageFlags,
  MessageIdentity,
  ParsedMessage,
} from '../domain/message.js';
import type { SyncPeriod } from '../domain/account.js';
import { emptyParsedMessage, parseHeaderBlock, storeAndParse, type StoredMessageSource } from '../mail/mime/parse.js';
import { ParsePool, defaultParsePoolOptions } from '../mail/mime/parse-pool.js';
import {
  afterBackfillBatch,
  afterFlagSync,
  afterNewMessages,
  backfillQueue,
  batches,
  periodStart,
  planFolderSync,
  toSequenceSet,
  type FolderCursor,
  type MailboxSnapshot,
} from './cursor.js';

export interface FolderSyncOptions {
  /** UIDs per batch (one transaction each) */
  batchSize: number;
  /** UIDs per batch when listing from headers (a few hundred bytes each) */
  headerBatchSize: number;
  /** messages above this size are streamed in chunks instead of fetched whole */
  largeMessageBytes: number;
  /** upper bound of message source bytes held in memory for one FETCH */
  fetchBytes: number;
  /** upper bound of fetched source bytes not yet parsed and stored, over all batches in flight */
  sourceBytes: number;
  /** batches fetched ahead of the oldest one not yet committed */
  pipelineDepth: number;
  /** worker threads parsing messages (0: parse on the main thread) */
  parseWorkers: number;
  /**
   * A fetch of at least this many messages (a first sync, a large catch-up) lists them from their
   * headers; their sources follow (downloadSources). Fewer (push) are fetched whole at once.
   * Infinity: always whole.
   */
  headersFirstFrom: number;
}

export const defaultFolderSyncOptions: FolderSyncOptions = {
  batchSize: 100,
  headerBatchSize: 500,
  largeMessageBytes: 4 * 1024 * 1024,
  fetchBytes: 24 * 1024 * 1024,
  sourceBytes: 24 * 1024 * 1024,
  pipelineDepth: 4,
  parseWorkers: 0,
  headersFirstFrom: 50,
};

export interface FolderSyncDeps {
  /** the sync engine's message store (fenced on PostgreSQL) */
  messages: MessageStore;
  folders: FoldersRepository;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
}

export interface SyncTarget {
  accountId: string;
  accountEmail: string;
  syncPeriod: SyncPeriod;
  folder: FolderRow;
}

export interface SyncHooks {
  /** called after each committed batch with the number of messages it stored whole */
  onProgress(count: number): Promise<void> | void;
}

interface FetchMeta {
  size: number;
  flags: MessageFlags;
  internalDate: number | null;
  modseq: string | null;
}

export function cursorOf(folder: FolderRow): FolderCursor | null {
  if (folder.uid_validity === null) return null;
  return {
    uidValidity: Number(folder.uid_validity),
    highestUid: Number(folder.highest_uid),
    backfillUid: folder.backfill_uid === null ? null : Number(folder.backfill_uid),
    highestModseq: folder.highest_modseq === null ? null : BigInt(folder.highest_modseq),
    complete: folder.sync_complete === 1,
  };
}

export const flagsOf = (flags: Set<string> | undefined): MessageFlags => ({
  seen: flags?.has('\\Seen') ?? false,
  flagged: flags?.has('\\Flagged') ?? false,
  answered: flags?.has('\\Answered') ?? false,
  draft: flags?.has('\\Draft') ?? false,
});

export const snapshotOf = (box: {
  uidValidity: bigint;
  uidNext: number;
  highestModseq?: bigint | undefined;
  exists: number;
}): MailboxSnapshot => ({
  uidValidity: Number(box.uidValidity),
  uidNext: box.uidNext,
  highestModseq: box.highestModseq ?? null,
  exists: box.exists,
});

/** What every fetch of messages asks for besides their content. */
const metaQuery = { uid: true, flags: true, size: true, internalDate: true } as const;

function metaOf(m: {
  size?: number;
  flags?: Set<string>;
  internalDate?: Date | string;
  modseq?: bigint;
}): FetchMeta {
  const internal = m.internalDate ? new Date(m.internalDate).getTime() : Number.NaN;
  return {
    size: m.size ?? 0,
    flags: flagsOf(m.flags),
    internalDate: Number.isFinite(internal) ? internal : null,
    modseq: m.modseq?.toString() ?? null,
  };
}

/** Messages fetched whole, as the sources of the ones listed from their headers. */
const asDownloaded = (incoming: readonly IncomingMessage[]): DownloadedSource[] =>
  incoming.flatMap(({ uid, source, parsed, bodyParsed, parseError }) =>
    source ? [{ uid, source, parsed: bodyParsed ? parsed : null, parseError }] : [],
  );

/** Of a batch listed headers-first, the messages fetched whole (progress counts downloads). */
const downloaded = (incoming: readonly IncomingMessage[]): number => incoming.filter((m) => m.source !== null).length;

/** The folder a batch belongs to, in the message store's terms. */
const folderOf = (target: SyncTarget, uidValidity: number): SyncFolder => ({
  accountId: target.accountId,
  accountEmail: target.accountEmail,
  folderId: target.folder.id,
  folderPath: target.folder.path,
  folderSpecialUse: target.folder.special_use,
  uidValidity,
});

/** Busy time per phase of one folder's fetch of new or backfilled messages (logged). */
interface PhaseTimes {
  messages: number;
  /** IMAP FETCH commands, sources included */
  fetchMs: number;
  /** storing and parsing: time during which at least one message was being prepared */
  parseMs: number;
  /** messages being prepared right now, and since when (for parseMs) */
  preparing: number;
  preparingSince: number;
  /** transactions: messages, cursor, progress */
  dbMs: number;
  /** the fetch loop waiting for earlier batches (pipeline depth or byte budget) */
  waitMs: number;
}

/** What a QRESYNC SELECT reported: flag changes and expunged UIDs since our modseq. */
interface ReportedChanges {
  flags: Map<number, FlagUpdate>;
  vanished: Set<number>;
}

const newPhaseTimes = (): PhaseTimes => ({
  messages: 0,
  fetchMs: 0,
  parseMs: 0,
  preparing: 0,
  preparingSince: 0,
  dbMs: 0,
  waitMs: 0,
});

/**
 * A fetched message for the store: whole (`stored`: its raw source in the blob store, its body
 * parsed when `bodyParsed`) or listed from its header block (`stored` undefined: no blob yet).
 */
function incomingMessage(
  uid: number,
  info: FetchMeta,
  parsed: ParsedMessage,
  { stored, bodyParsed = false }: { stored?: StoredMessageSource; bodyParsed?: boolean },
): IncomingMessage {
  return {
    uid,
    flags: info.flags,
    modseq: info.modseq,
    internalDate: info.internalDate,
    size: info.size,
    parsed,
    source: stored ? stored.raw : null,
    bodyParsed: stored !== undefined && bodyParsed,
    parseError: stored?.parseError ?? null,
  };
}

export class FolderSync {
  private readonly parser: ParsePool;
  private readonly budget: ByteBudget;

  constructor(
    private readonly deps: FolderSyncDeps,
    private readonly options: FolderSyncOptions = defaultFolderSyncOptions,
  ) {
    this.parser = new ParsePool(
      deps.blobs,
      { ...defaultParsePoolOptions(), workers: options.parseWorkers },
      (message, error) => deps.logger.warn({ err: error }, message),
    );
    this.budget = new ByteBudget(options.sourceBytes);
  }

  /** Stops the parse workers (they also exit by themselves when idle). */
  close(): Promise<void> {
    return this.parser.close();
  }

  /**
   * Brings the folder up to date. `full` forces the flag and expunge checks even when the
   * mailbox reports no change (the first pass of a new connection).
   */
  async sync(client: ImapFlow, target: SyncTarget, hooks: SyncHooks, full: boolean): Promise<void> {
    const { box, changes } = await this.select(client, target);
    const plan = planFolderSync(cursorOf(target.folder), box);
    let cursor: FolderCursor;
    switch (plan.kind) {
      case 'initial':
        cursor = plan.cursor;
        await this.saveCursor(target, cursor);
        break;
      case 'uidvalidity_changed':
        this.deps.logger.info(
          { accountId: target.accountId, folder: target.folder.path },
          'UIDVALIDITY changed: resynchronising the folder',
        );
        await this.rekeyAfterUidValidityChange(client, target, box.uidValidity);
        // Flags of re-keyed messages are re-read in full on the next pass.
        cursor = { ...plan.cursor, highestModseq: null };
        await this.saveCursor(target, cursor);
        break;
      case 'incremental': {
        const stored = cursorOf(target.folder);
        if (!stored) throw new Error('unreachable: incremental plan without a cursor');
        cursor = stored;
        break;
      }
    }

    if (plan.kind !== 'incremental' || plan.fetchNew || full)
      cursor = await this.fetchNew(client, target, cursor, hooks);
    if (plan.kind === 'incremental' && changes) {
      // QRESYNC: the SELECT itself reported every flag change and expunge since our modseq.
      cursor = await this.applyReportedChanges(target, cursor, box, changes);
    } else if (plan.kind === 'incremental' && (plan.syncFlags || full)) {
      cursor = await this.syncFlags(client, target, cursor, box);
      await this.removeExpunged(client, target, cursor);
    }
    if (!cursor.complete) await this.backfill(client, target, cursor, hooks);
  }

  /**
   * Selects the folder. With QRESYNC enabled (RFC 7162) and a cursor to resume from, the SELECT
   * carries our UIDVALIDITY and HIGHESTMODSEQ, and the server answers with the flags changed
   * and the UIDs expunged since (VANISHED (EARLIER)): `changes`, when the server accepted it.
   */
  private async select(
    client: ImapFlow,
    target: SyncTarget,
  ): Promise<{ box: MailboxSnapshot; changes: ReportedChanges | undefined }> {
    const known = cursorOf(target.folder);
    const resume =
      known?.highestModseq !== null && known?.highestModseq !== undefined && client.enabled.has('QRESYNC')
        ? { uidValidity: BigInt(known.uidValidity), changedSince: known.highestModseq }
        : undefined;
    if (!resume) return { box: snapshotOf(await client.mailboxOpen(target.folder.path)), changes: undefined };
    const changes: ReportedChanges = { flags: new Map(), vanished: new Set() };
    const onFlags = (event: { path: string; uid?: number; flags?: Set<string>; modseq?: bigint }) => {
      if (event.path === target.folder.path && event.uid !== undefined)
        changes.flags.set(event.uid, { uid: event.uid, flags: flagsOf(event.flags), modseq: event.modseq?.toString() ?? null });
    };
    const onExpunge = (event: { path: string; uid?: number; vanished?: boolean }) => {
      if (event.path === target.folder.path && event.vanished && event.uid !== undefined) changes.vanished.add(event.uid);
    };
    client.on('flags', onFlags);
    client.on('expunge', onExpunge);
    try {
      const opened = await client.mailboxOpen(target.folder.path, resume);
      // imapflow clears `qresync` when the server's UIDVALIDITY or modseq support does not match.
      return { box: snapshotOf(opened), changes: (opened as { qresync?: boolean }).qresync ? changes : undefined };
    } finally {
      client.off('flags', onFlags);
      client.off('expunge', onExpunge);
    }
  }

  private async applyReportedChanges(
    target: SyncTarget,
    cursor: FolderCursor,
    box: MailboxSnapshot,
    changes: ReportedChanges,
  ): Promise<FolderCursor> {
    // Flags of UIDs not stored yet come with the messages themselves.
    const updates = [...changes.flags.values()].filter((u) => u.uid <= cursor.highestUid);
    const folder = folderOf(target, cursor.uidValidity);
    await this.deps.messages.applyServerFlags(folder, updates);
    await this.deps.messages.removeExpunged(folder, [...changes.vanished]);
    const next = afterFlagSync(cursor, box.highestModseq);
    if (next !== cursor) await this.saveCursor(target, next);
    return next;
  }

  /** How many UIDs this folder still has to fetch (for progress), with the mailbox selected. */
  async remaining(client: ImapFlow, target: SyncTarget): Promise<number> {
    const box = snapshotOf(await client.mailboxOpen(target.folder.path));
    const plan = planFolderSync(cursorOf(target.folder), box);
    const cursor = plan.kind === 'incremental' ? cursorOf(target.folder) : plan.cursor;
    if (!cursor) return 0;
    const fresh = Math.max(0, box.uidNext - 1 - cursor.highestUid);
    const sources =
      plan.kind === 'incremental' ? await this.deps.messages.countPendingSources(target.folder.id, cursor.uidValidity) : 0;
    if (cursor.complete) return fresh + sources;
    const inPeriod = await this.searchPeriod(client, target);
    return fresh + sources + backfillQueue(cursor, inPeriod).length;
  }

  private async searchPeriod(client: ImapFlow, target: SyncTarget): Promise<number[]> {
    const since = periodStart(target.syncPeriod, this.deps.clock.now());
    const found = await client.search(since ? { since } : { all: true }, { uid: true });
    return Array.isArray(found) ? found : [];
  }

  private async fetchNew(
    client: ImapFlow,
    target: SyncTarget,
    start: FolderCursor,
    hooks: SyncHooks,
  ): Promise<FolderCursor> {
    let cursor = start;
    const found = await client.search({ uid: `${cursor.highestUid + 1}:*` }, { uid: true });
    // "n:*" always matches the last message, even below n (RFC 3501 6.4.8).
    const uids = (Array.isArray(found) ? found : [])
      .filter((uid) => uid > cursor.highestUid)
      .sort((a, b) => a - b);
    const times = newPhaseTimes();
    const headersFirst = uids.length >= this.options.headersFirstFrom;
    const pipeline = new BatchPipeline(this.options.pipelineDepth);
    await pipeline.run(async () => {
      for (const batch of batches(uids, headersFirst ? this.options.headerBatchSize : this.options.batchSize)) {
        const { prepared } = headersFirst
          ? await this.listFromHeaders(client, target, batch, times)
          : await this.fetchAndPrepare(client, target, batch, times);
        await this.timed(times, 'waitMs', () =>
          pipeline.add(prepared, async (incoming) => {
            const started = performance.now();
            await this.commit(target, cursor.uidValidity, incoming);
            cursor = afterNewMessages(cursor, batch);
            await this.saveCursor(target, cursor);
            await hooks.onProgress(headersFirst ? downloaded(incoming) : batch.length);
            times.dbMs += performance.now() - started;
          }),
        );
      }
    });
    this.logPhases(target, times);
    return cursor;
  }

  private async backfill(
    client: ImapFlow,
    target: SyncTarget,
    start: FolderCursor,
    hooks: SyncHooks,
  ): Promise<void> {
    let cursor = start;
    const queue = backfillQueue(cursor, await this.searchPeriod(client, target));
    const headersFirst = queue.length >= this.options.headersFirstFrom;
    const all = batches(queue, headersFirst ? this.options.headerBatchSize : this.options.batchSize);
    const times = newPhaseTimes();
    const pipeline = new BatchPipeline(this.options.pipelineDepth);
    await pipeline.run(async () => {
      for (const [index, batch] of all.entries()) {
        // Already stored (a retry after a crash, or re-keyed after a UIDVALIDITY change): skip the fetch.
        const stored = await this.deps.messages.existingUids(target.folder.id, cursor.uidValidity, batch);
        const missing = batch.filter((uid) => !stored.has(uid));
        const { prepared } =
          missing.length === 0
            ? { prepared: Promise.resolve<IncomingMessage[]>([]) }
            : headersFirst
              ? await this.listFromHeaders(client, target, missing, times)
              : await this.fetchAndPrepare(client, target, missing, times);
        await this.timed(times, 'waitMs', () =>
          pipeline.add(prepared, async (incoming) => {
            const started = performance.now();
            await this.commit(target, cursor.uidValidity, incoming);
            cursor = afterBackfillBatch(cursor, batch, index === all.length - 1);
            await this.saveCursor(target, cursor);
            await hooks.onProgress(headersFirst ? downloaded(incoming) : batch.length);
            times.dbMs += performance.now() - started;
          }),
        );
      }
    });
    this.logPhases(target, times);
    if (all.length === 0) await this.saveCursor(target, { ...cursor, complete: true });
  }

  private async syncFlags(
    client: ImapFlow,
    target: SyncTarget,
    cursor: FolderCursor,
    box: MailboxSnapshot,
  ): Promise<FolderCursor> {
    if (cursor.highestUid === 0) return afterFlagSync(cursor, box.highestModseq);
    const condstore = box.highestModseq !== null && cursor.highestModseq !== null;
    const updates: FlagUpdate[] = [];
    for await (const message of client.fetch(
      `1:${cursor.highestUid}`,
      { uid: true, flags: true },
      {
        uid: true,
        ...(condstore && cursor.highestModseq !== null && { changedSince: cursor.highestModseq }),
      },
    )) {
      updates.push({
        uid: message.uid,
        flags: flagsOf(message.flags),
        modseq: message.modseq?.toString() ?? null,
      });
    }
    await this.deps.messages.applyServerFlags(folderOf(target, cursor.uidValidity), updates);
    const next = afterFlagSync(cursor, box.highestModseq);
    if (next !== cursor) await this.saveCursor(target, next);
    return next;
  }

  /** Messages stored locally that the server no longer has (UID SEARCH diff). */
  private async removeExpunged(client: ImapFlow, target: SyncTarget, cursor: FolderCursor): Promise<void> {
    const stored = await this.deps.messages.uidsOf(target.folder.id, cursor.uidValidity);
    if (stored.length === 0) return;
    const found = await client.search({ all: true }, { uid: true });
    if (!Array.isArray(found)) return;
    const onServer = new Set(found);
    const gone = stored.filter((uid) => !onServer.has(uid));
    await this.deps.messages.removeExpunged(folderOf(target, cursor.uidValidity), gone);
  }

  /**
   * After a UIDVALIDITY change every stored UID of the folder is void. Messages still on the
   * server (same Message-ID and size) keep their row under the new UID; the rest are removed.
   * Changes queued in Mailyard against the old UIDs follow their messages to the new ones, before
   * anything is listed again (pending-changes.ts waits for this; without it they were dropped as
   * obsolete and the moved or deleted messages listed back).
   */
  private async rekeyAfterUidValidityChange(
    client: ImapFlow,
    target: SyncTarget,
    uidValidity: number,
  ): Promise<void> {
    const stale = await this.deps.messages.staleMessages(target.folder.id, uidValidity);
    const queued = await this.deps.messages.queuedChangesFrom(folderOf(target, uidValidity));
    if (stale.length === 0 && queued.length === 0) return;
    const found = await client.search({ all: true }, { uid: true });
    const byIdentity = new Map<string, number>();
    for (const batch of batches(Array.isArray(found) ? found : [], 500)) {
      for await (const m of client.fetch(
        toSequenceSet(batch),
        { uid: true, size: true, envelope: true },
        { uid: true },
      )) {
        if (m.envelope?.messageId) byIdentity.set(`${m.envelope.messageId}\n${m.size ?? -1}`, m.uid);
      }
    }
    const keyOf = (identity: MessageIdentity) => (identity.messageId ? `${identity.messageId}\n${identity.size}` : undefined);
    // Each message's UID under the new UIDVALIDITY; undefined: the server no longer has it.
    const newUids = new Map<string, number | undefined>();
    const orphans: string[] = [];
    for (const message of stale) {
      const key = keyOf(message);
      const uid = key === undefined ? undefined : byIdentity.get(key);
      const location = uid === undefined ? undefined : { folderId: target.folder.id, uidValidity, uid };
      if (key !== undefined && location && (await this.deps.messages.rekey(message.id, location))) {
        byIdentity.delete(key);
        newUids.set(message.id, location.uid);
      } else {
        orphans.push(message.id);
        newUids.set(message.id, undefined);
      }
    }
    await this.deps.messages.remove(orphans);

    for (const change of queued) {
      if (!newUids.has(change.messageId)) {
        // A move's row waits at its placeholder; a deletion's row is gone, its payload says who it was.
        const key = change.identity && keyOf(change.identity);
        newUids.set(change.messageId, key === undefined ? undefined : byIdentity.get(key));
        if (key !== undefined) byIdentity.delete(key);
      }
      const uid = newUids.get(change.messageId);
      // No such message any more: the change stays at the old UIDVALIDITY and is dropped as obsolete.
      if (uid !== undefined) await this.deps.messages.requeueAt(change.id, { folderId: target.folder.id, uidValidity, uid });
    }
  }

  /**
   * Lists the given UIDs from their header blocks: one FETCH of flags, size, dates and headers
   * (a few hundred bytes a message), parsed here. A message whose header block cannot be split
   * off or parsed is fetched whole instead (fetchAndPrepare), so it is never listed empty.
   */
  private async listFromHeaders(
    client: ImapFlow,
    target: SyncTarget,
    uids: readonly number[],
    times: PhaseTimes,
  ): Promise<{ prepared: Promise<IncomingMessage[]> }> {
    const started = performance.now();
    const listed: IncomingMessage[] = [];
    const whole: number[] = [];
    for await (const m of client.fetch(toSequenceSet(uids), { ...metaQuery, headers: true }, { uid: true })) {
      const parsed = m.headers ? parseHeaderBlock(m.headers) : undefined;
      if (!parsed) whole.push(m.uid);
      else listed.push(incomingMessage(m.uid, metaOf(m), parsed, {}));
    }
    times.messages += listed.length;
    times.fetchMs += performance.now() - started;
    if (whole.length === 0) return { prepared: Promise.resolve(listed) };
    const rest = await this.fetchAndPrepare(client, target, whole, times);
    return { prepared: rest.prepared.then((fetched) => [...listed, ...fetched].sort((a, b) => a.uid - b.uid)) };
  }

  /**
   * Downloads the sources of the folder's messages listed from their headers, newest first, and
   * stores them raw (their bodies are parsed from disk next, services/message-content.ts).
   * Between batches `pause()` may ask to stop (push to serve): false then, true once nothing is
   * left. UIDs the server no longer has stay until the next expunge check removes them.
   */
  async downloadSources(
    client: ImapFlow,
    target: SyncTarget,
    hooks: SyncHooks,
    pause: () => boolean,
  ): Promise<boolean> {
    const cursor = cursorOf(target.folder);
    if (!cursor) return true;
    const { uidValidity } = cursor;
    const folderId = target.folder.id;
    if ((await this.deps.messages.countPendingSources(folderId, uidValidity)) === 0) return true;
    const box = snapshotOf(await client.mailboxOpen(target.folder.path));
    // Changed since the listing: the next sync re-keys the rows first.
    if (box.uidValidity !== uidValidity) return true;
    const times = newPhaseTimes();
    const pipeline = new BatchPipeline(this.options.pipelineDepth);
    let below = Number.MAX_SAFE_INTEGER;
    let finished = true;
    await pipeline.run(async () => {
      for (;;) {
        const uids = await this.deps.messages.pendingSources(folderId, uidValidity, below, this.options.batchSize);
        if (uids.length === 0) return;
        below = Math.min(...uids);
        // Stored raw: the bodies are parsed from disk beside the IMAP work (message-content.ts).
        const { prepared } = await this.fetchAndPrepare(client, target, uids, times, { parse: false });
        await this.timed(times, 'waitMs', () =>
          pipeline.add(prepared, async (incoming) => {
            const started = performance.now();
            const stored = await this.deps.messages.completeSources(folderOf(target, uidValidity), asDownloaded(incoming));
            await hooks.onProgress(stored);
            times.dbMs += performance.now() - started;
          }),
        );
        if (pause()) {
          finished = false;
          return;
        }
      }
    });
    this.logPhases(target, times, 'folder sources downloaded');
    return finished;
  }

  /**
   * Fetches the given UIDs and starts storing and parsing them. Resolves once the IMAP commands
   * are done (the connection is free for the next batch), with a promise of the prepared
   * messages: their blobs written, nothing in the database yet.
   */
  private async fetchAndPrepare(
    client: ImapFlow,
    target: SyncTarget,
    uids: readonly number[],
    times: PhaseTimes,
    { parse }: { parse: boolean } = { parse: true },
  ): Promise<{ prepared: Promise<IncomingMessage[]> }> {
    const fetchStarted = performance.now();
    let waited = 0;
    const meta = new Map<number, FetchMeta>();
    for await (const m of client.fetch(toSequenceSet(uids), metaQuery, { uid: true })) meta.set(m.uid, metaOf(m));
    // UIDs missing from the answer were expunged meanwhile: nothing to store.
    const present = uids.filter((uid) => meta.has(uid));
    const small = present.filter((uid) => (meta.get(uid)?.size ?? 0) <= this.options.largeMessageBytes);
    const large = present.filter((uid) => (meta.get(uid)?.size ?? 0) > this.options.largeMessageBytes);

    const jobs: Promise<IncomingMessage>[] = [];
    const track = (job: Promise<IncomingMessage>): Promise<IncomingMessage> => {
      // Observed by Promise.all below; this keeps a failure while still fetching from counting
      // as unhandled.
      job.catch(() => undefined);
      jobs.push(job);
      return job;
    };
    try {
      for (const chunk of this.byteChunks(small, meta)) {
        const bytes = chunk.reduce((sum, uid) => sum + (meta.get(uid)?.size ?? 0), 0);
        // Sources fetched earlier and still being parsed count against the budget: wait for them.
        const waitStarted = performance.now();
        await this.budget.acquire(bytes);
        waited += performance.now() - waitStarted;
        const chunkJobs: Promise<IncomingMessage>[] = [];
        try {
          for await (const m of client.fetch(
            toSequenceSet(chunk),
            { uid: true, source: true },
            { uid: true },
          )) {
            const info = meta.get(m.uid);
            if (!m.source || !info) continue;
            chunkJobs.push(track(this.prepare(target, m.uid, m.source, info, times, parse)));
          }
        } finally {
          void Promise.allSettled(chunkJobs).then(() => this.budget.release(bytes));
        }
      }
      for (const uid of large) {
        const info = meta.get(uid);
        if (!info) continue;
        const download = await client.download(String(uid), undefined, { uid: true, chunkSize: 1024 * 1024 });
        if (!download.content) continue;
        // Streamed to disk while it downloads, so it is done here (the connection is busy anyway).
        await track(this.prepare(target, uid, download.content, info, times, parse));
      }
    } finally {
      times.fetchMs += performance.now() - fetchStarted - waited;
      times.waitMs += waited;
    }
    // Wrapped: an awaited promise of a promise would wait for the parsing too.
    return { prepared: Promise.all(jobs) };
  }

  /** Stores prepared messages in one transaction; the store announces the new ones. */
  private async commit(target: SyncTarget, uidValidity: number, incoming: readonly IncomingMessage[]): Promise<void> {
    await this.deps.messages.storeFetched(folderOf(target, uidValidity), incoming);
  }

  private *byteChunks(uids: readonly number[], meta: Map<number, FetchMeta>): Generator<number[]> {
    let chunk: number[] = [];
    let bytes = 0;
    for (const uid of uids) {
      const size = meta.get(uid)?.size ?? 0;
      if (chunk.length > 0 && bytes + size > this.options.fetchBytes) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(uid);
      bytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }

  private async prepare(
    target: SyncTarget,
    uid: number,
    source: Buffer | Readable,
    info: FetchMeta,
    times: PhaseTimes,
    parse: boolean,
  ): Promise<IncomingMessage> {
    if (times.preparing++ === 0) times.preparingSince = performance.now();
    // Whole sources go to the worker threads when there are any; large ones stream to disk here.
    let stored: StoredMessageSource;
    try {
      if (!parse) stored = { raw: await this.deps.blobs.put(source), parsed: emptyParsedMessage(), parseError: null };
      else if (Buffer.isBuffer(source)) stored = await this.parser.run(source);
      else stored = await storeAndParse(source, this.deps.blobs);
    } finally {
      if (--times.preparing === 0) times.parseMs += performance.now() - times.preparingSince;
    }
    times.messages += 1;
    if (stored.parseError)
      this.deps.logger.warn(
        { accountId: target.accountId, folder: target.folder.path, uid },
        'message could not be parsed; kept raw',
      );
    return incomingMessage(uid, info, stored.parsed, { stored, bodyParsed: parse });
  }

  private async timed<T>(times: PhaseTimes, phase: 'waitMs', work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      times[phase] += performance.now() - started;
    }
  }

  private logPhases(target: SyncTarget, times: PhaseTimes, what = 'folder sync phases'): void {
    // Bulk fetches only (first sync, backfill, a large catch-up): not one line per pushed message.
    if (times.messages < this.options.batchSize) return;
    const round = (value: number) => Math.round(value);
    this.deps.logger.info(
      {
        accountId: target.accountId,
        folder: target.folder.path,
        messages: times.messages,
        phases: {
          fetch: round(times.fetchMs),
          parse: round(times.parseMs),
          db: round(times.dbMs),
          wait: round(times.waitMs),
        },
      },
      what,
    );
  }

  /**
   * Fetches these UIDs whole and stores them, as push mail is (a verification found them
   * missing here, sync/verification.ts); the store's rules for queued changes apply. Returns how
   * many of them are stored afterwards.
   */
  async storeMissing(client: ImapFlow, target: SyncTarget, uidValidity: number, uids: readonly number[]): Promise<number> {
    const times = newPhaseTimes();
    for (const batch of batches(uids, this.options.batchSize)) {
      const { prepared } = await this.fetchAndPrepare(client, target, batch, times);
      await this.commit(target, uidValidity, await prepared);
    }
    return (await this.deps.messages.existingUids(target.folder.id, uidValidity, uids)).size;
  }

  private async saveCursor(target: SyncTarget, cursor: FolderCursor): Promise<void> {
    const row = {
      uid_validity: cursor.uidValidity,
      highest_uid: cursor.highestUid,
      highest_modseq: cursor.highestModseq === null ? null : cursor.highestModseq.toString(),
      backfill_uid: cursor.backfillUid,
      sync_complete: cursor.complete ? 1 : 0,
    };
    await this.deps.folders.saveCursor(target.folder.id, row, this.deps.clock.now());
    Object.assign(target.folder, row);
  }
}

/**
 * Runs the batches of one folder: each batch's messages are prepared (parsed, blobs written)
 * while later batches are fetched, and committed strictly in batch order, so the cursor moves
 * after them stay in order. At most `depth` batches are in flight.
 */
class BatchPipeline {
  private tail: Promise<void> = Promise.resolve();
  private readonly inFlight: Promise<void>[] = [];

  constructor(private readonly depth: number) {}

  /**
   * Runs the fetch loop; once it is done, or has failed, waits for every batch already handed
   * over, so nothing of this folder still runs when sync() returns. The loop's own failure wins.
   */
  async run(loop: () => Promise<void>): Promise<void> {
    try {
      await loop();
    } catch (error) {
      await this.tail.catch(() => undefined);
      throw error;
    }
    await this.tail;
  }

  /** Queues the commit of `prepared`; waits while `depth` batches are in flight. */
  async add<T>(prepared: Promise<T>, commit: (value: T) => Promise<void>): Promise<void> {
    // A failed batch fails its commit and, through the chain, every later one.
    prepared.catch(() => undefined);
    const step = this.tail.then(async () => commit(await prepared));
    step.catch(() => undefined);
    this.tail = step;
    this.inFlight.push(step);
    while (this.inFlight.length >= Math.max(1, this.depth)) await this.inFlight.shift();
  }
}

/** Bytes of message source held in memory at once (over every folder this engine syncs). */
class ByteBudget {
  private used = 0;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  constructor(private readonly limit: number) {}

  /** Resolves once `bytes` fit; a request larger than the limit goes when nothing else is held. */
  acquire(bytes: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.used += bytes;
      return Promise.resolve();
    }
    return new Promise((grant) => this.waiting.push({ bytes, grant }));
  }

  release(bytes: number): void {
    this.used -= bytes;
    for (let next = this.waiting[0]; next && this.fits(next.bytes); next = this.waiting[0]) {
      this.waiting.shift();
      this.used += next.bytes;
      next.grant();
    }
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limit;
  }
}
