// Live events between processes over PostgreSQL LISTEN/NOTIFY (scale/event-bridge.ts): two bridges
// on one database stand for two processes. The sender batches many notifications per round trip;
// what arrives must still be every event, in publishing order.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { pino } from 'pino';
import type { ServerEvent } from '../../src/domain/events.js';
import { EventBridge } from '../../src/scale/event-bridge.js';
import { EventBus } from '../../src/services/event-bus.js';
import { createPostgresDatabase } from '../rig/index.js';

const bridges: EventBridge[] = [];
afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.stop()));
});

async function joinBus(url: string): Promise<{ bus: EventBus; received: ServerEvent[] }> {
  const bus = new EventBus();
  const received: ServerEvent[] = [];
  bus.subscribe((event) => received.push(event));
  const bridge = new EventBridge({
    url,
    events: bus,
    logger: pino({ level: 'silent' }),
    load: () => Promise.resolve(undefined),
  });
  bridges.push(bridge);
  await bridge.start();
  return { bus, received };
}

const status = (accountId: string, state: 'syncing' | 'idle', done = 0): ServerEvent<'account.status'> => ({
  type: 'account.status',
  accountId,
  data: { state, progress: { done, total: 1_200 }, lastSyncAt: null, error: null, lastVerifiedAt: null, drift: { found: 0, repaired: 0 } },
});
const stateOf = (event: ServerEvent) => (event.type === 'account.status' ? `${event.data.state} ${event.data.progress.done}` : event.type);

describe('event bridge', () => {
  test('delivers every event in publishing order, the same event twice included', async () => {
    const url = await createPostgresDatabase();
    const a = await joinBus(url);
    const b = await joinBus(url);
    const accountId = randomUUID();
    // More than one batch, and a state that comes back (PostgreSQL folds identical payloads of
    // one transaction into one notification).
    const sent = [
      ...Array.from({ length: 1_200 }, (_, i) => status(accountId, 'syncing', i)),
      status(accountId, 'idle'),
      status(accountId, 'syncing'),
      status(accountId, 'idle'),
    ];
    for (const event of sent) a.bus.publish(event);

    await expect.poll(() => b.received.length).toBe(sent.length);
    expect(b.received.map(stateOf)).toEqual(sent.map(stateOf));
    // Nothing comes back to the process that sent it.
    expect(a.received).toHaveLength(sent.length);
  });
});
