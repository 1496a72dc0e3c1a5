// Changes made in Mailyard (flags, moves, deletions), queued in pending_changes by the panel,
// carried to the IMAP server in order. A row is deleted only after the server accepted the
// change, so a disconnect in between just means trying again on the next connection.
//
// Where a change could be lost, and what keeps it:
// - imapflow answers a STORE, MOVE or EXPUNGE that did not happen with `false`, not an error.
//   On a connection that closed meanwhile that is the connection's failure: the change stays
//   queued for the next one. On a live connection the server refused it: counted, retried, and
//   dropped after MAX_ATTEMPTS. Never taken for done. How an outcome is classified is decided
//   here only.
// - A refused (or waiting) change holds back the later changes of its own message only, so the
//   order of one message's changes is kept and other messages' changes still go out.
// - A change made against a UIDVALIDITY the folder no longer has waits until the folder's sync
//   has moved it to the message's new UID (FolderSync re-keys rows and queued changes together);
//   it is obsolete only once that re-key found no such message on the server.
// - Until a change is on the server, flags read from the server never overwrite what it sets,
//   and a listing never stores back a message it moves or deletes: the message store's rules
//   (db/message-store/message-store.ts `storeFetched`, `applyServerFlags`).
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../lib/logger.js';
import type { FolderRow } from '../db/schema.js';
import type { FoldersRepository } from '../db/repositories/folders.repository.js';
import type { MessageStore } from '../db/message-store/message-store.js';
import type { PendingChange, ServerLocation } from '../domain/message.js';
import { classifyImapError } from '../mail/imap/errors.js';

/** A change the server keeps refusing is dropped after this many tries. */
const MAX_ATTEMPTS = 5;

/** The server did not carry out a command on a live connection (imapflow said `false`). */
class ChangeRefused extends Error {
  override name = 'ChangeRefused';
}

export interface PendingChangeDeps {
  /** the sync engine's message store (fenced on PostgreSQL) */
  messages: MessageStore;
  folders: FoldersRepository;
  logger: Logger;
}

type Outcome = 'applied' | 'obsolete' | 'waiting';

export class PendingChangeApplier {
  constructor(private readonly deps: PendingChangeDeps) {}

  /** Applies every queued change of the account; returns how many were settled. */
  async applyAll(client: ImapFlow, accountId: string): Promise<number> {
    let settled = 0;
    // Messages whose earlier change waits or was refused: their later changes wait behind it.
    const held = new Set<string>();
    for (let progressed = true; progressed; ) {
      progressed = false;
      let after = 0;
      for (;;) {
        const changes = await this.deps.messages.pendingChanges(accountId, after);
        if (changes.length === 0) break;
        for (const change of changes) {
          after = change.id;
          if (held.has(change.messageId)) continue;
          if (await this.settle(client, accountId, change)) {
            settled += 1;
            progressed = true;
          } else {
            held.add(change.messageId);
          }
        }
      }
    }
    return settled;
  }

  /** Applies one change; false when it stays queued (waiting, or refused this time). */
  private async settle(client: ImapFlow, accountId: string, change: PendingChange): Promise<boolean> {
    const context = { accountId, change: change.id, kind: change.kind };
    try {
      const outcome = await this.apply(client, accountId, change);
      if (outcome === 'waiting') return false;
      if (outcome === 'obsolete') this.deps.logger.info(context, 'pending change no longer applies; dropped');
      await this.deps.messages.settlePendingChange(change.id);
      return true;
    } catch (error) {
      // A refused command is this change's problem; anything else is the connection's.
      if (!(error instanceof ChangeRefused) && classifyImapError(error).kind !== 'command') throw error;
      if (change.attempts + 1 < MAX_ATTEMPTS) {
        await this.deps.messages.countPendingChangeAttempt(change.id);
        return false;
      }
      this.deps.logger.warn(context, 'the server keeps refusing a change; dropped');
      await this.deps.messages.settlePendingChange(change.id);
      return true;
    }
  }

