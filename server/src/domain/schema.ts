// Helpers for the API shapes' TypeBox schemas. The schemas are the one definition of an API
// shape: the types derive from them (`Static<…>`), the routes validate and shape with them, and
// the OpenAPI document (and from it the web UI's types) is generated from them.
import { Type, type SchemaOptions, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';

/** One of a closed set, as `anyOf` of constants. */
export const literals = <T extends string>(values: readonly T[], options: SchemaOptions = {}) =>
  Type.Union(values.map((v) => Type.Literal(v)), options);

/**
 * A string from a closed set. The JSON schema is a plain `enum` (a wrong value reads "must be equal
 * to one of the allowed values", not anyOf noise); the static type is the union of the values.
 */
export const StringEnum = <T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  ({ type: 'string', enum: [...values], ...options }) as unknown as TUnion<TLiteral<T[number]>[]>;

export const Nullable = <T extends TSchema>(schema: T, options: SchemaOptions = {}) =>
  Type.Union([schema, Type.Null()], options);

/**
 * A reference to a named schema (one with an `$id`, registered once with the server), typed as
 * the schema itself: it appears once in the OpenAPI document, under its name.
 */
export function RefTo<T extends TSchema>(schema: T) {
  if (schema.$id === undefined) throw new Error('RefTo needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
}
