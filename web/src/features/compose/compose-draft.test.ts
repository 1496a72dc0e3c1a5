import { describe, expect, it } from 'vitest';
import type { MessageDetail } from '../inbox/inbox.api.js';
import type { SenderAccount } from './compose.api.js';
import {
  composeBody,
  draftFor,
  draftKey,
  emptyDraft,
  loadDraft,
  saveDraft,
  senderChoices,
  splitRecipients,
  toBase64,
} from './compose-draft.js';

const account = (over: Partial<SenderAccount>): SenderAccount => ({
  id: 'a',
  email: 'me@example.com',
  displayName: 'Me',
  signature: '',
  sendEnabled: true,
  defaultSender: false,
  enabled: true,
  archived: false,
  access: { read: true, send: true, manage: true },
  ...over,
});

const original: MessageDetail = {
  id: 'm1',
  accountId: 'a',
  folder: 'INBOX',
  threadId: 't',
  subject: 'Plans',
  from: [{ name: 'Carol', address: 'carol@x.test' }],
  to: [
    { name: '', address: 'me@example.com' },
    { name: 'Dan', address: 'dan@x.test' },
  ],
  cc: [{ name: '', address: 'erin@x.test' }],
  bcc: [],
  inReplyTo: null,
  references: [],
  headers: [],
  date: '2024-05-01T10:00:00.000Z',
  snippet: '',
  seen: true,
  flagged: false,
  answered: false,
  hasAttachments: false,
  direction: 'incoming',
  messageId: '<m1@x.test>',
  text: 'Line one\nLine two',
  html: null,
  attachments: [],
  parseError: null,
};

describe('senderChoices', () => {
  it('offers only accounts the user may send through, the default sender first', () => {
    const list = senderChoices([
      account({ id: 'b', email: 'b@x' }),
      account({ id: 'c', email: 'c@x', defaultSender: true }),
      account({ id: 'd', email: 'd@x', sendEnabled: false }),
      account({ id: 'e', email: 'e@x', access: { read: true, send: false, manage: false } }),
    ]);
    expect(list.map((a) => a.id)).toEqual(['c', 'b']);
  });
});

describe('draftFor', () => {
  it('replies to the sender with Re: and the quoted text', () => {
    const draft = draftFor('reply', original, account({}));
    expect(draft).toMatchObject({ to: 'Carol <carol@x.test>', cc: '', subject: 'Re: Plans' });
    expect(draft.body).toContain('> Line one\n> Line two');
  });

  it('replies to everyone but the sending account', () => {
    const draft = draftFor('replyAll', original, account({}));
    expect(draft.to).toBe('Carol <carol@x.test>, Dan <dan@x.test>');
    expect(draft.cc).toBe('erin@x.test');
  });

  it('forwards with Fwd: and the original headers, no recipients', () => {
    const draft = draftFor('forward', { ...original, subject: 'Fwd: Plans' }, account({}));
    expect(draft).toMatchObject({ to: '', subject: 'Fwd: Plans' });
    expect(draft.body).toContain('From: Carol <carol@x.test>');
  });
});

describe('recipients and drafts', () => {
  it('splits a recipient field on commas outside names', () => {
    expect(splitRecipients('"Doe, Jane" <j@x>, b@y; c@z')).toEqual(['"Doe, Jane" <j@x>', 'b@y', 'c@z']);
  });

  it('keeps a draft per compose target', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveDraft(storage, draftKey('reply', 'm1'), { ...draftFor('reply', original, account({})), body: 'edited' });
    expect(loadDraft(storage, draftKey('reply', 'm1'))?.body).toBe('edited');
    expect(loadDraft(storage, draftKey('reply', 'm2'))).toBeUndefined();
  });

  it('encodes file bytes as base64', () => {
    expect(toBase64(new TextEncoder().encode('hello').buffer)).toBe('aGVsbG8=');
  });
});

describe('composeBody', () => {
  const draft = { ...emptyDraft, accountId: 'a', to: 'Dan <dan@x.test>, erin@x.test', subject: 'Re: Plans', body: 'Yes' };

  it('names the message a reply answers, or a forward carries', () => {
    expect(composeBody(draft, [], 'reply', 'm1')).toMatchObject({ inReplyTo: 'm1', to: splitRecipients(draft.to) });
    expect(composeBody(draft, [], 'reply', 'm1')).not.toHaveProperty('forwardOf');
    expect(composeBody(draft, [], 'forward', 'm1')).toMatchObject({ forwardOf: 'm1' });
    expect(composeBody(draft, [], 'new', undefined)).not.toHaveProperty('inReplyTo');
  });
});
