import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ValidateToken } from './token-store.js';

export interface IntrospectionServer {
  /** `http://127.0.0.1:PORT/introspect`, without credentials. */
  url: string;
  /** The same URL with the client credentials in it, in the form Dovecot's oauth2 passdb takes. */
  urlWithCredentials: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * A minimal RFC 7662 token introspection endpoint. It knows nothing about tokens itself: every
 * decision is `validateToken`'s, so the token source can be replaced (e.g. by a real OpenID
 * provider) without touching Dovecot's configuration.
 */
export async function startIntrospectionServer(opts: {
  validateToken: ValidateToken;
}): Promise<IntrospectionServer> {
  const clientId = 'dovecot';
  const clientSecret = randomBytes(16).toString('hex');
  const expectedAuth = Buffer.from(`Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`);

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'server_error', error_description: String(error) }));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const json = (status: number, body: object): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method !== 'POST' || path !== '/introspect') return json(404, { error: 'not_found' });
    // RFC 7662 §2.1: the endpoint must not act as a token oracle for anonymous callers.
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expectedAuth.length || !timingSafeEqual(auth, expectedAuth)) {
      res.setHeader('www-authenticate', 'Basic realm="introspection"');
      return json(401, { error: 'invalid_client' });
    }
    const token = new URLSearchParams(await readBody(req)).get('token');
    if (token === null || token === '') return json(400, { error: 'invalid_request' });
    return json(200, await opts.validateToken(token));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/introspect`,
    urlWithCredentials: `http://${clientId}:${clientSecret}@127.0.0.1:${port}/introspect`,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
