import { Type } from '@sinclair/typebox';
import type { App } from '../app.js';
import { actorOf } from '../auth.js';
import { IdParams, ListOf, Strict, errorResponses } from '../schemas.js';
import {
  DomainEntrySchema,
  ProviderSchema,
  SecuritySchema,
  authMethods,
  loginFormats,
  serviceTypes,
} from '../../domain/provider.js';
import { Nullable, RefTo, StringEnum } from '../../domain/schema.js';
import type { ProvidersService } from '../../services/providers.service.js';

const Security = SecuritySchema;
const Host = Type.String({
  minLength: 1,
  maxLength: 255,
  description: 'a host name such as imap.example.com, or an IP address',
});
const Port = Type.Integer({ minimum: 1, maximum: 65535 });

const AuthBody = Type.Object(
  {
    method: Type.Optional(StringEnum(authMethods)),
    clientId: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    clientSecret: Type.Optional(
      Nullable(Type.String({ maxLength: 4096, description: 'write-only; empty keeps the stored one' })),
    ),
    authorizationUrl: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    tokenUrl: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 50 })),
  },
  Strict,
);

const commonFields = {
  serviceType: Type.Optional(StringEnum(serviceTypes)),
  loginFormat: Type.Optional(StringEnum(loginFormats)),
  auth: Type.Optional(AuthBody),
  domains: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 1000 })),
  allowReceive: Type.Optional(Type.Boolean()),
  allowSend: Type.Optional(Type.Boolean()),
  tlsFingerprint: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  notes: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
};

const CreateProviderBody = Type.Object(
  {
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "defaults to the IMAP host's domain" }),
    ),
    imap: Type.Object(
      { host: Host, port: Type.Optional(Port), security: Type.Optional(Security) },
      { ...Strict, description: 'port and security left out are found by probing the server, else 993 tls' },
    ),
    smtp: Type.Object(
      { host: Host, port: Type.Optional(Port), security: Type.Optional(Security) },
      { ...Strict, description: 'port and security left out are found by probing the server, else 465 tls' },
    ),
    ...commonFields,
  },
  Strict,
);

const PartialEndpoint = Type.Object(
  { host: Type.Optional(Host), port: Type.Optional(Port), security: Type.Optional(Security) },
  Strict,
);
const UpdateProviderBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    imap: Type.Optional(PartialEndpoint),
    smtp: Type.Optional(PartialEndpoint),
    ...commonFields,
  },
  Strict,
);

const DomainParams = Type.Object({ domain: Type.String({ minLength: 1, maxLength: 253 }) });

export function providersRoutes(app: App, deps: { providers: ProvidersService }) {
  // Any signed-in user may read providers: people pick one in the add-account wizard. One a user
  // added is shown only to them and to admins until an admin reviews it.
  app.get(
    '/api/v1/providers',
    { schema: { tags: ['providers'], response: { 200: ListOf(RefTo(ProviderSchema)), ...errorResponses } } },
    async (request) => ({ items: await deps.providers.list(actorOf(request)) }),
  );

  app.post(
    '/api/v1/providers',
    {
      schema: {
        tags: ['providers'],
        body: CreateProviderBody,
        response: { 201: RefTo(ProviderSchema), ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await deps.providers.create(actorOf(request), request.body)),
  );

  app.get(
    '/api/v1/providers/:id',
    {
      schema: {
        tags: ['providers'],
        params: IdParams,
        response: { 200: RefTo(ProviderSchema), ...errorResponses },
      },
    },
    async (request) => deps.providers.get(actorOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/providers/:id',
    {
      schema: {
        tags: ['providers'],
        params: IdParams,
        body: UpdateProviderBody,
        response: { 200: RefTo(ProviderSchema), ...errorResponses },
      },
    },
    async (request) => deps.providers.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/providers/:id',
    {
      schema: {
        tags: ['providers'],
        description:
          'Refused with 409 provider_in_use (details.accounts lists them) while the provider has mailboxes.',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.providers.delete(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  // The "Email providers domains" lookup: each domain belongs to at most one provider.
  app.get(
    '/api/v1/provider-domains',
    {
      schema: { tags: ['provider-domains'], response: { 200: ListOf(DomainEntrySchema), ...errorResponses } },
    },
    async () => ({ items: await deps.providers.listDomains() }),
  );

  app.post(
    '/api/v1/provider-domains',
    {
      schema: {
        tags: ['provider-domains'],
        description:
          'Adds a domain (stored lower-case, IDN as punycode). 200 when the provider already had it.',
        body: Type.Object(
          {
            domain: Type.String({ minLength: 1, maxLength: 253 }),
            providerId: Type.String({ minLength: 1, maxLength: 100 }),
          },
          Strict,
        ),
        response: { 200: DomainEntrySchema, 201: DomainEntrySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { created, ...entry } = await deps.providers.assignDomain(actorOf(request), request.body);
      return reply.status(created ? 201 : 200).send(entry);
    },
  );

  app.delete(
    '/api/v1/provider-domains/:domain',
    {
      schema: {
        tags: ['provider-domains'],
        params: DomainParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.providers.removeDomain(actorOf(request), request.params.domain);
      return reply.status(204).send(null);
    },
  );
}
