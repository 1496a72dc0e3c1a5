// Response headers of the web UI and the API, and the client address behind a reverse proxy.
// HTTP-layer behaviour only, so SQLite suffices.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { webContentSecurityPolicy } from '../../src/http/server.js';

function fakeWebDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-web-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Mailyard</title><div id="root"></div>');
  writeFileSync(path.join(dir, 'app.js'), 'console.log(1)');
  return dir;
}

const remoteAddressesIn = (lines: string[]) =>
  lines
    .map((line) => JSON.parse(line) as { msg?: string; req?: { remoteAddress?: string; path?: string } })
    .filter((l) => l.msg === 'incoming request' && l.req?.path === '/healthz')
    .map((l) => l.req?.remoteAddress);

describe('security headers and proxies', () => {
  let t: TestApp;
  let webDir: string;
  beforeAll(async () => {
    webDir = fakeWebDir();
    t = await startTestApp('sqlite', { webDir });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('gives the web UI pages a Content-Security-Policy and keeps them out of frames', async () => {
    for (const page of ['/', '/inbox', '/settings/users']) {
      const res = await t.client().request('GET', page);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(webContentSecurityPolicy);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    const policy = webContentSecurityPolicy;
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('sends no policy with API JSON or scripts', async () => {
    const json = await t.admin.request('GET', '/api/v1/me');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-security-policy')).toBeNull();
    const script = await t.client().request('GET', '/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-security-policy')).toBeNull();
  });

  it('ignores X-Forwarded-For unless MAILYARD_TRUST_PROXY says to trust the proxy', async () => {
    const before = t.logLines.length;
    await t.client().request('GET', '/healthz', undefined, { 'x-forwarded-for': '203.0.113.7' });
    expect(remoteAddressesIn(t.logLines.slice(before))).toEqual(['127.0.0.1']);

    const proxied = await startTestApp('sqlite', { env: { MAILYARD_TRUST_PROXY: '127.0.0.1' } });
    try {
      await proxied.client().request('GET', '/healthz', undefined, { 'x-forwarded-for': '203.0.113.7' });
      expect(remoteAddressesIn(proxied.logLines)).toEqual(['203.0.113.7']);
    } finally {
      await proxied.close();
    }
  });
});
