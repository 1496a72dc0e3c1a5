// The closed sets of a connection diagnosis as the API shows it (mail/diagnosis/ runs it): one
// ordered list of steps per protocol, each ok, failed or skipped.
export const protocols = ['imap', 'smtp'] as const;
export type Protocol = (typeof protocols)[number];

export const stepNames = ['dns', 'tcp', 'tls', 'starttls', 'capabilities', 'auth'] as const;
export type StepName = (typeof stepNames)[number];

export const stepStatuses = ['ok', 'failed', 'skipped'] as const;
export type StepStatus = (typeof stepStatuses)[number];
