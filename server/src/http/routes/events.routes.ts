// Server-Sent Events (docs/product.md "API contract", live events): `event: <type>` and `data: <json>` with the
// accountId and the resource in its API shape. Each subscriber gets only the events of accounts
// it may read, re-checked as events arrive (a revoked share stops the flow within seconds). The
// caller's sign-in is re-checked with it and at every heartbeat, so a sign-out served by another
// process, a revoked token or an expired session ends the stream within seconds; a sign-out
// served by this process ends it at once.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { App } from '../app.js';
import { actorOf, sessionCookieOf } from '../auth.js';
import { errorResponses } from '../schemas.js';
import type { EventBus } from '../../services/event-bus.js';
import type { AccountPermission } from '../../domain/account.js';
import { toClientEvent, type ServerEvent } from '../../domain/events.js';
import type { Clock } from '../../lib/clock.js';

export interface EventsRouteDeps {
  events: EventBus;
  access: { accountIdsFor(caller: { id: string }, permission: AccountPermission): Promise<string[]> };
  clock: Clock;
  /** whether the request's session or token still signs its caller in (re-checked while streaming) */
  signedIn: (request: FastifyRequest) => Promise<boolean>;
  /** sign-outs served by this process, which end their streams at once */
  onSignOut: (listener: (sessionToken: string) => void) => () => void;
  /** comment lines keep proxies and the browser from closing an idle stream */
  heartbeatMs?: number;
  /** how long a subscriber's list of readable accounts is trusted */
  accessCacheMs?: number;
}

/** One SSE frame: `event:` the type, `data:` the ClientEvent's data as JSON. */
export function formatEvent(event: ServerEvent): string {
  const client = toClientEvent(event);
  return `event: ${client.event}\ndata: ${JSON.stringify(client.data)}\n\n`;
}

/** A client that stops reading is dropped (it reconnects and reloads) rather than buffered without bound. */
const maxBufferedBytes = 1024 * 1024;

export function eventsRoutes(app: App, deps: EventsRouteDeps) {
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const accessCacheMs = deps.accessCacheMs ?? 5_000;
  const open = new Set<ServerResponse>();

  // Streams never end by themselves; without this, closing the server would wait for them.
  app.addHook('onClose', (_instance, done) => {
    for (const stream of open) stream.end();
    done();
  });

  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Live events as Server-Sent Events (message.created|updated|deleted, account.status, outbox.updated)',
        produces: ['text/event-stream'],
        response: { 200: Type.String(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const endSignedOut = () => {
        request.log.info('live event stream ended: the caller is no longer signed in');
        reply.raw.end();
      };
      const stillSignedIn = async (): Promise<boolean> => {
        if (await deps.signedIn(request)) return true;
        endSignedOut();
        return false;
      };

      let readable = new Set(await deps.access.accountIdsFor(actor, 'read'));
      let checkedAt = deps.clock.now();
      // An account the subscriber gained access to a moment ago (a new mailbox, a new share)
      // must not wait for the cache to expire; each unknown account triggers one re-check.
      const missedAt = new Map<string, number>();
      const mayRead = async (accountId: string): Promise<boolean> => {
        const now = deps.clock.now();
        const stale = now - checkedAt > accessCacheMs;
        const unknown = !readable.has(accountId) && now - (missedAt.get(accountId) ?? -Infinity) > accessCacheMs;
        if (stale || unknown) {
          if (stale && !(await stillSignedIn())) return false;
          readable = new Set(await deps.access.accountIdsFor(actor, 'read'));
          checkedAt = now;
          if (stale) missedAt.clear();
        }
        if (readable.has(accountId)) return true;
        missedAt.set(accountId, now);
        return false;
      };

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
        // nginx and similar proxies would otherwise buffer the stream
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n: connected\n\n');
      open.add(res);

      // Access checks are asynchronous; the chain keeps events in the order they happened.
      let delivery = Promise.resolve();
      const unsubscribe = deps.events.subscribe((event) => {
        delivery = delivery
          .then(async () => {
            // The outbox is per user: its events go to the user who queued the item, not to
            // everyone who may read the mailbox.
            if (event.type === 'outbox.updated' && event.data.userId !== actor.id) return;
            if (!res.writableEnded && (await mayRead(event.accountId))) send(formatEvent(event));
          })
          .catch((error: unknown) => request.log.warn({ err: error }, 'live event not delivered'));
      });
      function send(chunk: string): void {
        if (res.writableLength > maxBufferedBytes) {
          request.log.warn('live event stream dropped: the client stopped reading');
          res.end();
          return;
        }
        res.write(chunk);
      }
      const heartbeat = setInterval(() => {
        stillSignedIn().then(
          (yes) => yes && !res.writableEnded && send(': ping\n\n'),
          (error: unknown) => request.log.warn({ err: error }, 'could not re-check the event stream’s sign-in'),
        );
      }, heartbeatMs);
      heartbeat.unref();

      const session = sessionCookieOf(request);
      const stopWatchingSignOut = deps.onSignOut((token) => {
        if (token === session) endSignedOut();
      });

      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
        stopWatchingSignOut();
        open.delete(res);
      };
      res.on('close', close);
      request.raw.on('close', close);
    },
  );
}
