import type { AuthMethod, LoginFormat, ServerEndpoint } from '../../domain/provider.js';

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
