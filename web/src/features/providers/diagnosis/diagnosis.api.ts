import { api, seg } from '../../../shared/api.js';

export const STEP_NAMES = ['dns', 'tcp', 'tls', 'starttls', 'capabilities', 'auth'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** One step of a connection test (POST /providers/{id}/test). */
export interface DiagnosisStep {
  step: StepName;
  status: 'ok' | 'failed' | 'skipped';
  ms: number;
  detail?: string;
  error?: { code: string; explanation: string };
}

export interface ConnectionTest {
  imap: { ok: boolean; steps: DiagnosisStep[] };
  smtp: { ok: boolean; steps: DiagnosisStep[] };
}

export const STEP_LABELS: Record<StepName, string> = {
  dns: 'DNS lookup',
  tcp: 'Connection',
  tls: 'TLS encryption',
  starttls: 'STARTTLS upgrade',
  capabilities: 'Server capabilities',
  auth: 'Sign-in',
};

const STATUS_MARKS = { ok: '✓', failed: '✗', skipped: '–' } as const;

/** "✓ DNS lookup (3 ms)": the line a person reads, also the accessible name of the step. */
export function stepSummary(step: DiagnosisStep): string {
  const timing = step.status === 'skipped' ? 'skipped' : `${step.ms} ms`;
  return `${STATUS_MARKS[step.status]} ${STEP_LABELS[step.step]} (${timing})`;
}

export interface TestCredentials {
  login?: string;
  password?: string;
}

export const diagnosisApi = {
  test: (providerId: string, credentials: TestCredentials) =>
    api.post<ConnectionTest>(`/providers/${seg(providerId)}/test`, credentials),
};
