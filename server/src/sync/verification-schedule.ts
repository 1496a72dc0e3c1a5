// When an account's copy is verified (sync/verification.ts): the cheap check every
// `checkIntervalMs`, which turns into a full comparison when a folder's counts cannot match or
// the last full one is `fullIntervalMs` old; a full comparison as soon as one is asked for (the
// owner, or the session after a gap in its connection). One run at a time; a request during a
// run makes another full run follow it.
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { SyncAccountsRepository } from '../db/repositories/sync-accounts.repository.js';
import { classifyImapError } from '../mail/imap/errors.js';
import { isLeaseLost } from '../scale/lease-lost.js';
import type { MailboxVerifier, VerificationOptions } from './verification.js';
import { fullVerificationDue } from './verification-plan.js';

export interface VerificationScheduleDeps {
  verifier: Pick<MailboxVerifier, 'verify' | 'check'>;
  accounts: Pick<SyncAccountsRepository, 'findById'>;
  clock: Clock;
  logger: Logger;
  /** runs a verification in the account's fencing context (scale-out) */
  context<T>(work: () => T): T;
}

export class VerificationSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private fullRequested = false;
  private stopped = false;
  private readonly log: Logger;

  constructor(
    private readonly accountId: string,
    private readonly deps: VerificationScheduleDeps,
    private readonly options: VerificationOptions,
  ) {
    this.log = deps.logger.child({ accountId, component: 'verification' });
  }

  /** The first check comes within one interval, spread so accounts do not check at once. */
  start(): void {
    this.arm(Math.floor(this.options.checkIntervalMs * (0.5 + Math.random() / 2)));
  }

  /** A full verification, as soon as the one running (if any) is done. */
  requestFull(): void {
    this.fullRequested = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), ms);
    this.timer.unref();
  }

  private kick(): void {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    this.running = this.deps
      .context(() => this.runOnce())
      .catch((error: unknown) => {
        if (this.stopped || isLeaseLost(error)) return;
        // With its cause: a mail server that failed, or a fault of ours.
        this.log.warn({ err: error, code: classifyImapError(error).code }, 'verification failed; trying again later');
      })
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.fullRequested) this.kick();
        else this.arm(this.options.checkIntervalMs);
      });
  }

  private async runOnce(): Promise<void> {
    const account = await this.deps.accounts.findById(this.accountId);
    if (!account) return;
    const full =
      this.fullRequested ||
      fullVerificationDue(account.last_verified_at, this.deps.clock.now(), this.options.fullIntervalMs);
    this.fullRequested = false;
    // A rejected login stays rejected until the owner acts: no logins to add to it.
    if (account.state === 'error' && account.error_code === 'auth_failed') return;
    if (!full) {
      const differing = await this.deps.verifier.check(this.accountId);
      if (differing.length === 0) return;
      this.log.info({ folders: differing }, 'message counts differ from the mail server; verifying in full');
    }
    await this.deps.verifier.verify(this.accountId, () => this.stopped);
  }
}
