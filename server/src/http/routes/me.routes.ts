import { Type } from '@sinclair/typebox';
import type { App } from '../app.js';
import { actorOf, sessionCookieOf } from '../auth.js';
import { IdParams, ListOf, Strict, TokenInfo, errorResponses } from '../schemas.js';
import { PublicUserSchema, toPublicUser } from '../../domain/user.js';
import { RefTo } from '../../domain/schema.js';
import type { AuthService } from '../../services/auth.service.js';

export function meRoutes(app: App, deps: { auth: AuthService }) {
  app.get('/api/v1/me', { schema: { tags: ['me'], response: { 200: RefTo(PublicUserSchema), ...errorResponses } } }, (request) =>
    toPublicUser(actorOf(request)),
  );

  app.post(
    '/api/v1/me/password',
    {
      schema: {
        tags: ['me'],
        summary: "Change one's own password; ends one's other sessions",
        body: Type.Object(
          { currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Type.String({ minLength: 1, maxLength: 1024 }) },
          Strict,
        ),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.auth.changeOwnPassword(actorOf(request), request.body, { ip: request.ip, sessionToken: sessionCookieOf(request) });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/me/tokens',
    {
      config: { noStore: true },
      schema: {
        tags: ['me'],
        summary: 'Create an API token; the token is shown only in this response',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, Strict),
        response: {
          201: Type.Object({ id: Type.String(), name: Type.String(), token: Type.String(), createdAt: Type.String() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => reply.status(201).send(await deps.auth.createApiToken(actorOf(request), request.body.name)),
  );

  app.get('/api/v1/me/tokens', { schema: { tags: ['me'], response: { 200: ListOf(TokenInfo), ...errorResponses } } }, async (request) => ({
    items: await deps.auth.listApiTokens(actorOf(request)),
  }));

  app.delete(
    '/api/v1/me/tokens/:id',
    { schema: { tags: ['me'], params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await deps.auth.revokeApiToken(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
