import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../lib/blob-store.js';
import { storeAndParse } from './parse.js';
import { ParsePool, defaultParsePoolOptions } from './parse-pool.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mailyard-parse-pool-'));
const blobs = new BlobStore(dir);
const pools: ParsePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  rmSync(dir, { recursive: true, force: true });
});

const poolWith = (options: Partial<ReturnType<typeof defaultParsePoolOptions>>) => {
  const pool = new ParsePool(blobs, { ...defaultParsePoolOptions(), ...options });
  pools.push(pool);
  return pool;
};

const message = (i: number) =>
  Buffer.from(
    [
      `Message-ID: <pool-${i}@example.test>`,
      'From: "Alice" <alice@example.test>',
      'To: bob@example.test',
      `Subject: Pool ${i}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<p onclick="x()">Hello ${i}<script>alert(1)</script></p>`,
      '--b',
      'Content-Type: application/octet-stream; name="a.bin"',
      'Content-Disposition: attachment; filename="a.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(`attachment ${i}`).toString('base64'),
      '--b--',
      '',
    ].join('\r\n'),
  );

describe('ParsePool', () => {
  it('parses in worker threads exactly as on the main thread, blobs included', async () => {
    const pool = poolWith({ workers: 2, perWorker: 2, maxBytes: 1024 });
    const sources = Array.from({ length: 12 }, (_, i) => message(i));
    const results = await Promise.all(sources.map((s) => pool.run(s)));
    for (const [i, result] of results.entries()) {
      expect(result).toEqual(await storeAndParse(sources[i] ?? Buffer.alloc(0), blobs));
      expect(result.parsed.subject).toBe(`Pool ${i}`);
      expect(result.parsed.html).not.toContain('script');
      expect(readFileSync(blobs.pathFor(result.raw.sha256))).toEqual(sources[i]);
      const attachment = result.parsed.attachments[0];
      expect(attachment && readFileSync(blobs.pathFor(attachment.blobSha256)).toString()).toBe(
        `attachment ${i}`,
      );
    }
  }, 60_000);

  it('parses on the calling thread with no workers', async () => {
    const pool = poolWith({ workers: 0 });
    const result = await pool.run(message(200));
    expect(result.parsed.subject).toBe('Pool 200');
  });
});
