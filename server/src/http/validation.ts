// Request validation with two AJV instances: bodies are validated strictly (no type
// coercion: `{"name": 5}` is an error, not "5"), while query strings and path parameters,
// which arrive as text, are coerced to the declared types.
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const base: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };
const strictAjv = addFormats(new Ajv({ ...base, coerceTypes: false }));
const coercingAjv = addFormats(new Ajv({ ...base, coerceTypes: 'array' }));

export function addSharedSchema(schema: { $id?: string }): void {
  // The validators outlive one server: a second server in the same process (each dialect of a
  // test file) must not register the shared schemas twice.
  if (schema.$id !== undefined && strictAjv.getSchema(schema.$id)) return;
  strictAjv.addSchema(schema);
  coercingAjv.addSchema(schema);
}

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema);
