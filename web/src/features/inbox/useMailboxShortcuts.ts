// The Email tab's keyboard shortcuts (listed under the message list), while no field has focus.
import { useEffect, type RefObject } from 'react';
import type { MailboxAccount, MessageItem } from './inbox.api.js';
import type { MessageActions } from './ReadingPane.js';

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

export interface ShortcutState {
  items: MessageItem[];
  selectedId: string | null;
  openId: string | null;
}

/** `stateRef` and `actionsRef` hold the current list and actions, so the listener is added once. */
export function useMailboxShortcuts(
  stateRef: RefObject<ShortcutState>,
  actionsRef: RefObject<MessageActions>,
  setSelectedId: (id: string) => void,
  searchRef: RefObject<HTMLInputElement | null>,
  accountById: Map<string, MailboxAccount>,
): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const { items, selectedId: current, openId: opened } = stateRef.current;
      const act = actionsRef.current;
      const index = items.findIndex((m) => m.id === current);
      const target = items[index] ?? items.find((m) => m.id === opened);
      const handled = (() => {
        switch (event.key) {
          case 'j':
          case 'ArrowDown': {
            const next = items[Math.min(index + 1, items.length - 1)];
            if (next) setSelectedId(next.id);
            return true;
          }
          case 'k':
          case 'ArrowUp': {
            const previous = items[Math.max(index - 1, 0)];
            if (previous) setSelectedId(previous.id);
            return true;
          }
          case 'Enter':
            if (target) act.open(target.id);
            return true;
          case 's':
            if (target) act.toggleFlag(target);
            return true;
          case 'u':
            if (target) act.toggleSeen(target);
            return true;
          case '#':
          case 'Delete':
            if (target && accountById.get(target.accountId)?.access.manage) act.remove(target);
            return true;
          case 'r':
            if (target) act.compose('reply', target);
            return true;
          case 'a':
            if (target) act.compose('replyAll', target);
            return true;
          case 'f':
            if (target) act.compose('forward', target);
            return true;
          case '/':
            searchRef.current?.focus();
            return true;
          default:
            return false;
        }
      })();
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [stateRef, actionsRef, setSelectedId, searchRef, accountById]);
}
