import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RigRequestError } from './mail-users.js';

/** A control route: JSON body in, JSON-serialisable result out. */
export type ControlRoute = (body: Record<string, unknown>) => Promise<unknown>;

export interface ControlServer {
  url: string;
  secret: string;
  close(): Promise<void>;
}

/**
 * The global setup's HTTP endpoint for test workers, which run in other processes and cannot call
 * the rig's objects directly. Every route is `POST /<name>` with a JSON body; a per-run secret keeps
 * other local users and runs out.
 */
export async function startControlServer(routes: Record<string, ControlRoute>): Promise<ControlServer> {
  const secret = randomBytes(18).toString('base64url');
  const expectedAuth = Buffer.from(`Bearer ${secret}`);

  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? null));
    };
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expectedAuth.length || !timingSafeEqual(auth, expectedAuth)) {
      reply(401, { error: 'wrong rig control secret' });
      return;
    }
    const route =
      req.method === 'POST' ? routes[new URL(req.url ?? '/', 'http://x').pathname.slice(1)] : undefined;
    if (route === undefined) {
      reply(404, { error: `no rig control route ${req.method} ${req.url}` });
      return;
    }
    readJson(req)
      .then((body) => route(body))
      .then(
        (result) => reply(200, result),
        (error: unknown) => {
          if (error instanceof RigRequestError) reply(error.status, { error: error.message });
          else reply(500, { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        },
      );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  const body: unknown = JSON.parse(text);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RigRequestError(400, 'the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
