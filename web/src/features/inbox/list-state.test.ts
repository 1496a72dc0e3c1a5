import { describe, expect, it } from 'vitest';
import type { MessageItem } from './inbox.api.js';
import { applyLiveEvent, matchesFilters, type MessageList } from './list-state.js';

const message = (id: string, minute: number, extra: Partial<MessageItem> = {}): MessageItem => ({
  id,
  accountId: 'a1',
  folder: 'INBOX',
  threadId: id,
  subject: `Subject ${id}`,
  from: [],
  to: [],
  cc: [],
  date: new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString(),
  snippet: '',
  seen: false,
  flagged: false,
  answered: false,
  hasAttachments: false,
  direction: 'incoming',
  ...extra,
});

const list = (items: MessageItem[], nextCursor: string | null = null): MessageList => ({ items, nextCursor });
const ids = (l: MessageList) => l.items.map((m) => m.id);

describe('applyLiveEvent', () => {
  it('puts new mail in date order', () => {
    const before = list([message('c', 30), message('a', 10)]);
    const after = applyLiveEvent(before, { event: 'message.created', data: message('b', 20) }, {});
    expect(ids(after)).toEqual(['c', 'b', 'a']);
  });

  it('leaves mail older than the loaded page to the next page', () => {
    const before = list([message('c', 30), message('b', 20)], 'cursor');
    expect(applyLiveEvent(before, { event: 'message.created', data: message('a', 10) }, {})).toBe(before);
    expect(ids(applyLiveEvent(before, { event: 'message.created', data: message('d', 40) }, {}))).toEqual(['d', 'c', 'b']);
  });

  it('ignores mail outside the filters, and any new mail while searching', () => {
    const before = list([message('a', 10)]);
    expect(applyLiveEvent(before, { event: 'message.created', data: message('b', 20, { accountId: 'a2' }) }, { accountId: 'a1' })).toBe(before);
    expect(applyLiveEvent(before, { event: 'message.created', data: message('b', 20) }, { q: 'invoice' })).toBe(before);
    expect(applyLiveEvent(before, { event: 'message.created', data: message('b', 20, { folder: 'Sent' }) }, { folder: 'INBOX' })).toBe(before);
  });

  it('updates in place, drops what no longer matches, but keeps the open message', () => {
    const before = list([message('b', 20), message('a', 10)]);
    const flagged = applyLiveEvent(before, { event: 'message.updated', data: message('a', 10, { flagged: true }) }, {});
    expect(flagged.items[1]?.flagged).toBe(true);
    const read = message('a', 10, { seen: true });
    expect(ids(applyLiveEvent(before, { event: 'message.updated', data: read }, { unread: true }))).toEqual(['b']);
    expect(ids(applyLiveEvent(before, { event: 'message.updated', data: read }, { unread: true }, 'a'))).toEqual(['b', 'a']);
  });

  it('removes deleted mail', () => {
    expect(ids(applyLiveEvent(list([message('b', 20), message('a', 10)]), { event: 'message.deleted', data: { id: 'b', accountId: 'a1', folder: 'INBOX', threadId: 'b' } }, {}))).toEqual(['a']);
  });
});

describe('matchesFilters', () => {
  it('checks every filter', () => {
    const m = message('a', 1, { direction: 'outgoing', seen: true });
    expect(matchesFilters(m, {})).toBe(true);
    expect(matchesFilters(m, { direction: 'incoming' })).toBe(false);
    expect(matchesFilters(m, { unread: true })).toBe(false);
    expect(matchesFilters(m, { q: 'x' })).toBeUndefined();
  });
});