  private async apply(client: ImapFlow, accountId: string, change: PendingChange): Promise<Outcome> {
    const { messageId } = change;
    const message = await this.deps.messages.find(messageId);
    const location = change.payload.from ?? message?.location;
    if (!location || location.uidValidity === 0 || location.uid <= 0) return 'obsolete';
    const folder = await this.deps.folders.findById(location.folderId);
    if (!folder || folder.account_id !== accountId) return 'obsolete';
    const box = await client.mailboxOpen(folder.path);
    if (Number(box.uidValidity) !== location.uidValidity) {
      // Made before a UIDVALIDITY change: the folder's sync re-keys it first, unless it did already.
      const rekeyed = folder.uid_validity !== null && Number(folder.uid_validity) !== location.uidValidity;
      return rekeyed || folder.synced !== 1 ? 'obsolete' : 'waiting';
    }
    const uid = String(location.uid);
    const done = <T>(result: T | false | undefined): T => {
      if (result !== false && result !== undefined) return result;
      if (!client.usable) throw new Error('the connection closed while a change was being applied');
      throw new ChangeRefused(`the server did not carry out a ${change.kind} change`);
    };

    switch (change.kind) {
      case 'flags': {
        const p = change.payload;
        const add: string[] = [];
        const remove: string[] = [];
        for (const [key, flag] of [
          ['seen', '\\Seen'],
          ['flagged', '\\Flagged'],
          ['answered', '\\Answered'],
        ] as const) {
          if (p[key] === true) add.push(flag);
          if (p[key] === false) remove.push(flag);
        }
        if (add.length > 0) done(await client.messageFlagsAdd(uid, add, { uid: true }));
        if (remove.length > 0) done(await client.messageFlagsRemove(uid, remove, { uid: true }));
        return 'applied';
      }
      case 'move': {
        const target = await this.deps.folders.findById(change.payload.toFolderId);
        if (!target || target.account_id !== accountId) return 'obsolete';
        if (target.id === folder.id) return 'applied';
        const result = done(await client.messageMove(uid, target.path, { uid: true }));
        await this.settleMovedRow(client, messageId, target, result, location.uid);
        return 'applied';
      }
      case 'delete': {
        const trash = await this.trashOf(accountId);
        if (trash && trash.id !== folder.id) done(await client.messageMove(uid, trash.path, { uid: true }));
        else done(await client.messageDelete(uid, { uid: true }));
        // The panel removed the row already; the Trash copy arrives with the next sync of Trash.
        if (message) await this.deps.messages.remove([message.id]);
        return 'applied';
      }
    }
  }

  /**
   * Gives the moved row its new server location, or lets the target folder's sync bring it.
   * Without COPYUID (a server without UIDPLUS) the new UID is looked up by Message-ID: removing
   * the row instead gave the message a new id and dropped the changes queued for it after the
   * move (made while it showed in the target, they have no server location of their own).
   */
  private async settleMovedRow(
    client: ImapFlow,
    messageId: string,
    target: FolderRow,
    result: { uidValidity?: bigint; uidMap?: Map<number, number> },
    oldUid: number,
  ): Promise<void> {
    const message = await this.deps.messages.find(messageId);
    if (!message) return;
    if (target.synced === 1) {
      const location = await this.locationAfterMove(client, message.id, target, result, oldUid);
      if (location && (await this.deps.messages.rekey(message.id, location))) return;
    }
    // Not synced there, or its new UID unknown: the target folder's sync brings it.
    await this.deps.messages.remove([message.id]);
  }

  private async locationAfterMove(
    client: ImapFlow,
    messageId: string,
    target: FolderRow,
    result: { uidValidity?: bigint; uidMap?: Map<number, number> },
    oldUid: number,
  ): Promise<ServerLocation | undefined> {
    const uid = result.uidMap?.get(oldUid);
    if (uid !== undefined && result.uidValidity !== undefined)
      return { folderId: target.id, uidValidity: Number(result.uidValidity), uid };
    const header = (await this.deps.messages.identity(messageId))?.messageId;
    if (!header) return undefined;
    const box = await client.mailboxOpen(target.path);
    const found = await client.search({ header: { 'Message-ID': header } }, { uid: true });
    const uids = (Array.isArray(found) ? found : []).sort((a, b) => b - a);
    // The newest copy is the one just moved in; one Mailyard already has is another copy.
    const known = await this.deps.messages.existingUids(target.id, Number(box.uidValidity), uids);
    const fresh = uids.find((u) => !known.has(u));
    return fresh === undefined ? undefined : { folderId: target.id, uidValidity: Number(box.uidValidity), uid: fresh };
  }

  private async trashOf(accountId: string): Promise<FolderRow | undefined> {
    const folders = await this.deps.folders.listByAccount(accountId);
    return folders.find((f) => f.special_use === '\\Trash');
  }
}
