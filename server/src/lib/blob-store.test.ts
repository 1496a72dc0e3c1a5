import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { BlobStore } from './blob-store.js';

describe('BlobStore', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mailyard-blobs-'));
  const store = new BlobStore(root);

  it('stores content by its sha256 and reads it back', async () => {
    const blob = await store.put(Buffer.from('hello world'));
    expect(blob.sha256).toBe(createHash('sha256').update('hello world').digest('hex'));
    expect(blob.size).toBe(11);
    expect(await text(store.open(blob.sha256))).toBe('hello world');
  });

  it('streams large content and is idempotent for the same content', async () => {
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024, i));
    const first = await store.put(Readable.from(chunks));
    const second = await store.put(Readable.from(chunks));
    expect(second).toEqual(first);
    expect(first.size).toBe(64 * 64 * 1024);
    expect(readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('recreates its directories when they are removed between writes', async () => {
    const own = new BlobStore(mkdtempSync(path.join(os.tmpdir(), 'mailyard-blobs-')));
    const first = await own.put(Buffer.from('first'));
    rmSync(path.dirname(own.pathFor(first.sha256)), { recursive: true });
    const again = await own.put(Buffer.from('first'));
    expect(await text(own.open(again.sha256))).toBe('first');
    rmSync(own.root, { recursive: true });
    await expect(own.put(Buffer.from('second'))).rejects.toThrow();
    const second = await own.put(Buffer.from('second'));
    expect(await text(own.open(second.sha256))).toBe('second');
  });

  it('rejects ids that are not sha256 hex (no path traversal)', () => {
    expect(() => store.pathFor('../../etc/passwd')).toThrow();
  });
});
