import { Type } from '@sinclair/typebox';
import type { App } from '../app.js';
import { actorOf } from '../auth.js';
import { Email, IdParams, ListOf, Strict, errorResponses } from '../schemas.js';
import { PublicUserSchema, userRoles } from '../../domain/user.js';
import { RefTo } from '../../domain/schema.js';
import type { UsersService } from '../../services/users.service.js';

const Role = Type.Union(userRoles.map((r) => Type.Literal(r)));

export function usersRoutes(app: App, deps: { users: UsersService }) {
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
}
