import net from 'node:net';

/**
 * Ports Node's fetch (and browsers) refuse to talk to; a rig service on one of them would be
 * unreachable from test code.
 */
const FETCH_BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/**
 * Picks `count` distinct free TCP ports on 127.0.0.1. The kernel hands out ephemeral ports at
 * random, so concurrent runs do not pick the same ones; all sockets are held until every port is
 * chosen so one call never returns a duplicate. A port can still be taken by someone else before
 * the service binds it: service starters retry with fresh ports on "address in use".
 */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = net.createServer();
      servers.push(server);
      const port = await listenOnRandomPort(server);
      if (!FETCH_BAD_PORTS.has(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

function listenOnRandomPort(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address for port probe'));
      else resolve(address.port);
    });
  });
}

/** Whether 127.0.0.1:port can be bound right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(
  port: number,
  opts: { timeoutMs: number; isAborted?: () => string | undefined | Promise<string | undefined> },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await canConnect(port)) return;
    const aborted = await opts.isAborted?.();
    if (aborted !== undefined) throw new Error(aborted);
    if (Date.now() > deadline)
      throw new Error(`nothing listens on 127.0.0.1:${port} after ${opts.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

/** Resolves once nothing accepts TCP connections on 127.0.0.1:port any more. */
export async function waitForPortClosed(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await canConnect(port)) {
    if (Date.now() > deadline)
      throw new Error(`127.0.0.1:${port} still accepts connections after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
