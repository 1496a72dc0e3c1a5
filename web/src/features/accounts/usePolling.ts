import { useEffect } from 'react';

/** Calls `tick` every `ms` while `active` (sync progress changes while the page is open). */
export function usePolling(tick: () => void, active: boolean, ms = 2000): void {
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(tick, ms);
    return () => window.clearInterval(timer);
  }, [tick, active, ms]);
}

export const isBusy = (state: string): boolean => state === 'connecting' || state === 'syncing';
