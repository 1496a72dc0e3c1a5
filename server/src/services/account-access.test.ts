import { describe, expect, it } from 'vitest';
import { rightsOfShare } from './account-access.js';

describe('rightsOfShare', () => {
  it('grants nothing without a share', () => {
    expect(rightsOfShare(undefined)).toEqual({ read: false, send: false, manage: false });
  });

  it('lets sending or managing imply reading', () => {
    expect(rightsOfShare({ can_read: 0, can_send: 1, can_manage: 0 })).toEqual({
      read: true,
      send: true,
      manage: false,
    });
    expect(rightsOfShare({ can_read: 0, can_send: 0, can_manage: 1 })).toEqual({
      read: true,
      send: false,
      manage: true,
    });
    expect(rightsOfShare({ can_read: 1, can_send: 0, can_manage: 0 })).toEqual({
      read: true,
      send: false,
      manage: false,
    });
  });
});
