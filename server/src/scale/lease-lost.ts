// Raised instead of a database write when this worker no longer holds the mailbox's lease (another
// worker took it over). The sync session that hits it stops quietly: the new owner carries on.
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  readonly code = 'lease_lost';

  constructor(readonly accountId: string) {
    super(`this worker no longer holds the lease of account ${accountId}`);
  }
}

export const isLeaseLost = (error: unknown): error is LeaseLostError => error instanceof LeaseLostError;
