import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { generateApiTypes, generatedFile } from './api-types.js';

it('the web UI’s API types match the server’s OpenAPI document (else run `npm run generate:api`)', async () => {
  const committed = await readFile(generatedFile, 'utf8');
  expect(committed === (await generateApiTypes()), 'web/src/shared/api-schema.gen.ts is stale: run `npm run generate:api`').toBe(true);
}, 60_000);
