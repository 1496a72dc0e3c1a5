// How live events change the loaded message list, without a reload. Pure, so the rules are
// tested without a browser.
import type { MessageFilters, MessageItem } from './inbox.api.js';
import type { LiveEvent } from './live-events.js';

export interface MessageList {
  items: MessageItem[];
  nextCursor: string | null;
}

/** A `message.*` event of the live stream. */
export type LiveMessageEvent = Extract<LiveEvent, { event: `message.${string}` }>;

/** The server's order: newest first, ties broken by id (descending). */
export function newestFirst(a: MessageItem, b: MessageItem): number {
  const byDate = Date.parse(b.date) - Date.parse(a.date);
  if (byDate !== 0) return byDate;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Whether the message belongs in a list with these filters; `undefined` when that cannot be
 * known here (a search needs the server's full-text index).
 */
export function matchesFilters(message: MessageItem, filters: MessageFilters): boolean | undefined {
  if (filters.accountId && message.accountId !== filters.accountId) return false;
  if (filters.folder && message.folder !== filters.folder) return false;
  if (filters.direction && message.direction !== filters.direction) return false;
  if (filters.unread && message.seen) return false;
  if (filters.q?.trim()) return undefined;
  return true;
}

function insertSorted(list: MessageList, message: MessageItem): MessageList {
  const last = list.items[list.items.length - 1];
  // Beyond the last loaded item, the next page will bring it in its place.
  if (list.nextCursor !== null && last && newestFirst(message, last) > 0) return list;
  const items = [...list.items, message].sort(newestFirst);
  return { ...list, items };
}

/**
 * `keepId` is the message open in the reading pane: it stays listed even when a change made
 * while reading it (marking it read in an "unread" view) no longer matches the filters.
 */
export function applyLiveEvent(list: MessageList, event: LiveMessageEvent, filters: MessageFilters, keepId?: string): MessageList {
  if (event.event === 'message.deleted') {
    const { id } = event.data;
    if (!list.items.some((m) => m.id === id)) return list;
    return { ...list, items: list.items.filter((m) => m.id !== id) };
  }
  const message: MessageItem = event.data;
  const present = list.items.some((m) => m.id === message.id);
  const matches = matchesFilters(message, filters);
  if (present) {
    if (matches === false && message.id !== keepId) return { ...list, items: list.items.filter((m) => m.id !== message.id) };
    return { ...list, items: list.items.map((m) => (m.id === message.id ? message : m)) };
  }
  return matches === true ? insertSorted(list, message) : list;
}
