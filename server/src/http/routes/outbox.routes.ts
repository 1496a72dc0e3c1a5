import { Type } from '@sinclair/typebox';
import type { App } from '../app.js';
import { actorOf } from '../auth.js';
import { IdParams, Strict, errorResponses } from '../schemas.js';
import type { OutboxService } from '../../services/outbox/outbox.service.js';
import { OutboxItemSchema } from '../../domain/outbox.js';
import { RefTo } from '../../domain/schema.js';

/** 25 MB of attachments grow by a third in base64; the rest of the request is small. */
export const outboxBodyLimit = 35 * 1024 * 1024;

const Recipient = Type.Union([
  Type.String({ minLength: 1, maxLength: 2000, description: 'an address, or "Name <address>"' }),
  Type.Object({ name: Type.Optional(Type.String({ maxLength: 500 })), address: Type.String({ minLength: 1, maxLength: 320 }) }, Strict),
]);
const Recipients = Type.Array(Recipient, { maxItems: 500 });

const ComposeBody = Type.Object(
  {
    accountId: Type.String({ minLength: 1, maxLength: 100 }),
    to: Type.Optional(Recipients),
    cc: Type.Optional(Recipients),
    bcc: Type.Optional(Recipients),
    subject: Type.Optional(Type.String({ maxLength: 998 })),
    text: Type.Optional(Type.String({ maxLength: 5_000_000 })),
    html: Type.Optional(Type.String({ maxLength: 10_000_000 })),
    inReplyTo: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Mailyard id of the message replied to' })),
    forwardOf: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Mailyard id of the message forwarded, attachments included' })),
    attachments: Type.Optional(
      Type.Array(
        Type.Object(
          {
            filename: Type.String({ minLength: 1, maxLength: 255 }),
            contentType: Type.String({ minLength: 3, maxLength: 255, pattern: '^[\\w.+-]+/[\\w.+-]+$' }),
            contentBase64: Type.String(),
          },
          Strict,
        ),
        { maxItems: 100 },
      ),
    ),
    signature: Type.Optional(Type.Boolean({ description: "append the account's signature (default true)" })),
  },
  Strict,
);

const OutboxItem = RefTo(OutboxItemSchema);

const responses = { ...errorResponses, 413: Type.Ref('Error') };

export function outboxRoutes(app: App, deps: { outbox: OutboxService }) {
  app.post(
    '/api/v1/outbox',
    {
      bodyLimit: outboxBodyLimit,
      schema: {
        tags: ['outbox'],
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 200 })) }),
        body: ComposeBody,
        response: { 202: OutboxItem, ...responses },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const item = await deps.outbox.enqueue(actorOf(request), request.body, typeof key === 'string' ? key : undefined);
      return reply.status(202).send(item);
    },
  );

  app.get(
    '/api/v1/outbox',
    {
      schema: {
        tags: ['outbox'],
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          },
          Strict,
        ),
        response: { 200: Type.Object({ items: Type.Array(OutboxItem), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...responses },
      },
    },
    async (request) => deps.outbox.list(actorOf(request), request.query),
  );

  app.get(
    '/api/v1/outbox/:id',
    { schema: { tags: ['outbox'], params: IdParams, response: { 200: OutboxItem, ...responses } } },
    async (request) => deps.outbox.get(actorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/outbox/:id/retry',
    {
      schema: {
        tags: ['outbox'],
        summary: 'Send again a message that failed or may have been sent',
        params: IdParams,
        response: { 202: OutboxItem, ...responses },
      },
    },
    async (request, reply) => reply.status(202).send(await deps.outbox.retry(actorOf(request), request.params.id)),
  );
}
