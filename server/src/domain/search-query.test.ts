import { describe, expect, it } from 'vitest';
import { parseSearchQuery, toFts5Match, toWebsearch } from './search-query.js';

describe('search queries', () => {
  it('splits words, phrases and exclusions', () => {
    expect(parseSearchQuery('invoice "payment due" -draft')).toEqual([
      { text: 'invoice', exclude: false },
      { text: 'payment due', exclude: false },
      { text: 'draft', exclude: true },
    ]);
  });

  it('drops engine syntax so no input can break or steer the query', () => {
    expect(parseSearchQuery('NEAR(a b) col:x* &|!')).toEqual([
      { text: 'NEAR a', exclude: false },
      { text: 'b', exclude: false },
      { text: 'col x', exclude: false },
    ]);
    expect(toFts5Match(parseSearchQuery('say "hi" -"bye"'))).toBe('"say" AND "hi" NOT "bye"');
    expect(toFts5Match([{ text: 'a"b', exclude: false }])).toBe('"a""b"');
  });

  it('splits addresses at @ like the index does', () => {
    expect(parseSearchQuery('zoe@friends.example')).toEqual([{ text: 'zoe friends.example', exclude: false }]);
    expect(toWebsearch(parseSearchQuery('zoe@friends.example -spam'))).toBe('"zoe friends.example" -"spam"');
  });

  it('is no search at all without a word to look for', () => {
    expect(parseSearchQuery('   ')).toEqual([]);
    expect(parseSearchQuery('-alone')).toEqual([]);
    expect(parseSearchQuery('*** ()')).toEqual([]);
  });
});
