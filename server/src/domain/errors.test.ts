import { describe, expect, it } from 'vitest';
import { errorCodes } from './errors.js';

describe('error codes', () => {
  it('name each condition once', () => {
    expect(errorCodes.filter((code, i) => errorCodes.indexOf(code) !== i)).toEqual([]);
  });

  it('are snake_case, as the API contract promises', () => {
    expect(errorCodes.filter((code) => !/^[a-z]+(_[a-z]+)*$/.test(code))).toEqual([]);
  });
});
