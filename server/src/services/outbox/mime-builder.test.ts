import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { buildMessage, htmlToText, withSignature } from './mime-builder.js';

const base = {
  from: { name: 'Ada Lovelace', address: 'ada@example.com' },
  to: [{ name: 'Bob', address: 'bob@example.com' }],
  cc: [],
  bcc: [{ name: '', address: 'secret@example.com' }],
  subject: 'Re: Engines',
  text: 'Hello Bob',
  messageId: '<abc@example.com>',
  date: new Date('2024-05-01T10:00:00Z'),
  attachments: [],
};

describe('buildMessage', () => {
  it('sets From, the reply headers and our Message-ID, and keeps Bcc only in the Sent copy', async () => {
    const built = await buildMessage({ ...base, inReplyTo: '<orig@x>', references: ['<root@x>', '<orig@x>'] });
    const sent = await simpleParser(built.raw);
    expect(sent.from?.value).toEqual([{ name: 'Ada Lovelace', address: 'ada@example.com' }]);
    expect(sent.messageId).toBe('<abc@example.com>');
    expect(sent.inReplyTo).toBe('<orig@x>');
    expect(sent.references).toEqual(['<root@x>', '<orig@x>']);
    expect(sent.bcc).toBeUndefined();
    const copy = await simpleParser(built.sentCopy);
    expect(copy.messageId).toBe('<abc@example.com>');
    expect(JSON.stringify(copy.bcc)).toContain('secret@example.com');
  });

  it('carries attachments byte for byte', async () => {
    const content = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256));
    const built = await buildMessage({ ...base, bcc: [], attachments: [{ filename: 'data.bin', contentType: 'application/octet-stream', content }] });
    const parsed = await simpleParser(built.raw);
    expect(parsed.attachments[0]?.filename).toBe('data.bin');
    expect(parsed.attachments[0]?.content.equals(content)).toBe(true);
  });
});

describe('signatures', () => {
  it('appends the signature under the "-- " line in both bodies', () => {
    const bodies = withSignature('Hi', '<p>Hi</p>', '<b>Ada</b><br>Analyst');
    expect(bodies.text).toBe('Hi\n\n-- \nAda\nAnalyst');
    expect(bodies.html).toContain('-- <br><b>Ada</b><br />Analyst');
  });

  it('leaves the bodies alone without a signature', () => {
    expect(withSignature('Hi', undefined, '')).toEqual({ text: 'Hi', html: undefined });
  });

  it('strips scripts from a signature', () => {
    expect(withSignature(undefined, '<p>x</p>', '<script>alert(1)</script>Ada').html).not.toContain('script');
    expect(htmlToText('A &amp; B<br>C')).toBe('A & B\nC');
  });
});
