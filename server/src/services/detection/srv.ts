// RFC 6186 service records for mail clients, ordered as RFC 2782 says: lowest priority first;
// within one priority a weighted random order.
import type { SrvRecord } from 'node:dns';

/** A target of "." means the service is decidedly not offered (RFC 2782). */
export const isNotOffered = (record: SrvRecord) => record.name === '' || record.name === '.';

export function orderSrvRecords(
  records: readonly SrvRecord[],
  random: () => number = Math.random,
): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const record of records) {
    if (isNotOffered(record)) continue;
    byPriority.set(record.priority, [...(byPriority.get(record.priority) ?? []), record]);
  }
  const ordered: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const pending = [...(byPriority.get(priority) ?? [])];
    while (pending.length > 0) {
      const total = pending.reduce((sum, r) => sum + r.weight, 0);
      let index = 0;
      if (total > 0) {
        const pick = random() * total;
        let running = 0;
        index = pending.findIndex((r) => (running += r.weight) > pick);
        if (index < 0) index = pending.length - 1;
      }
      ordered.push(...pending.splice(index, 1));
    }
  }
  return ordered;
}

/** The best target of a service: undefined when there is none or it is explicitly not offered. */
export function bestSrvTarget(
  records: readonly SrvRecord[],
  random?: () => number,
): { host: string; port: number } | undefined {
  const first = orderSrvRecords(records, random)[0];
  return first && first.port > 0
    ? { host: first.name.replace(/\.$/, '').toLowerCase(), port: first.port }
    : undefined;
}
