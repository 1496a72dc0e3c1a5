// Broken and hostile messages, built byte by byte: every one must be stored, readable and never
// stall a folder, whether parsed on arrival or headers first (sync-hostile, sync-headers-first).
export const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n', 'binary');

export function deeplyNested(depth: number): Buffer {
  const head = ['From: deep@example.test', 'Subject: Deep nesting', 'MIME-Version: 1.0'];
  let body = 'innermost text';
  for (let level = depth; level > 0; level--) {
    body = [
      `--b${level}`,
      'Content-Type: text/plain',
      '',
      level === depth ? body : 'filler',
      `--b${level}`,
      `Content-Type: multipart/mixed; boundary="b${level + 1}"`,
      '',
      level === depth ? '' : body,
      `--b${level}--`,
    ].join('\r\n');
  }
  return crlf([...head, 'Content-Type: multipart/mixed; boundary="b1"', '', body]);
}

/** The broken ones, by name. */
export function brokenMessages(): Record<string, Buffer> {
  return {
    'bad boundaries': crlf([
      'From: a@example.test',
      'Subject: Bad boundaries',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="declared"',
      '',
      '--not-the-declared-one',
      'Content-Type: text/plain',
      '',
      'text under an undeclared boundary',
      '--declared',
      'Content-Type: text/plain',
      '',
      'never closed',
    ]),
    'bad base64': crlf([
      'From: a@example.test',
      'Subject: Bad base64',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="x"',
      '',
      '--x',
      'Content-Type: text/plain',
      'Content-Transfer-Encoding: base64',
      '',
      '!!!not*base64@@@ ==== ###',
      '--x',
      'Content-Type: application/octet-stream; name="broken.bin"',
      'Content-Disposition: attachment; filename="broken.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      'QUJD$$$RE=VG===',
      '--x--',
    ]),
    'unknown charset': crlf([
      'From: a@example.test',
      'Subject: =?x-unknown-42?B?SGVsbG8=?=',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="x-unknown-charset-42"',
      '',
      'Some \xe9\xe8 bytes in an unknown charset',
    ]),
    'raw 8-bit headers': crlf([
      'From: J\xfcrgen <j@example.test>',
      'Subject: Gr\xc3\xbc\xc3\x9fe und \xff\xfe rohe Bytes',
      'To: \x80\x81 <x@example.test>',
      '',
      'body',
    ]),
    'deep nesting': deeplyNested(120),
    'no headers at all': Buffer.from('\r\njust a body, no header block\r\n'),
    'NUL bytes and a huge header': crlf([
      'From: a@example.test',
      `X-Long: ${'y'.repeat(200_000)}`,
      'Subject: NUL \x00 inside',
      '',
      'body \x00 with NUL',
    ]),
  };
}
