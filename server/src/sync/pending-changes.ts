// Changes made in Mailyard (flags, moves, deletions), queued in pending_changes by the panel,
// carried to the IMAP server in order. A row is deleted only after the server accepted the
// change, so a disconnect in between just means trying again on the next connection.
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../lib/logger.js';
import type { FolderRow } from '../db/schema.js';
import type { FoldersRepository } from '../db/repositories/folders.repository.js';
import type { MessageStore } from '../db/message-store/message-store.js';
import type { PendingChange } from '../domain/message.js';
import { classifyImapError } from '../mail/imap/errors.js';

/** A change the server keeps refusing is dropped after this many tries. */
const MAX_ATTEMPTS = 5;

export interface PendingChangeDeps {
  /** the sync engine's message store (fenced on PostgreSQL) */
  messages: MessageStore;
  folders: FoldersRepository;
  logger: Logger;
}

type Outcome = 'applied' | 'obsolete';

export class PendingChangeApplier {
  constructor(private readonly deps: PendingChangeDeps) {}

  /** Applies every queued change of the account; returns how many were settled. */
  async applyAll(client: ImapFlow, accountId: string): Promise<number> {
    let settled = 0;
    for (;;) {
      const changes = await this.deps.messages.pendingChanges(accountId);
      if (changes.length === 0) return settled;
      for (const row of changes) {
        try {
          const outcome = await this.apply(client, accountId, row);
          if (outcome === 'obsolete')
            this.deps.logger.info(
              { accountId, change: row.id, kind: row.kind },
              'pending change no longer applies; dropped',
            );
          await this.deps.messages.settlePendingChange(row.id);
          settled += 1;
        } catch (error) {
          // A refused command is this change's problem; anything else is the connection's.
          if (classifyImapError(error).kind !== 'command') throw error;
          if (row.attempts + 1 >= MAX_ATTEMPTS) {
            this.deps.logger.warn(
              { accountId, change: row.id, kind: row.kind },
              'the server keeps refusing a change; dropped',
            );
            await this.deps.messages.settlePendingChange(row.id);
            settled += 1;
          } else {
            await this.deps.messages.countPendingChangeAttempt(row.id);
            return settled;
          }
        }
      }
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
    // A UIDVALIDITY change voided the UID the change was made against.
    if (Number(box.uidValidity) !== location.uidValidity) return 'obsolete';
    const uid = String(location.uid);

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
        if (add.length > 0) await client.messageFlagsAdd(uid, add, { uid: true });
        if (remove.length > 0) await client.messageFlagsRemove(uid, remove, { uid: true });
        return 'applied';
      }
      case 'move': {
        const target = await this.deps.folders.findById(change.payload.toFolderId);
        if (!target || target.account_id !== accountId) return 'obsolete';
        if (target.id === folder.id) return 'applied';
        const result = await client.messageMove(uid, target.path, { uid: true });
        await this.settleMovedRow(messageId, target, result ? result : undefined, location.uid);
        return 'applied';
      }
      case 'delete': {
        const trash = await this.trashOf(accountId);
        if (trash && trash.id !== folder.id) await client.messageMove(uid, trash.path, { uid: true });
        else await client.messageDelete(uid, { uid: true });
        // The panel removed the row already; the Trash copy arrives with the next sync of Trash.
        if (message) await this.deps.messages.remove([message.id]);
        return 'applied';
      }
    }
  }

  /** Gives the moved row its new server location, or lets the target folder's sync bring it. */
  private async settleMovedRow(
    messageId: string,
    target: FolderRow,
    result: { uidValidity?: bigint; uidMap?: Map<number, number> } | undefined,
    oldUid: number,
  ): Promise<void> {
    const message = await this.deps.messages.find(messageId);
    if (!message) return;
    const newUid = result?.uidMap?.get(oldUid);
    if (target.synced === 1 && newUid !== undefined && result?.uidValidity !== undefined) {
      const rekeyed = await this.deps.messages.rekey(message.id, {
        folderId: target.id,
        uidValidity: Number(result.uidValidity),
        uid: newUid,
      });
      if (rekeyed) return;
    }
    // Not synced there, or its new UID unknown: the target folder's sync brings it.
    await this.deps.messages.remove([message.id]);
  }

  private async trashOf(accountId: string): Promise<FolderRow | undefined> {
    const folders = await this.deps.folders.listByAccount(accountId);
    return folders.find((f) => f.special_use === '\\Trash');
  }
}
