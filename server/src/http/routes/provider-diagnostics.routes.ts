// Provider detection, the catalogue of well-known providers and the connection test.
import { Type, type TSchema } from '@sinclair/typebox';
import type { App } from '../app.js';
import { actorOf } from '../auth.js';
import { IdParams, Strict, errorResponses } from '../schemas.js';
import { authMethods, loginFormats, securityModes } from '../../domain/provider.js';
import { providerCatalogue } from '../../domain/provider-catalogue.js';
import { StringEnum } from '../../domain/schema.js';
import { stepNames, stepStatuses } from '../../domain/diagnosis.js';
import type { DetectionService } from '../../services/detection/detection.service.js';
import type { ProviderDiagnosticsService } from '../../services/detection/provider-diagnostics.service.js';
import { attemptOutcomes, detectionSources } from '../../services/detection/types.js';

const Optional = <T extends TSchema>(schema: T) => Type.Optional(schema);

const Endpoint = Type.Object({
  host: Type.String(),
  port: Type.Integer(),
  security: StringEnum(securityModes),
});

const CatalogueEntrySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domains: Type.Array(Type.String()),
  mxPatterns: Type.Array(Type.String()),
  imap: Endpoint,
  smtp: Endpoint,
  loginFormat: StringEnum(loginFormats),
  authMethods: Type.Array(StringEnum(authMethods)),
  oauth: Optional(
    Type.Object({
      authorizationUrl: Type.String(),
      tokenUrl: Type.String(),
      scopes: Type.Array(Type.String()),
    }),
  ),
  notes: Type.Array(Type.String()),
});

const DetectedSettings = Type.Object({
  name: Type.String(),
  imap: Endpoint,
  smtp: Endpoint,
  loginFormat: StringEnum(loginFormats),
  auth: Type.Object({
    method: StringEnum(authMethods),
    authorizationUrl: Optional(Type.String()),
    tokenUrl: Optional(Type.String()),
    scopes: Optional(Type.Array(Type.String())),
  }),
});

const DetectionSchema = Type.Object({
  source: StringEnum(detectionSources),
  providerId: Optional(Type.String()),
  catalogueId: Optional(Type.String()),
  provider: Optional(DetectedSettings),
  notes: Optional(Type.Array(Type.String())),
  attempts: Type.Array(
    Type.Object({
      source: Type.String(),
      outcome: StringEnum(attemptOutcomes),
      code: Optional(Type.String()),
      detail: Optional(Type.String()),
      ms: Type.Integer(),
    }),
    { description: 'what each detection source did, in order' },
  ),
});

const StepSchema = Type.Object({
  step: StringEnum(stepNames),
  status: StringEnum(stepStatuses),
  ms: Type.Integer(),
  detail: Optional(Type.String()),
  error: Optional(Type.Object({ code: Type.String(), explanation: Type.String() })),
});

const ProtocolDiagnosisSchema = Type.Object({ ok: Type.Boolean(), steps: Type.Array(StepSchema) });

const ConnectionTestSchema = Type.Object({ imap: ProtocolDiagnosisSchema, smtp: ProtocolDiagnosisSchema });

export function providerDiagnosticsRoutes(
  app: App,
  deps: { detection: DetectionService; diagnostics: ProviderDiagnosticsService },
) {
  app.get(
    '/api/v1/providers/catalogue',
    {
      schema: {
        tags: ['providers'],
        summary: 'The built-in catalogue of well-known providers',
        response: { 200: Type.Object({ items: Type.Array(CatalogueEntrySchema) }), ...errorResponses },
      },
    },
    () => ({
      items: providerCatalogue.map((entry) => ({
        ...entry,
        domains: [...entry.domains],
        mxPatterns: [...entry.mxPatterns],
        authMethods: [...entry.authMethods],
        notes: [...entry.notes],
      })),
    }),
  );

  app.get(
    '/api/v1/providers/detect',
    {
      schema: {
        tags: ['providers'],
        summary: 'Finds the provider and settings for an email address',
        querystring: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }) }),
        response: { 200: DetectionSchema, ...errorResponses },
      },
    },
    async (request) => deps.detection.detect(request.query.email),
  );

  app.post(
    '/api/v1/providers/:id/test',
    {
      schema: {
        tags: ['providers'],
        summary: 'Tests the connection to a provider step by step (a failed test is a 200 with ok: false)',
        params: IdParams,
        body: Type.Optional(
          Type.Object(
            {
              login: Optional(Type.String({ maxLength: 320 })),
              password: Optional(Type.String({ maxLength: 1024 })),
              accessToken: Optional(
                Type.String({
                  maxLength: 8192,
                  description: 'an OAuth 2.0 access token instead of a password',
                }),
              ),
            },
            Strict,
          ),
        ),
        response: { 200: ConnectionTestSchema, ...errorResponses },
      },
    },
    async (request) => deps.diagnostics.test(actorOf(request), request.params.id, request.body ?? {}),
  );
}
