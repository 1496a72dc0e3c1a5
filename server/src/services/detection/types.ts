import type { AuthMethod, LoginFormat, ServerEndpoint } from '../../domain/provider.js';

/** Address → provider detection (read in config.ts). Tests point it at loopback servers. */
export interface DetectionConfig {
  /** DNS servers (`ip` or `ip:port`); undefined = the system's (MAILYARD_DNS_SERVERS, comma-separated) */
  dnsServers: string[] | undefined;
  /** limit for each network step (a DNS query, an HTTP fetch, a probe connection) */
  stepTimeoutMs: number;
  /** limit for one whole detection; steps that no longer fit are skipped */
  budgetMs: number;
  /** how long a domain's network result is reused */
  cacheTtlMs: number;
  /** autoconfig is fetched over https on the standard port; tests use a plain loopback server */
  autoconfig: { scheme: 'https' | 'http'; port: number | undefined };
  /** candidate ports when probing (RFC 8314 order: implicit TLS first) */
  imapPorts: number[];
  smtpPorts: number[];
}

export const detectionSources = ['lookup', 'catalogue', 'mx', 'autoconfig', 'srv', 'probe', 'none'] as const;
export type DetectionSource = (typeof detectionSources)[number];

export const attemptOutcomes = ['hit', 'miss', 'timeout', 'refused', 'error', 'skipped'] as const;
export type AttemptOutcome = (typeof attemptOutcomes)[number];

/** The settings detection found: what a provider form is pre-filled with. */
export interface DetectedSettings {
  name: string;
  imap: ServerEndpoint;
  smtp: ServerEndpoint;
  loginFormat: LoginFormat;
  auth: { method: AuthMethod; authorizationUrl?: string; tokenUrl?: string; scopes?: string[] };
}

/** What one detection source did, so "nothing found" can say why (timeouts, refusals). */
export interface DetectionAttempt {
  source: Exclude<DetectionSource, 'none'>;
  outcome: AttemptOutcome;
  /** an error code of the contract (`private_network_refused`, `dns_failed`, …) */
  code?: string;
  detail?: string;
  ms: number;
}

export interface DetectionResult {
  source: DetectionSource;
  /** the provider registered for the domain (source `lookup`) */
  providerId?: string;
  /** the built-in catalogue entry (sources `catalogue` and `mx`) */
  catalogueId?: string;
  provider?: DetectedSettings;
  notes?: string[];
  attempts: DetectionAttempt[];
}
