// How the built web UI reaches a browser: each hashed asset compressed at build time (brotli and
// gzip, chosen by Accept-Encoding) and cached for a year, the page itself revalidated every time,
// and the bundle split so that a page's code comes only with that page. HTTP only: SQLite suffices.
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { builtWebDir } from '../support/web.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET whose body is left exactly as sent (fetch would decode it). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('delivery of the web UI', () => {
  let t: TestApp;
  let webDir: string;
  let index: string;
  /** what index.html loads: the entry script, its preloaded shared chunk, the stylesheet */
  let entryAssets: string[];

  beforeAll(async () => {
    webDir = builtWebDir();
    t = await startTestApp('sqlite', { webDir });
    index = readFileSync(path.join(webDir, 'index.html'), 'utf8');
    entryAssets = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(entryAssets.length).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends index.html for every page address with no-cache, so a new release shows at once', async () => {
    for (const page of ['/', '/index.html', '/settings/users']) {
      const res = await rawGet(t.baseUrl + page);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body.toString()).toBe(index);
    }
  });

  it('sends the entry script and stylesheet brotli- or gzip-compressed as asked, cached for a year', async () => {
    expect(entryAssets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(entryAssets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of entryAssets) {
      const original = readFileSync(path.join(webDir, asset));
      const url = t.baseUrl + asset;

      const br = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' });
      expect(br.status).toBe(200);
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(br.headers.vary).toMatch(/accept-encoding/i);
      expect(br.headers['content-type']).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
      expect(br.body.length).toBeLessThan(original.length / 3);
      expect(brotliDecompressSync(br.body).equals(original)).toBe(true);

      const gz = await rawGet(url, { 'accept-encoding': 'gzip' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(gunzipSync(gz.body).equals(original)).toBe(true);

      const plain = await rawGet(url);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(plain.body.equals(original)).toBe(true);
    }
  });

  it('keeps each page in a chunk of its own, loaded only when the page is visited', async () => {
    const loadedFirst = (await Promise.all(entryAssets.map((a) => rawGet(t.baseUrl + a)))).map((r) => r.body.toString()).join('\n');
    const assetsDir = path.join(webDir, 'assets');
    const chunks = readdirSync(assetsDir).filter((f) => f.endsWith('.js'));
    const chunkWith = (text: string) => chunks.find((f) => readFileSync(path.join(assetsDir, f), 'utf8').includes(text));
    // Words shown only by the provider form (an admin page) and the wizard.
    for (const text of ['Detect automatically', 'Show or hide the client secret']) {
      expect(chunkWith(text)).toBeDefined();
      expect(loadedFirst).not.toContain(text);
    }
  });
});
