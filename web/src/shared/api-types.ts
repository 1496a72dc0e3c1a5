// Names for the generated API types (web/src/shared/api-schema.gen.ts, from the server's OpenAPI
// document): the UI writes no API shape of its own.
import type { components, paths } from './api-schema.gen.js';

/** The server's named shapes: Account, Provider, MessageListItem, MessageDetail, OutboxItem, User, LiveEvent… */
export type Schemas = components['schemas'];

type Operation<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON a route answers with when it succeeds. */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { responses: infer R } ? JsonOf<R[Extract<keyof R, 200 | 201 | 202>]> : never;

/** The JSON body a route takes. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

/** The query parameters a route takes. */
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** One item of a route's `{items: […]}` answer. */
export type ItemOf<P extends keyof paths, M extends keyof paths[P]> =
  ResponseOf<P, M> extends { items: (infer I)[] } ? I : never;
