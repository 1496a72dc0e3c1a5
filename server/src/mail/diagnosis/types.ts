// Shapes of a connection diagnosis: one ordered list of steps per protocol.
import type { RequestErrorCode } from '../../domain/errors.js';
import type { SecurityMode } from '../../domain/provider.js';

import type { StepName, StepStatus } from '../../domain/diagnosis.js';

export { protocols, stepNames, stepStatuses, type Protocol, type StepName, type StepStatus } from '../../domain/diagnosis.js';

export interface StepError {
  code: RequestErrorCode;
  /** plain language: what went wrong and what to change */
  explanation: string;
}

export interface Step {
  step: StepName;
  status: StepStatus;
  /** how long the step took (0 when skipped) */
  ms: number;
  detail?: string;
  error?: StepError;
}

export interface Endpoint {
  host: string;
  port: number;
  security: SecurityMode;
}

export type Credentials = { login: string; password: string } | { login: string; accessToken: string };

/**
 * Failures found by Mailyard's own checks (not by Node or a mail library). classify.ts turns
 * these, like Node's and the libraries' codes, into domain error codes.
 */
export const diagnosisFailures = [
  'CONNECT_TIMEOUT',
  'TLS_TIMEOUT',
  'GREETING_TIMEOUT',
  'RESPONSE_TIMEOUT',
  'CONNECTION_CLOSED',
  /** a plain-text client met a port that speaks implicit TLS */
  'EXPECTS_IMPLICIT_TLS',
  /** the greeting is not the protocol we asked for (e.g. SMTP on the IMAP port) */
  'WRONG_PROTOCOL',
  /** the server greeted with BYE / 554: it does not take connections from us */
  'GREETING_REJECTED',
  'STARTTLS_NOT_OFFERED',
  'STARTTLS_REFUSED',
  'AUTH_MECHANISM_MISSING',
  'CERT_PIN_MISMATCH',
  'PRIVATE_NETWORK',
  'NO_ADDRESS',
] as const;
export type DiagnosisFailure = (typeof diagnosisFailures)[number];

/** An error raised by Mailyard's own checks; `code` is one of diagnosisFailures. */
export class DiagnosisError extends Error {
  override name = 'DiagnosisError';
  constructor(
    readonly code: DiagnosisFailure,
    message: string,
    readonly info: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Resolves a host name to the addresses to connect to (may refuse: private-network rule). */
export type ResolveHost = (host: string) => Promise<string[]>;
