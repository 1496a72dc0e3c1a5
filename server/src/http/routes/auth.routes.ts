import { Type } from '@sinclair/typebox';
import type { App } from '../app.js';
import { actorOf, sessionCookieOf } from '../auth.js';
import { Strict, errorResponses } from '../schemas.js';
import { PublicUserSchema, toPublicUser } from '../../domain/user.js';
import { RefTo } from '../../domain/schema.js';
import type { AuthService } from '../../services/auth.service.js';
import type { UsersService } from '../../services/users.service.js';
import { Email } from '../schemas.js';

const deviceCookieMaxAgeSeconds = 365 * 24 * 60 * 60;

const SessionResponse = Type.Object({ user: RefTo(PublicUserSchema), csrfToken: Type.String() });

export function authRoutes(app: App, deps: { auth: AuthService; users: UsersService }) {
  const cookies = app.credentialCookies;
  app.get(
    '/api/v1/setup',
    { config: { public: true }, schema: { tags: ['auth'], summary: 'Whether the first admin still has to be created', response: { 200: Type.Object({ needed: Type.Boolean() }) } } },
    async () => ({ needed: await deps.users.setupNeeded() }),
  );

  app.post(
    '/api/v1/setup',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'First-run setup: create the first admin (only while no user exists)',
        body: Type.Object(
          { email: Email, password: Type.String({ minLength: 1, maxLength: 1024 }), name: Type.String({ maxLength: 200 }) },
          Strict,
        ),
        response: { 201: RefTo(PublicUserSchema), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await deps.users.setupFirstAdmin(request.body)),
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true, noStore: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the session cookie',
        body: Type.Object(
          { email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
          Strict,
        ),
        response: { 200: SessionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const login = await deps.auth.login(request.body.email, request.body.password, {
        ip: request.ip,
        deviceCookie: request.cookies[cookies.device],
      });
      const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure: cookies.secure } as const;
      void reply.setCookie(cookies.session, login.sessionToken, { ...cookieOptions, expires: new Date(login.expiresAt) });
      void reply.setCookie(cookies.device, login.deviceCookie, { ...cookieOptions, maxAge: deviceCookieMaxAgeSeconds });
      return { user: login.user, csrfToken: login.csrfToken };
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      config: { noStore: true },
      schema: { tags: ['auth'], summary: 'The current session and its CSRF token', response: { 200: SessionResponse, ...errorResponses } },
    },
    (request) => ({ user: toPublicUser(actorOf(request)), csrfToken: request.csrfToken ?? '' }),
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out', response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      const cookie = sessionCookieOf(request);
      if (cookie) await deps.auth.logout(cookie);
      void reply.clearCookie(cookies.session, { path: '/', secure: cookies.secure });
      return reply.status(204).send(null);
    },
  );
}
