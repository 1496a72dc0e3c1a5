import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('list cursors', () => {
  it('come back as the position they were made from', () => {
    const position = { at: 1_767_225_600_000, id: '0f6e4c1a-7a4e-4d43-9d0e-3b7f1f0c2a11' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each(['not-a-cursor', '', Buffer.from('[1.5,"x"]').toString('base64url'), Buffer.from('{"at":1}').toString('base64url')])(
    'refuse %j as a validation error on the cursor field',
    (cursor) => {
      let caught: unknown;
      try {
        decodeCursor(cursor);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).details).toEqual({ fields: { cursor: 'is not a cursor this API returned' } });
    },
  );
});
