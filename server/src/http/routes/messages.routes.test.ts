import { describe, expect, it } from 'vitest';
import { contentDisposition, safeContentType } from './messages.routes.js';

describe('download headers', () => {
  it('gives a filename that names no path and cannot break the header', () => {
    expect(contentDisposition('attachment', '../../etc/passwd')).toBe(`attachment; filename="__.._etc_passwd"; filename*=UTF-8''__.._etc_passwd`);
    expect(contentDisposition('attachment', 'a"\r\nSet-Cookie: x.txt')).not.toMatch(/[\r\n]|"a"/);
    expect(contentDisposition('attachment', 'Résumé (1).pdf')).toBe(`attachment; filename="R_sum_ (1).pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%281%29.pdf`);
    expect(contentDisposition('attachment', '')).toBe(`attachment; filename="download"; filename*=UTF-8''download`);
  });

  it('echoes only well-formed media types', () => {
    expect(safeContentType('Image/PNG')).toBe('image/png');
    expect(safeContentType('text/html; charset=utf-8')).toBe('application/octet-stream');
    expect(safeContentType('nonsense')).toBe('application/octet-stream');
  });
});
