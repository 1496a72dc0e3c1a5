import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../lib/blob-store.js';
import type { ParsedMessage } from '../../domain/message.js';
import { parseHeaderBlock, storeAndParse } from './parse.js';
import { sanitizeMailHtml } from './sanitize.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-mime-'));
const blobs = new BlobStore(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const parseLines = (lines: string[]) => storeAndParse(Buffer.from(lines.join('\r\n')), blobs);

const message = Buffer.from(
  [
    'Message-ID: <m1@example.test>',
    'In-Reply-To: <m0@example.test>',
    'References: <root@example.test> <m0@example.test>',
    'From: "Alice A." <alice@example.test>',
    'To: bob@example.test, Team: carol@example.test, dan@example.test;',
    'Subject: =?utf-8?B?SGVsbG8g8J+Riw==?=',
    'Date: Tue, 10 Mar 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p onclick="x()">Hi <script>alert(1)</script><img src="https://t.example/p.gif"><img src="cid:logo"><a href="javascript:alert(1)">x</a></p>',
    '--b',
    'Content-Type: application/pdf; name="a.pdf"',
    'Content-Disposition: attachment; filename="a.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4 test').toString('base64'),
    '--b--',
    '',
  ].join('\r\n'),
);

describe('storeAndParse', () => {
  it('extracts headers, text, safe HTML and attachments, from a buffer or a stream alike', async () => {
    for (const source of [message, Readable.from([message.subarray(0, 100), message.subarray(100)])]) {
      const { raw, parsed, parseError } = await storeAndParse(source, blobs);
      expect(parseError).toBeNull();
      expect(raw.size).toBe(message.length);
      expect(parsed).toMatchObject({
        messageId: '<m1@example.test>',
        inReplyTo: '<m0@example.test>',
        references: ['<root@example.test>', '<m0@example.test>'],
        subject: 'Hello 👋',
        from: [{ name: 'Alice A.', address: 'alice@example.test' }],
        date: Date.UTC(2026, 2, 10, 10),
      });
      expect(parsed.to.map((a) => a.address)).toEqual([
        'bob@example.test',
        'carol@example.test',
        'dan@example.test',
      ]);
      expect(parsed.attachments).toMatchObject([
        { filename: 'a.pdf', contentType: 'application/pdf', size: 13, disposition: 'attachment' },
      ]);
      expect(await blobs.exists(parsed.attachments[0]?.blobSha256 ?? '')).toBe(true);
      expect(parsed.snippet).toContain('Hi');
    }
  });

  it('renders an HTML-only message as plain text, with readable links, for text, snippet and search', async () => {
    const { parsed } = await parseLines([
      'From: news@example.test',
      'Subject: Weekly',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><head><style>.x { color: red }</style></head><body>',
      '<h1>Spring &amp; summer</h1><p>The <b>heron</b> season opens.</p>',
      '<p><a href="https://news.example.test/read">Read online</a> or <a href="https://x.example.test">https://x.example.test</a></p>',
      '<img src="cid:logo" alt="logo"></body></html>',
    ]);
    expect(parsed.text).toContain('The heron season opens.');
    expect(parsed.text).toContain('Read online [https://news.example.test/read]');
    expect(parsed.text).toContain('https://x.example.test');
    expect(parsed.text).not.toContain('[https://x.example.test]');
    expect(parsed.text).not.toMatch(/color|<|&amp;/);
    expect(parsed.snippet).toBe('Spring & summer The heron season opens. Read online or https://x.example.test');
  });

  it('keeps the text part of a message that has one', async () => {
    const { parsed } = await parseLines([
      'From: a@example.test',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Plain words',
      '--b',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>HTML words</p>',
      '--b--',
      '',
    ]);
    expect(parsed.text?.trim()).toBe('Plain words');
    expect(parsed.snippet).toBe('Plain words');
  });

  it('keeps an unparseable message raw', async () => {
    const { raw, parseError } = await storeAndParse(Buffer.alloc(0), blobs);
    expect(raw.size).toBe(0);
    expect(parseError === null || typeof parseError === 'string').toBe(true);
  });
});

describe('sanitizeMailHtml', () => {
  it('removes scripts, handlers, forms and javascript: links and holds remote images back', () => {
    const html = sanitizeMailHtml(
      '<div onmouseover="x()" style="color:red;background:url(https://x.example/a.png)"><script>1</script><form action="https://x"><input></form>' +
        '<a href="javascript:alert(1)">a</a><a href="https://ok.example">b</a><img src="https://t.example/p.gif" srcset="https://t.example/2x.gif 2x"><img src="cid:logo"><iframe src="https://x"></iframe></div>',
    );
    expect(html).not.toMatch(/script|onmouseover|form|input|javascript|iframe|url\(/i);
    expect(html).toContain('data-remote-src="https://t.example/p.gif"');
    expect(html).not.toMatch(/ src="https/);
    expect(html).toContain('src="cid:logo"');
    expect(html).toContain('href="https://ok.example"');
    expect(html).toContain('rel="noopener noreferrer"');
  });
});

describe('parseHeaderBlock (headers-first sync)', () => {
  const sources: Record<string, Buffer> = {
    'the full sample': message,
    'encoded words, folding, groups, several References lines': Buffer.from(
      [
        'Message-ID:',
        ' <folded@example.test>',
        'From: =?iso-8859-1?q?J=FCrgen_M=FCller?= <jm@example.test>',
        'To: undisclosed-recipients:;',
        'Cc: "Doe, Jane" <jane@example.test>, =?utf-8?B?0JjQstCw0L0=?= <ivan@example.test>',
        'Bcc: hidden@example.test',
        'References: <a@x>',
        'References: <b@x>',
        '\t<c@x>',
        'In-Reply-To: <c@x> (comment) <d@x>',
        'Subject: =?utf-8?q?caf=C3=A9?= and =?utf-8?q?cr=C3=A8me?=',
        '  continued',
        'Date: 1 Feb 2025 08:09:10 -0500',
        '',
        'body',
      ].join('\r\n'),
    ),
    'raw 8-bit headers, LF line endings': Buffer.from(
      'From: J\xfcrgen <j@example.test>\nSubject: Gr\xc3\xbc\xc3\x9fe \xff\xfe bytes\nTo: \x80\x81 <x@example.test>\n\nbody\n',
      'binary',
    ),
    'nothing but a subject': Buffer.from('Subject: alone\r\n\r\n'),
  };

  it.each(Object.entries(sources))('gives the header fields a full parse gives: %s', async (_name, source) => {
    const full = await storeAndParse(source, blobs);
    const headersOnly = parseHeaderBlock(source);
    expect(full.parseError).toBeNull();
    const fields = ({ messageId, inReplyTo, references, subject, from, to, cc, bcc, date, headers }: ParsedMessage) => ({
      messageId,
      inReplyTo,
      references,
      subject,
      from,
      to,
      cc,
      bcc,
      date,
      headers,
    });
    expect(headersOnly && fields(headersOnly)).toEqual(fields(full.parsed));
    // and no body: that is parsed later from the stored source
    expect(headersOnly).toMatchObject({ text: null, html: null, snippet: '', attachments: [] });
  });

  it('declines a source without a header block, so the whole message is parsed instead', () => {
    expect(parseHeaderBlock(Buffer.from('\r\njust a body\r\n'))).toBeUndefined();
    expect(parseHeaderBlock(Buffer.from('From: a@example.test\r\nSubject: never ends'))).toBeUndefined();
  });
});
