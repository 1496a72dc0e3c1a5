// A loopback TCP proxy that can stall: the connections open at the time of stall() stop
// passing bytes in both directions (no FIN, no RST), as a dead NAT entry or a hung server would.
// Or cut: the next bytes a client sends on a connection open at the time of cutOnNextSend() never
// reach the server, and the connection breaks there, as one lost while a command is on its way.
// Connections made afterwards pass normally.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** connections currently open */
  readonly connections: number;
  /** every connection accepted so far */
  readonly accepted: number;
  stall(): void;
  cutOnNextSend(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<{ client: net.Socket; upstream: net.Socket; stalled: boolean; cutting: boolean }>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream, stalled: false, cutting: false };
    open.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (pair.cutting && from === client) end();
        else if (!pair.stalled) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    function end() {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    }
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy did not bind');
  return {
    port: address.port,
    get connections() {
      return open.size;
    },
    get accepted() {
      return accepted;
    },
    stall() {
      for (const pair of open) pair.stalled = true;
    },
    cutOnNextSend() {
      for (const pair of open) pair.cutting = true;
    },
    async close() {
      for (const pair of open) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
