// Providers (mail servers), their domains, system settings, detection and diagnosis, and the
// private-network rule for what a user (not an admin) makes Mailyard contact.
import type { Core } from './core.js';
import { ProvidersRepository } from '../db/repositories/providers.repository.js';
import { SettingsRepository } from '../db/repositories/settings.repository.js';
import type { DiagnoseOptions } from '../mail/diagnosis/diagnose.js';
import { probeServers as probeMailServers, systemResolve } from '../mail/diagnosis/probe.js';
import type { ResolveHost } from '../mail/diagnosis/types.js';
import { DetectionService } from '../services/detection/detection.service.js';
import { createDnsResolver } from '../services/detection/dns.js';
import { guardResolve } from '../services/detection/network-guard.js';
import { ProviderDiagnosticsService } from '../services/detection/provider-diagnostics.service.js';
import { UntrustedProviderCheck, hostIsPublicWith } from '../services/provider-trust.js';
import { ProvidersService, type ProbeServers } from '../services/providers.service.js';
import { SettingsService } from '../services/settings.service.js';
import type { AccountsRepository } from '../db/repositories/accounts.repository.js';

export interface ProvidersModule {
  repository: ProvidersRepository;
  settingsRepository: SettingsRepository;
  settings: SettingsService;
  service: ProvidersService;
  detection: DetectionService;
  diagnostics: ProviderDiagnosticsService;
  /** host → addresses under the private-network rule: for what a user triggers */
  userResolve: ResolveHost;
  /** a provider a user added (untrusted) is reached only through the guard and quoted nothing */
  diagnoseOptionsFor(provider: { trusted: boolean }): DiagnoseOptions;
  /** an untrusted provider's servers must still resolve to public addresses when an account uses them */
  untrusted: UntrustedProviderCheck;
}

export function createProvidersModule(core: Core, accounts: AccountsRepository): ProvidersModule {
  const { config, secrets, clock } = core;
  const repository = new ProvidersRepository(core.db);
  const settingsRepository = new SettingsRepository(core.db);
  const settings = new SettingsService(settingsRepository);
  const userResolve = guardResolve(systemResolve, config.allowPrivateNetworks);
  const probeServers: ProbeServers = (input, { byAdmin }) =>
    probeMailServers(input, {
      imapPorts: config.detection.imapPorts,
      smtpPorts: config.detection.smtpPorts,
      timeoutMs: config.detection.stepTimeoutMs,
      resolve: byAdmin ? systemResolve : userResolve,
    });
  const service = new ProvidersService(repository, settings, secrets, clock, probeServers, hostIsPublicWith(userResolve));
  const detection = new DetectionService(
    {
      findProviderByDomain: (domain) => service.findByDomain(domain),
      // A little longer than a step, so the step's own timeout is what reports a silent server.
      resolver: createDnsResolver({ servers: config.detection.dnsServers, timeoutMs: config.detection.stepTimeoutMs + 500 }),
      clock,
    },
    { ...config.detection, allowPrivateNetworks: config.allowPrivateNetworks },
  );
  return {
    repository,
    settingsRepository,
    settings,
    service,
    detection,
    diagnostics: new ProviderDiagnosticsService(service, {}, { resolve: userResolve }),
    userResolve,
    // Answers about an untrusted provider's servers quote nothing the server said: a user could
    // otherwise point a provider at an internal service and read its banner.
    diagnoseOptionsFor: (provider) => (provider.trusted ? {} : { resolve: userResolve, redactServerText: true }),
    untrusted: new UntrustedProviderCheck({ accounts, providers: repository, guardedResolve: userResolve }),
  };
}
