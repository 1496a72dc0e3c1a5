// What the sync engine asks of scale-out, so it needs to know nothing of leases: whether
// this process syncs an account, the context its session runs in (fencing), and a gate before
// each IMAP connection is opened.
export interface ImapServer {
  host: string;
  port: number;
}

export interface SyncScaleHooks {
  /** false: another worker holds the account's lease, so no session here */
  shouldSync(accountId: string): boolean;
  /** an account this worker does not hold was asked to sync (a new mailbox, "sync now") */
  requestClaim(accountId: string): void;
  /** runs a session's start inside the account's fencing context */
  runAs<T>(accountId: string, start: () => T): T;
  /** resolves when a connection to `server` may be opened; call the result once connected */
  connectGate(server: ImapServer): Promise<() => void>;
}
