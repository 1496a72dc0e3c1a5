// What the services ask of the sync engine, as method calls (the engine implements it in
// sync/engine.ts; on PostgreSQL scale/scale-out.ts also forwards each call to the worker process
// holding the account). Nothing of the engine's internals, and no events: an event reports what
// happened, this asks for work.
export interface AccountSync {
  /** an account was added, changed, re-authenticated, or its owner asked to sync now */
  refreshAccount(accountId: string): Promise<void>;
  /** the account was switched off or deleted: its session stops */
  removeAccount(accountId: string): Promise<void>;
  /** changes were queued in pending_changes for this account: carry them to the server soon */
  notifyPendingChanges(accountId: string): void;
  /** compare the account's copy with the server in full and repair it (sync/verification.ts) */
  verifyAccount(accountId: string): void;
}
