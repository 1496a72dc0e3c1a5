// The one cursor format of every list the API pages through newest first: the position of the
// last item shown, (a time in epoch ms, the item's id), as base64url JSON. Opaque to clients; a
// page continues strictly after that position.
import { validationFailed } from './errors.js';

export interface ListPosition {
  at: number;
  id: string;
}

export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

/** Any malformed cursor is the same client error: `validation_failed` on the `cursor` field. */
export function decodeCursor(cursor: string): ListPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { at: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through
  }
  throw validationFailed({ cursor: 'is not a cursor this API returned' });
}
