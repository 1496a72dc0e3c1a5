// Requests Node's HTTP parser refuses before any route runs (over-long headers, a bad
// Content-Length, malformed HTTP) still get the contract's error body, on SQLite and PostgreSQL.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** Sends `raw` bytes and reads the answer until the server closes the connection. */
async function rawRequest(baseUrl: string, raw: string): Promise<{ status: number; body: unknown; text: string }> {
  const { hostname, port } = new URL(baseUrl);
  const text = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(raw));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: JSON.parse(body) as unknown, text };
}

describe.each(dialects)('protocol-level errors on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  const expectContractError = (res: { status: number; body: unknown; text: string }, status: number, code: string) => {
    expect(res.status, res.text).toBe(status);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) as string } });
  };

  it('answers over-long headers with 431 in the error format', async () => {
    const res = await rawRequest(t.baseUrl, `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectContractError(res, 431, 'headers_too_large');
  });

  it('answers an over-long URL with 431 in the error format', async () => {
    const res = await rawRequest(t.baseUrl, `GET /api/v1/messages?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expectContractError(res, 431, 'headers_too_large');
  });

  it('answers a bad Content-Length with 400 in the error format', async () => {
    const res = await rawRequest(t.baseUrl, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}');
    expectContractError(res, 400, 'bad_request');
    const both = await rawRequest(
      t.baseUrl,
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expectContractError(both, 400, 'bad_request');
  });

  it('answers a malformed request line with 400 in the error format', async () => {
    expectContractError(await rawRequest(t.baseUrl, 'NOT HTTP AT ALL\r\n\r\n'), 400, 'bad_request');
  });
});
