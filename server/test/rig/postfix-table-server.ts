import net from 'node:net';

export interface PostfixTableServer {
  /** For main.cf: `tcp:127.0.0.1:PORT`. */
  table: string;
  close(): Promise<void>;
}

/**
 * Serves a Postfix lookup table over Postfix's tcp_table(5) protocol, so users created by tests are
 * known to Postfix at once: file-based tables make every smtpd restart after a change and are
 * read with a settling delay.
 */
export async function startPostfixTableServer(
  lookup: (key: string) => string | undefined,
): Promise<PostfixTableServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const request = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        socket.write(`${answer(request)}\n`);
      }
    });
  });

  function answer(request: string): string {
    const match = /^get (.*)$/.exec(request);
    if (match === null) return '400 only "get" is supported';
    const value = lookup(decode(match[1] ?? '').toLowerCase());
    return value === undefined ? '500 not found' : `200 ${encode(value)}`;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    table: `tcp:127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// tcp_table(5): keys and values are URL-style %XX encoded where needed.
function decode(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function encode(text: string): string {
  let encoded = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    encoded += code <= 0x20 || code === 0x25 || code === 0x7f ? `%${code.toString(16).padStart(2, '0')}` : c;
  }
  return encoded;
}
