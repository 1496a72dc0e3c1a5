// A queued change's `pending_changes` row and its domain shape (domain/message.ts PendingChange):
// the one reader of the payload JSON, for the engine's queue and for the store's own rules. What
// cannot be read reads as absent, never as a guess.
import type { Selectable } from 'kysely';
import type { PendingChangesTable } from '../schema.js';
import {
  changeableFlags,
  type MessageIdentity,
  type PendingChange,
  type PendingFlagsPayload,
  type ServerLocation,
} from '../../domain/message.js';

export function toPendingChange(row: Selectable<PendingChangesTable>): PendingChange {
  const base = { id: Number(row.id), accountId: row.account_id, messageId: row.message_id, attempts: row.attempts };
  const payload = parseObject(row.payload);
  const from = locationIn(payload.from);
  switch (row.kind) {
    case 'flags': {
      const flags: PendingFlagsPayload = {};
      for (const key of changeableFlags) {
        const value = payload[key];
        if (typeof value === 'boolean') flags[key] = value;
      }
      return { ...base, kind: row.kind, payload: { ...flags, ...(from && { from }) } };
    }
    case 'move': {
      const toFolderId = typeof payload.toFolderId === 'string' ? payload.toFolderId : '';
      return { ...base, kind: row.kind, payload: { toFolderId, ...(from && { from }) } };
    }
    case 'delete': {
      const identity = identityIn(payload.identity);
      return { ...base, kind: row.kind, payload: { ...(from && { from }), ...(identity && { identity }) } };
    }
  }
}

/** The payload with `from` set to where the message is now (the rest as it was queued). */
export function withOrigin(json: string, from: ServerLocation): string {
  return JSON.stringify({ ...parseObject(json), from });
}

/** Where a queued change says the server has its message, if it says. */
export const originIn = (json: string): ServerLocation | undefined => locationIn(parseObject(json).from);

function parseObject(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function locationIn(value: unknown): ServerLocation | undefined {
  const from = value as Partial<ServerLocation> | undefined;
  if (!from || typeof from.folderId !== 'string' || typeof from.uidValidity !== 'number' || typeof from.uid !== 'number')
    return undefined;
  return { folderId: from.folderId, uidValidity: from.uidValidity, uid: from.uid };
}

function identityIn(value: unknown): MessageIdentity | undefined {
  const identity = value as Partial<MessageIdentity> | undefined;
  if (!identity || typeof identity.size !== 'number' || (typeof identity.messageId !== 'string' && identity.messageId !== null))
    return undefined;
  return { messageId: identity.messageId, size: identity.size };
}
