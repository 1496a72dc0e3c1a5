import { Type } from '@sinclair/typebox';
import type { App } from '../app.js';
import { actorOf } from '../auth.js';
import { Email, IdParams, ListOf, Strict, errorResponses } from '../schemas.js';
import type { AccountsService } from '../../services/accounts.service.js';
import {
  AccountFolderSchema,
  AccountSchema,
  AccountShareSchema,
  DirectoryUserSchema,
  ShareInputSchema,
  syncPeriods,
} from '../../domain/account.js';
import { RefTo, literals } from '../../domain/schema.js';

const Folders = Type.Union([
  Type.Literal('all'),
  Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 1000 }),
]);

const settingsFields = {
  displayName: Type.Optional(Type.String({ maxLength: 200 })),
  signature: Type.Optional(Type.String({ maxLength: 20_000 })),
  syncPeriod: Type.Optional(literals(syncPeriods)),
  folders: Type.Optional(Folders),
  autoDownload: Type.Optional(Type.Boolean()),
  sendEnabled: Type.Optional(Type.Boolean()),
  defaultSender: Type.Optional(Type.Boolean()),
};

const Password = Type.String({ minLength: 1, maxLength: 1024 });

const AccountFolderOfAll = Type.Object({ accountId: Type.String(), ...AccountFolderSchema.properties });

const Flag = Type.Union([Type.Literal('true'), Type.Literal('false')]);

export function accountsRoutes(app: App, deps: { accounts: AccountsService }) {
  const AccountRef = RefTo(AccountSchema);
  const tags = ['accounts'];

  app.get(
    '/api/v1/accounts',
    { schema: { tags, response: { 200: ListOf(AccountRef), ...errorResponses } } },
    async (request) => ({
      items: await deps.accounts.list(actorOf(request)),
    }),
  );

  app.post(
    '/api/v1/accounts',
    {
      schema: {
        tags,
        summary:
          'Connect a mailbox: verifies the IMAP login and SMTP authentication, then saves and starts syncing',
        body: Type.Object(
          {
            email: Email,
            providerId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            login: Type.Optional(Type.String({ maxLength: 320 })),
            password: Type.Optional(Password),
            ...settingsFields,
          },
          Strict,
        ),
        response: { 201: AccountRef, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await deps.accounts.create(actorOf(request), request.body)),
  );

  // `POST /api/v1/accounts/oauth/start {email, providerId}` and its callback: oauth.routes.ts.

  app.get(
    '/api/v1/accounts/:id',
    { schema: { tags, params: IdParams, response: { 200: AccountRef, ...errorResponses } } },
    async (request) => deps.accounts.get(actorOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/accounts/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: Type.Object({ ...settingsFields, enabled: Type.Optional(Type.Boolean()) }, Strict),
        response: { 200: AccountRef, ...errorResponses },
      },
    },
    async (request) => deps.accounts.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/accounts/:id',
    {
      schema: {
        tags,
        summary:
          'Stop syncing and erase the secret; keepMail=true keeps the downloaded mail readable as an archived account',
        params: IdParams,
        querystring: Type.Object({ keepMail: Type.Optional(Flag) }, Strict),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.accounts.delete(actorOf(request), request.params.id, {
        keepMail: request.query.keepMail === 'true',
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/accounts/:id/sync',
    {
      schema: {
        tags,
        summary:
          'Synchronise now (the "retry" action); verify=true compares the copy with the mail server in full and repairs it (status.lastVerifiedAt and status.drift report it)',
        params: IdParams,
        body: Type.Object({ verify: Type.Optional(Type.Boolean()) }, Strict),
        response: { 202: AccountRef, ...errorResponses },
      },
      // No body at all is the plain "synchronise now".
      preValidation: (request, _reply, done) => {
        request.body ??= {};
        done();
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await deps.accounts.syncNow(actorOf(request), request.params.id, { verify: request.body.verify === true })),
  );

  app.post(
    '/api/v1/accounts/:id/password',
    {
      schema: {
        tags,
        summary: 'Change the mailbox password: verified against the servers before it is stored',
        params: IdParams,
        body: Type.Object(
          { password: Password, login: Type.Optional(Type.String({ maxLength: 320 })) },
          Strict,
        ),
        response: { 200: AccountRef, ...errorResponses },
      },
    },
    async (request) => deps.accounts.changePassword(actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/accounts/:id/folders',
    {
      schema: {
        tags,
        summary: 'Folders known from the last sync; refresh=true lists them from the mail server',
        params: IdParams,
        querystring: Type.Object({ refresh: Type.Optional(Flag) }, Strict),
        response: { 200: ListOf(AccountFolderSchema), ...errorResponses },
      },
    },
    async (request) => ({
      items: await deps.accounts.folders(actorOf(request), request.params.id, {
        refresh: request.query.refresh === 'true',
      }),
    }),
  );

  app.get(
    '/api/v1/folders',
    {
      schema: {
        tags,
        summary:
          'The folders of every mailbox the caller may read, known from the last sync (one request for the whole panel)',
        response: { 200: ListOf(AccountFolderOfAll), ...errorResponses },
      },
    },
    async (request) => ({ items: await deps.accounts.foldersOfAll(actorOf(request)) }),
  );

  app.get(
    '/api/v1/accounts/:id/shares',
    { schema: { tags, params: IdParams, response: { 200: ListOf(AccountShareSchema), ...errorResponses } } },
    async (request) => ({ items: await deps.accounts.listShares(actorOf(request), request.params.id) }),
  );

  app.put(
    '/api/v1/accounts/:id/shares',
    {
      schema: {
        tags,
        summary: 'Replace who else may read, send through or manage this mailbox',
        params: IdParams,
        body: Type.Array(ShareInputSchema, { maxItems: 500 }),
        response: { 200: ListOf(AccountShareSchema), ...errorResponses },
      },
    },
    async (request) => ({
      items: await deps.accounts.replaceShares(actorOf(request), request.params.id, request.body),
    }),
  );

  app.get(
    '/api/v1/users/directory',
    {
      schema: {
        tags: ['users'],
        summary: 'Names and addresses of all users, for choosing whom to share a mailbox with',
        response: {
          200: ListOf(DirectoryUserSchema),
          ...errorResponses,
        },
      },
    },
    async () => ({ items: await deps.accounts.userDirectory() }),
  );
}
