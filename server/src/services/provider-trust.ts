// Providers an ordinary user added (allowUsersToAddProviders) are untrusted until an admin edits
// them: Mailyard reaches their servers only through the private-network guard, so a
// user cannot aim the verification, the sync engine or the outbox at the internal network.
import { AppError } from '../domain/errors.js';
import { DiagnosisError, type ResolveHost } from '../mail/diagnosis/types.js';
import type { HostIsPublic } from './providers.service.js';

export const isPrivateNetworkRefusal = (error: unknown): boolean =>
  error instanceof DiagnosisError && error.code === 'PRIVATE_NETWORK';

export function privateNetworkRefused(host: string): AppError {
  return new AppError(
    'private_network_refused',
    `${host} is on a private or local network, which Mailyard does not contact for a provider a user added; an administrator must review the provider`,
    { host },
  );
}

/** The providers service's host check, from the guarded resolver. */
export function hostIsPublicWith(guardedResolve: ResolveHost): HostIsPublic {
  return async (host) => {
    try {
      await guardedResolve(host);
      return true;
    } catch (error) {
      // Any other failure (no such name, DNS down) is not a refusal: the guard runs again on
      // every connection.
      return !isPrivateNetworkRefusal(error);
    }
  };
}

/** Throws private_network_refused when the guard refuses `host`; other lookup failures pass. */
export async function assertHostAllowed(guardedResolve: ResolveHost, host: string): Promise<void> {
  if (!(await hostIsPublicWith(guardedResolve)(host))) throw privateNetworkRefused(host);
}

interface TrustDeps {
  accounts: { findById(id: string): Promise<{ provider_id: string } | undefined> };
  providers: {
    findById(id: string): Promise<{ trusted: number; imap_host: string; smtp_host: string } | undefined>;
  };
  /** guardResolve(systemResolve, config.allowPrivateNetworks) */
  guardedResolve: ResolveHost;
}

/**
 * The check the sync engine and the outbox run right before they connect to a mailbox's
 * servers: for an untrusted provider each host must still resolve to a public address now (a
 * name can be re-pointed at an internal address after the provider was added).
 *
 * Remaining window (documented in the review answer): the IMAP and SMTP libraries resolve the
 * name again themselves when they connect, so a DNS server that answers a public address to
 * this check and a private one a moment later (DNS rebinding with a short TTL) can still steer
 * that one connection. Closing it needs the session and the outbox worker to pass the checked
 * address to the client factories (imapflow: `tls.lookup`; nodemailer: `host` = the address,
 * `servername` = the name), which those files do not do yet.
 */
export class UntrustedProviderCheck {
  constructor(private readonly deps: TrustDeps) {}

  async assertAccountReachable(accountId: string, protocols: readonly ('imap' | 'smtp')[]): Promise<void> {
    const account = await this.deps.accounts.findById(accountId);
    if (!account) return;
    const provider = await this.deps.providers.findById(account.provider_id);
    if (!provider || provider.trusted === 1) return;
    const hosts = new Set(protocols.map((p) => (p === 'imap' ? provider.imap_host : provider.smtp_host)));
    for (const host of hosts) await assertHostAllowed(this.deps.guardedResolve, host);
  }
}
