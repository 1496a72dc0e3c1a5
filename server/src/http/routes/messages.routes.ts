import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { App } from '../app.js';
import { actorOf } from '../auth.js';
import { IdParams, Strict, errorResponses } from '../schemas.js';
import { maxPageSize, type BlobDownload, type MessagesService } from '../../services/messages.service.js';
import { MessageDetailSchema, MessageDirectionSchema, MessageListItemSchema, UnreadCountSchema } from '../../domain/message.js';
import { RefTo } from '../../domain/schema.js';

const MessageListItem = RefTo(MessageListItemSchema);
const Direction = MessageDirectionSchema;

const MessageList = Type.Object({
  items: Type.Array(MessageListItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

const ListQuery = Type.Object(
  {
    accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    folder: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    q: Type.Optional(Type.String({ maxLength: 1000 })),
    unread: Type.Optional(Type.Boolean()),
    direction: Type.Optional(Direction),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxPageSize })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  Strict,
);

const Binary = Type.String({ description: 'the stored bytes, unchanged' });

/** A filename that cannot break the header or name a path: ASCII fallback plus RFC 5987 form. */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  const cleaned = filename.replace(/[\p{Cc}\\/"]/gu, '_').replace(/^\.+/, '_').trim().slice(0, 200) || 'download';
  const ascii = cleaned.replace(/[^\x20-\x7e]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(cleaned).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Only a well-formed media type is echoed; anything else is plain bytes. */
export function safeContentType(value: string): string {
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(value) ? value.toLowerCase() : 'application/octet-stream';
}

function sendDownload(reply: FastifyReply, download: BlobDownload) {
  return (
    reply
      .header('content-type', safeContentType(download.contentType))
      .header('content-disposition', contentDisposition('attachment', download.filename))
      // Even if a browser were talked into rendering it, stored mail content gets no script,
      // no origin and no network.
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(download.stream)
  );
}

export function messagesRoutes(app: App, deps: { messages: MessagesService }) {
  const tags = ['messages'];

  app.get(
    '/api/v1/messages',
    { schema: { tags, querystring: ListQuery, response: { 200: MessageList, ...errorResponses } } },
    async (request) => deps.messages.list(actorOf(request), request.query),
  );

  app.get(
    '/api/v1/messages/unread-count',
    {
      schema: {
        tags,
        summary: 'Unread incoming messages per readable account (Trash and Junk not counted)',
        response: {
          200: UnreadCountSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => deps.messages.unreadCount(actorOf(request)),
  );

  app.get(
    '/api/v1/messages/:id',
    { schema: { tags, params: IdParams, response: { 200: RefTo(MessageDetailSchema), ...errorResponses } } },
    async (request) => deps.messages.get(actorOf(request), request.params.id),
  );

  app.get(
    '/api/v1/messages/:id/raw',
    { schema: { tags, params: IdParams, produces: ['message/rfc822'], response: { 200: Binary, ...errorResponses } } },
    async (request, reply) => sendDownload(reply, await deps.messages.raw(actorOf(request), request.params.id)),
  );

  app.get(
    '/api/v1/messages/:id/attachments/:attachmentId',
    {
      schema: {
        tags,
        params: Type.Object({ id: IdParams.properties.id, attachmentId: Type.String({ minLength: 1, maxLength: 100 }) }),
        produces: ['application/octet-stream'],
        response: { 200: Binary, ...errorResponses },
      },
    },
    async (request, reply) =>
      sendDownload(reply, await deps.messages.attachment(actorOf(request), request.params.id, request.params.attachmentId)),
  );

  app.patch(
    '/api/v1/messages/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: Type.Object(
          {
            seen: Type.Optional(Type.Boolean()),
            flagged: Type.Optional(Type.Boolean()),
            folder: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
          },
          Strict,
        ),
        response: { 200: MessageListItem, ...errorResponses },
      },
    },
    async (request) => deps.messages.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/messages/:id',
    { schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await deps.messages.delete(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/threads/:id',
    {
      schema: {
        tags,
        summary: 'The messages of a conversation that the caller may read, oldest first',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(MessageListItem) }), ...errorResponses },
      },
    },
    async (request) => deps.messages.thread(actorOf(request), request.params.id),
  );
}
