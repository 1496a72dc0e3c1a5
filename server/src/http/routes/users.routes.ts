import { Type } from '@sinclair/typebox';
import type { App } from '../app.js';
import { actorOf } from '../auth.js';
import { Email, IdParams, ListOf, Strict, TokenInfo, errorResponses } from '../schemas.js';
import { PublicUserSchema, userRoles } from '../../domain/user.js';
import { RefTo } from '../../domain/schema.js';
import type { UsersService } from '../../services/users.service.js';
import type { AuthService } from '../../services/auth.service.js';

const Role = Type.Union(userRoles.map((r) => Type.Literal(r)));

const UserTokenParams = Type.Object({ id: IdParams.properties.id, tokenId: IdParams.properties.id });

export function usersRoutes(app: App, deps: { users: UsersService; auth: AuthService }) {
  app.get('/api/v1/users', { schema: { tags: ['users'], response: { 200: ListOf(RefTo(PublicUserSchema)), ...errorResponses } } }, async (request) => ({
    items: await deps.users.list(actorOf(request)),
  }));

  app.post(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        body: Type.Object(
          {
            email: Email,
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            name: Type.String({ maxLength: 200 }),
            role: Role,
          },
          Strict,
        ),
        response: { 201: RefTo(PublicUserSchema), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await deps.users.create(actorOf(request), request.body)),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ maxLength: 200 })),
            role: Type.Optional(Role),
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
          },
          Strict,
        ),
        response: { 200: RefTo(PublicUserSchema), ...errorResponses },
      },
    },
    async (request) => deps.users.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/users/:id',
    { schema: { tags: ['users'], params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await deps.users.delete(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/users/:id/tokens',
    { schema: { tags: ['users'], summary: "A user's API tokens (admin)", params: IdParams, response: { 200: ListOf(TokenInfo), ...errorResponses } } },
    async (request) => ({ items: await deps.auth.listUserApiTokens(actorOf(request), request.params.id) }),
  );

  app.delete(
    '/api/v1/users/:id/tokens/:tokenId',
    { schema: { tags: ['users'], summary: "Revoke a user's API token (admin)", params: UserTokenParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await deps.auth.revokeUserApiToken(actorOf(request), request.params.id, request.params.tokenId);
      return reply.status(204).send(null);
    },
  );
}
