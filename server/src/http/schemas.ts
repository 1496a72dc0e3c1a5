// Shared TypeBox schemas: they validate requests, shape responses (unknown fields are
// dropped on the way out) and generate the OpenAPI document.
import { Type, type TSchema } from '@sinclair/typebox';
import { AccountSchema } from '../domain/account.js';
import { LiveEventSchema } from '../domain/events.js';
import { MessageDetailSchema, MessageListItemSchema } from '../domain/message.js';
import { OutboxItemSchema } from '../domain/outbox.js';
import { ProviderSchema } from '../domain/provider.js';
import { PublicUserSchema } from '../domain/user.js';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'Error' },
);

export const errorResponses = {
  400: Type.Ref('Error'),
  401: Type.Ref('Error'),
  403: Type.Ref('Error'),
  404: Type.Ref('Error'),
  409: Type.Ref('Error'),
  422: Type.Ref('Error'),
  429: Type.Ref('Error'),
};

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const Email = Type.String({ format: 'email', maxLength: 320 });

/** An API token as listed: never the token itself. */
export const TokenInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});

export const ListOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Optional(Type.Union([Type.String(), Type.Null()])) });

/**
 * The named API shapes: registered once with each server, referenced with `RefTo` by the routes,
 * and listed under their names in the OpenAPI document (and so in the web UI's generated types).
 */
export const sharedSchemas = [
  ErrorSchema,
  PublicUserSchema,
  AccountSchema,
  ProviderSchema,
  MessageListItemSchema,
  MessageDetailSchema,
  OutboxItemSchema,
  LiveEventSchema,
];

/** Request bodies reject fields they do not know (unknown fields are a client bug). */
export const Strict = { additionalProperties: false } as const;
