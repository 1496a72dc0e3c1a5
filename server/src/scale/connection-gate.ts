// A per-server cap on IMAP connections being opened at once. After a restart or a takeover
// hundreds of sessions of one server would otherwise knock on its door in the same second.
import type { ImapServer } from './sync-hooks.js';

export class ConnectionGate {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly perServer: number) {}

  async acquire(server: ImapServer): Promise<() => void> {
    const key = `${server.host.toLowerCase()}:${server.port}`;
    const running = this.active.get(key) ?? 0;
    if (running < this.perServer) {
      this.active.set(key, running + 1);
    } else {
      // The slot is handed over by release(), so `active` already counts this caller.
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(key) ?? [];
        queue.push(resolve);
        this.waiting.set(key, queue);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(key);
    };
  }

  private release(key: string): void {
    const next = this.waiting.get(key)?.shift();
    if (next) {
      next();
      return;
    }
    if (this.waiting.get(key)?.length === 0) this.waiting.delete(key);
    const running = (this.active.get(key) ?? 1) - 1;
    if (running <= 0) this.active.delete(key);
    else this.active.set(key, running);
  }
}
