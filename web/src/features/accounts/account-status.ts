// Words and colours for account status and for a failed verification, kept pure so they are
// tested without a browser.
import type { AccountErrorAction, AccountStatus } from './accounts.api.js';

export interface StatusView {
  label: string;
  color: string;
  /** "120 of 480 messages" while syncing */
  progress: string | null;
}

export function statusView(status: AccountStatus, archived = false): StatusView {
  if (archived) return { label: 'Archived', color: 'gray', progress: null };
  const { done, total } = status.progress;
  const progress = total > 0 ? `${done.toLocaleString()} of ${total.toLocaleString()} messages` : null;
  switch (status.state) {
    case 'connecting':
      return { label: 'Connecting', color: 'blue', progress: null };
    case 'syncing':
      return { label: 'Syncing', color: 'blue', progress };
    case 'idle':
      return { label: 'Up to date', color: 'teal', progress };
    case 'error':
      return { label: 'Needs attention', color: 'red', progress: null };
    case 'disabled':
      return { label: 'Switched off', color: 'gray', progress: null };
  }
}

/** "3 minutes ago", "yesterday": how long ago `iso` was, at `now`. */
export function timeAgo(iso: string, now: number, locale?: string): string {
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return 'just now';
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return format.format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 24) return format.format(-hours, 'hour');
  return format.format(-Math.round(hours / 24), 'day');
}

const differences = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'difference' : 'differences'}`;

/**
 * The last verification of the copy against the mail server in words: "Verified 3 minutes ago —
 * everything matches", "Verified 3 minutes ago: 2 differences found and repaired". Null before
 * the first one.
 */
export function verificationSummary(status: AccountStatus, now: number): string | null {
  if (status.lastVerifiedAt === null) return null;
  const when = `Verified ${timeAgo(status.lastVerifiedAt, now)}`;
  const { found, repaired } = status.drift;
  if (found === 0) return `${when} — everything matches`;
  if (repaired >= found) return `${when}: ${differences(found)} found and repaired`;
  return `${when}: ${differences(found)} found, ${repaired.toLocaleString()} repaired`;
}

/** The button that fixes an account error. */
export function actionLabel(action: AccountErrorAction): string {
  switch (action) {
    case 'enter_new_password':
      return 'Enter new password';
    case 'sign_in_again':
      return 'Sign in again';
    case 'retry':
      return 'Retry';
  }
}

/** Progress as a percentage for a progress bar; null while the total is unknown. */
export function progressPercent(status: AccountStatus): number | null {
  const { done, total } = status.progress;
  if (total <= 0) return null;
  return Math.min(100, Math.round((done / total) * 100));
}

const protocolNames: Record<string, string> = {
  imap: 'incoming mail server (IMAP)',
  smtp: 'outgoing mail server (SMTP)',
};

const stepNames: Record<string, (server: string) => string> = {
  dns: (server) => `Finding the ${server}`,
  tcp: (server) => `Connecting to the ${server}`,
  tls: (server) => `Checking the security certificate of the ${server}`,
  starttls: (server) => `Switching the ${server} to a secure connection (STARTTLS)`,
  capabilities: (server) => `Asking the ${server} how it accepts sign-ins`,
  auth: (server) =>
    server.includes('IMAP')
      ? 'Signing in to the incoming mail server (IMAP login)'
      : 'Signing in to the outgoing mail server (SMTP authentication)',
};

const hints: Record<string, string> = {
  auth_failed: 'The server did not accept the login and password. Check them and try again.',
  app_password_required:
    'This provider needs an app password instead of your usual password. Create one in your email account’s security settings and enter it here.',
  imap_unreachable:
    'Mailyard could not reach the incoming mail server. Check the provider’s server name and port, or ask your administrator.',
  smtp_unreachable:
    'Mailyard could not reach the outgoing mail server. Check the provider’s server name and port, or ask your administrator.',
  tls_error:
    'The server’s security certificate could not be verified (expired, self-signed or issued for another name). Ask your administrator to check the provider’s settings.',
  starttls_unavailable:
    'The server does not offer a secure connection (STARTTLS) on this port. Ask your administrator to check the provider’s security setting.',
  dns_failed: 'The server name could not be found. Check the provider’s server names.',
  auth_mechanism_unavailable:
    'The server does not accept password sign-in this way. The provider may need OAuth 2.0 or another security setting.',
  private_network_refused:
    'The server is on a private network that Mailyard may not reach. Ask your administrator.',
  oauth_required: 'This provider signs in with OAuth 2.0 instead of a password.',
  verification_failed: 'The mailbox could not be checked right now. Try again in a moment.',
};

/** Verification codes the wizard explains as a failed step (everything else is a plain error). */
export const verificationCodes = new Set(Object.keys(hints));

export interface FailedStep {
  /** which check failed, in words; null when the server did not say */
  step: string | null;
  message: string;
  hint: string | null;
}

export function describeVerificationFailure(
  code: string,
  message: string,
  details: Record<string, unknown>,
): FailedStep {
  const protocol = typeof details.protocol === 'string' ? details.protocol : undefined;
  const step = typeof details.step === 'string' ? details.step : undefined;
  const server = (protocol && protocolNames[protocol]) ?? 'mail server';
  const stepText = step
    ? (stepNames[step]?.(server) ?? `${step} (${server})`)
    : protocol
      ? `Checking the ${server}`
      : null;
  return { step: stepText, message, hint: hints[code] ?? null };
}

/** Provider notes may come as one text or a list (detection). */
export function notesOf(notes: string | string[] | null | undefined): string[] {
  if (!notes) return [];
  return (Array.isArray(notes) ? notes : [notes]).map((n) => n.trim()).filter(Boolean);
}
