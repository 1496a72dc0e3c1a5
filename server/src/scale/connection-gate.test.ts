import { describe, expect, it } from 'vitest';
import { ConnectionGate } from './connection-gate.js';

const server = { host: 'imap.example.test', port: 993 };

describe('ConnectionGate', () => {
  it('lets at most N connections to one server open at once, and others through', async () => {
    const gate = new ConnectionGate(2);
    const a = await gate.acquire(server);
    const b = await gate.acquire(server);
    let third = false;
    const c = gate.acquire(server).then((release) => {
      third = true;
      return release;
    });
    // another server is not held up by this one
    const other = await gate.acquire({ host: 'other.example.test', port: 993 });
    await Promise.resolve();
    expect(third).toBe(false);
    a();
    a(); // releasing twice frees one slot only
    const releaseC = await c;
    expect(third).toBe(true);
    let fourth = false;
    const d = gate.acquire(server).then(() => (fourth = true));
    await Promise.resolve();
    expect(fourth).toBe(false);
    b();
    await d;
    releaseC();
    other();
  });
});
