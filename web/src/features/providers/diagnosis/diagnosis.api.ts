import { api, call } from '../../../shared/api.js';
import type { BodyOf, ResponseOf } from '../../../shared/api-types.js';

/** The outcome of a connection test (POST /providers/{id}/test). */
export type ConnectionTest = ResponseOf<'/api/v1/providers/{id}/test', 'post'>;
/** One step of a connection test. */
export type DiagnosisStep = ConnectionTest['imap']['steps'][number];
export type StepName = DiagnosisStep['step'];
export const STEP_NAMES = ['dns', 'tcp', 'tls', 'starttls', 'capabilities', 'auth'] as const satisfies readonly StepName[];

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

export type TestCredentials = BodyOf<'/api/v1/providers/{id}/test', 'post'>;

export const diagnosisApi = {
  test: (providerId: string, body: TestCredentials) =>
    call(api.POST('/api/v1/providers/{id}/test', { params: { path: { id: providerId } }, body })),
};
