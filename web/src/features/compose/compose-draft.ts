// What a reply, reply all or forward starts with, the From choices, and the draft kept in
// localStorage while writing. Pure functions, so the rules are tested without a browser.
import type { MailAddress, MessageDetail } from '../inbox/inbox.api.js';
import type { ComposeBody, OutboxStatus, SenderAccount } from './compose.api.js';

export const composeModes = ['new', 'reply', 'replyAll', 'forward'] as const;
export type ComposeMode = (typeof composeModes)[number];

export const composeModeFrom = (value: string | undefined): ComposeMode =>
  composeModes.find((m) => m === value) ?? 'new';

export interface Draft {
  accountId: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  body: string;
  signature: boolean;
}

export const emptyDraft: Draft = { accountId: '', to: '', cc: '', bcc: '', subject: '', body: '', signature: true };

/** Accounts the user may send through, the default sender first. */
export function senderChoices(accounts: SenderAccount[]): SenderAccount[] {
  return accounts
    .filter((a) => a.access.send && a.sendEnabled && a.enabled && !a.archived)
    .sort((a, b) => Number(b.defaultSender) - Number(a.defaultSender) || a.email.localeCompare(b.email));
}

const formatAddress = (a: MailAddress) => (a.name.trim() ? `${a.name.trim()} <${a.address}>` : a.address);

/** "a@x, B <b@y>" → ["a@x", "B <b@y>"]; commas inside quotes or angle brackets stay. */
export function splitRecipients(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = 0;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '<' && !quoted) angle += 1;
    else if (ch === '>' && !quoted) angle = Math.max(0, angle - 1);
    if ((ch === ',' || ch === ';' || ch === '\n') && !quoted && angle === 0) {
      if (current.trim()) parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

function prefixed(prefix: 'Re' | 'Fwd', subject: string): string {
  const pattern = prefix === 'Re' ? /^\s*re\s*:/i : /^\s*(fwd?|fw)\s*:/i;
  return pattern.test(subject) ? subject : `${prefix}: ${subject}`;
}

function quote(original: MessageDetail): string {
  const from = original.from[0] ? formatAddress(original.from[0]) : 'someone';
  const when = new Date(original.date).toLocaleString();
  const text = (original.text ?? '').trimEnd();
  return `\n\nOn ${when}, ${from} wrote:\n${text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n')}`;
}

function forwarded(original: MessageDetail): string {
  const lines = [
    '',
    '',
    '---------- Forwarded message ----------',
    `From: ${original.from.map(formatAddress).join(', ')}`,
    `Date: ${new Date(original.date).toLocaleString()}`,
    `Subject: ${original.subject}`,
    `To: ${original.to.map(formatAddress).join(', ')}`,
    ...(original.cc.length ? [`Cc: ${original.cc.map(formatAddress).join(', ')}`] : []),
    '',
    (original.text ?? '').trimEnd(),
  ];
  return lines.join('\n');
}

/**
 * The draft a reply, reply all or forward starts from. Reply all answers the sender and every
 * other recipient, without the sending account itself.
 */
export function draftFor(mode: ComposeMode, original: MessageDetail | undefined, account: SenderAccount | undefined): Draft {
  const base: Draft = { ...emptyDraft, accountId: account?.id ?? '' };
  if (!original || mode === 'new') return base;
  if (mode === 'forward') return { ...base, subject: prefixed('Fwd', original.subject), body: forwarded(original) };
  const own = account?.email.toLowerCase();
  const notOwn = (a: MailAddress) => a.address.toLowerCase() !== own;
  // A reply to one's own sent message goes to its recipients again.
  const replyTo = original.direction === 'outgoing' ? original.to : original.from;
  const to = mode === 'replyAll' ? [...replyTo, ...original.to.filter(notOwn)] : replyTo;
  const seen = new Set<string>();
  const unique = (list: MailAddress[]) =>
    list.filter((a) => {
      const key = a.address.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const toList = unique(to);
  const ccList = mode === 'replyAll' ? unique(original.cc.filter(notOwn)) : [];
  return {
    ...base,
    to: toList.map(formatAddress).join(', '),
    cc: ccList.map(formatAddress).join(', '),
    subject: prefixed('Re', original.subject),
    body: quote(original),
  };
}

export const draftKey = (mode: ComposeMode, messageId: string | undefined) => `mailyard.draft.${mode}.${messageId ?? 'new'}`;

export function loadDraft(storage: Pick<Storage, 'getItem'>, key: string): Draft | undefined {
  try {
    const raw = storage.getItem(key);
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as Partial<Draft>;
    return { ...emptyDraft, ...parsed };
  } catch {
    return undefined;
  }
}

export function saveDraft(storage: Pick<Storage, 'setItem'>, key: string, draft: Draft): void {
  try {
    storage.setItem(key, JSON.stringify(draft));
  } catch {
    // A full or disabled storage only costs the draft, never the message being written.
  }
}

export const statusLabels: Record<OutboxStatus, string> = {
  queued: 'Queued',
  sending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent',
  uncertain: 'May have been sent',
};

export const isFinal = (status: OutboxStatus) => status === 'sent' || status === 'failed' || status === 'uncertain';

/** File → base64 without the data-URL prefix. */
export function toBase64(bytes: ArrayBuffer): string {
  let binary = '';
  const view = new Uint8Array(bytes);
  const chunk = 0x8000;
  for (let i = 0; i < view.length; i += chunk) binary += String.fromCharCode(...view.subarray(i, i + chunk));
  return btoa(binary);
}

type Attachment = NonNullable<ComposeBody['attachments']>[number];

/** A picked file as the outbox takes it; a type the server would refuse is sent as plain bytes. */
export async function attachmentOf(file: File): Promise<Attachment> {
  return {
    filename: file.name,
    contentType: file.type && /^[\w.+-]+\/[\w.+-]+$/.test(file.type) ? file.type : 'application/octet-stream',
    contentBase64: toBase64(await file.arrayBuffer()),
  };
}

/** What Send queues: the draft, its attachments, and the message it replies to or forwards. */
export function composeBody(draft: Draft, attachments: Attachment[], mode: ComposeMode, messageId: string | undefined): ComposeBody {
  return {
    accountId: draft.accountId,
    to: splitRecipients(draft.to),
    cc: splitRecipients(draft.cc),
    bcc: splitRecipients(draft.bcc),
    subject: draft.subject,
    text: draft.body,
    signature: draft.signature,
    attachments,
    ...(mode === 'reply' || mode === 'replyAll' ? { inReplyTo: messageId } : {}),
    ...(mode === 'forward' ? { forwardOf: messageId } : {}),
  };
}
