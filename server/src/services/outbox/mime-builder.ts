// Builds the outgoing message once, at enqueue time, with nodemailer's MailComposer: every
// retry then sends the same bytes with the same Message-ID and Date, and the Sent copy is the
// message that went out (plus its Bcc header, which only the sender may see).
import MailComposer from 'nodemailer/lib/mail-composer';
import sanitizeHtml from 'sanitize-html';
import type { Mailbox } from '../../domain/outbox.js';

export interface ComposeAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** kept for forwarded inline images, so `cid:` references in a quoted body still resolve */
  contentId?: string | null;
  disposition?: string | null;
}

export interface ComposeInput {
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  subject: string;
  text?: string;
  html?: string;
  /** the account's signature (HTML); appended to both bodies */
  signatureHtml?: string | null;
  messageId: string;
  date: Date;
  /** RFC 5322 Message-ID of the message replied to */
  inReplyTo?: string | null;
  references?: string[];
  attachments: ComposeAttachment[];
}

export interface BuiltMessage {
  /** what goes over SMTP: no Bcc header */
  raw: Buffer;
  /** what goes into the Sent folder */
  sentCopy: Buffer;
}

/** HTML (a signature) as plain text: line breaks kept, tags and entities gone. */
export function htmlToText(html: string): string {
  const withBreaks = html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|li|tr|h[1-6])>/gi, '\n');
  const text = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} });
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The bodies with the signature under the conventional "-- " separator (RFC 3676 §4.3). */
export function withSignature(text: string | undefined, html: string | undefined, signatureHtml: string | null | undefined) {
  const signature = signatureHtml?.trim() ? sanitizeHtml(signatureHtml) : '';
  if (!signature) return { text: text ?? (html === undefined ? '' : undefined), html };
  const signatureText = htmlToText(signature);
  return {
    text: html !== undefined && text === undefined ? undefined : `${text ?? ''}\n\n-- \n${signatureText}`,
    html: html === undefined ? undefined : `${html}<br><div class="mailyard-signature">-- <br>${signature}</div>`,
  };
}

async function build(input: ComposeInput, keepBcc: boolean): Promise<Buffer> {
  const bodies = withSignature(input.text, input.html, input.signatureHtml);
  const composer = new MailComposer({
    from: input.from,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    subject: input.subject,
    ...(bodies.text !== undefined && { text: bodies.text }),
    ...(bodies.html !== undefined && { html: bodies.html }),
    messageId: input.messageId,
    date: input.date,
    ...(input.inReplyTo && { inReplyTo: input.inReplyTo }),
    ...(input.references?.length && { references: input.references }),
    attachments: input.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      ...(a.contentId && { cid: a.contentId.replace(/^<|>$/g, '') }),
      ...(a.disposition && { contentDisposition: a.disposition }),
    })),
    // Nothing in a compose request may make the server read its own files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
    headers: { 'X-Mailer': 'Mailyard' },
  });
  const node = composer.compile();
  node.keepBcc = keepBcc;
  return node.build();
}

export async function buildMessage(input: ComposeInput): Promise<BuiltMessage> {
  const raw = await build(input, false);
  const sentCopy = input.bcc.length > 0 ? await build(input, true) : raw;
  return { raw, sentCopy };
}
