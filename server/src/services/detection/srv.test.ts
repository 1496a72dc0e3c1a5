import { describe, expect, it } from 'vitest';
import { bestSrvTarget, orderSrvRecords } from './srv.js';

const rec = (name: string, priority: number, weight: number, port = 993) => ({
  name,
  priority,
  weight,
  port,
});

describe('SRV ordering (RFC 2782)', () => {
  it('puts the lowest priority first', () => {
    const ordered = orderSrvRecords([
      rec('backup.example', 20, 100),
      rec('main.example', 10, 0),
      rec('other.example', 30, 5),
    ]);
    expect(ordered.map((r) => r.name)).toEqual(['main.example', 'backup.example', 'other.example']);
  });

  it('chooses within one priority by weight', () => {
    const records = [rec('light.example', 10, 1), rec('heavy.example', 10, 9)];
    // random() near 0 lands in the first weight band, near 1 in the last one.
    expect(orderSrvRecords(records, () => 0.05)[0]?.name).toBe('light.example');
    expect(orderSrvRecords(records, () => 0.5)[0]?.name).toBe('heavy.example');
    expect(orderSrvRecords(records, () => 0.5)).toHaveLength(2);
  });

  it('treats a "." target as "not offered"', () => {
    expect(bestSrvTarget([rec('.', 0, 0, 0)])).toBeUndefined();
    expect(bestSrvTarget([rec('', 0, 0, 0)])).toBeUndefined();
    expect(bestSrvTarget([])).toBeUndefined();
  });

  it('gives the best target without its trailing dot', () => {
    expect(bestSrvTarget([rec('IMAP.Example.com.', 0, 1, 993)])).toEqual({
      host: 'imap.example.com',
      port: 993,
    });
  });
});
