// The HTTP adapter: Fastify with schemas on every route, the OpenAPI document generated
// from them, one error mapping, authentication, and the built web UI.
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from '../lib/logger.js';
import type { App } from './app.js';
import { authenticate, credentialCookies } from './auth.js';
import { errorBody, handleClientError, handleError, handleFrameworkError } from './errors.js';
import { sharedSchemas } from './schemas.js';
import { addSharedSchema, validatorCompiler } from './validation.js';
import { healthRoutes } from './routes/health.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { meRoutes } from './routes/me.routes.js';
import { usersRoutes } from './routes/users.routes.js';
import { registerWebUi, webUiExists } from './web-ui.js';
import type { AuthService } from '../services/auth.service.js';
import type { UsersService } from '../services/users.service.js';

export interface HttpDeps {
  logger: Logger;
  auth: AuthService;
  users: UsersService;
  isReady: () => Promise<boolean>;
  /** directory of the built web UI (index.html), if present */
  webDir: string | undefined;
  /** the base URL is https://: Secure `__Host-` cookies and Strict-Transport-Security */
  https: boolean;
  /** Fastify's trustProxy: whose X-Forwarded-For to believe for `request.ip` (MAILYARD_TRUST_PROXY) */
  trustProxy?: boolean | number | string[];
  /** extra route registrations (features add theirs in the composition root) */
  routes?: ((app: App) => void)[];
}

export const defaultBodyLimit = 1024 * 1024;
const hstsMaxAgeSeconds = 365 * 24 * 60 * 60;

/**
 * The policy of the web UI's pages. The reading pane shows mail in a sandboxed `srcdoc` frame,
 * and a srcdoc document is also bound by its parent's policy: its own (stricter) meta policy
 * decides what mail may load, but anything it allows must be allowed here too — inline styles,
 * data: fonts, data:/blob: inline images and, after "Show remote images", http(s) images.
 */
export const webContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https: http:",
  "font-src 'self' data:",
  "frame-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

export async function buildServer(deps: HttpDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: defaultBodyLimit,
    // Request ids make a user's "it failed at 10:32" findable in the logs.
    genReqId: () => crypto.randomUUID(),
    routerOptions: { maxParamLength: 1000 },
    // A hop count is what Fastify does at run time but its types lack: trust the nearest n hops.
    trustProxy: typeof deps.trustProxy === 'number' ? trustHops(deps.trustProxy) : (deps.trustProxy ?? false),
    // Errors raised by the router before any handler runs still get the contract's body.
    frameworkErrors: handleFrameworkError,
    // …and so do those of Node's HTTP parser, before there is a request at all.
    clientErrorHandler: handleClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(handleError);
  for (const schema of sharedSchemas) {
    addSharedSchema(schema);
    app.addSchema(schema);
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Mailyard API', version: '1', description: 'Connect, synchronise and send through IMAP/SMTP mailboxes.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: credentialCookies(deps.https).session },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(cookie);
  app.decorate('credentialCookies', credentialCookies(deps.https));

  app.addHook('onRequest', authenticate(deps.auth));
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    // A browser that reached the app over https once refuses plain http to it for a year.
    if (deps.https) void reply.header('strict-transport-security', `max-age=${hstsMaxAgeSeconds}`);
    // Responses with a CSRF or API token in them stay out of browser and proxy caches.
    if (request.routeOptions.config.noStore) void reply.header('cache-control', 'no-store');
    void reply.header('referrer-policy', 'no-referrer');
    // Stops other sites from framing the app; the reading pane's own srcdoc frame has no
    // response, so neither this nor frame-ancestors applies to it.
    void reply.header('x-frame-options', 'DENY');
    // Documents only: a policy on JSON or scripts does nothing.
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && /^text\/html\b/i.test(type) && !reply.hasHeader('content-security-policy')) {
      void reply.header('content-security-policy', webContentSecurityPolicy);
    }
    return payload;
  });

  healthRoutes(app, { isReady: deps.isReady });
  authRoutes(app, { auth: deps.auth, users: deps.users });
  meRoutes(app, { auth: deps.auth });
  usersRoutes(app, { users: deps.users, auth: deps.auth });
  for (const register of deps.routes ?? []) register(app);

  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, () => app.swagger());

  if (webUiExists(deps.webDir)) await registerWebUi(app, deps.webDir);
  app.setNotFoundHandler((request, reply) => {
    // Client-side routes of the single-page app get index.html; unknown API paths get JSON.
    if (request.method === 'GET' && !request.url.startsWith('/api/') && webUiExists(deps.webDir)) {
      return reply.sendFile('index.html');
    }
    return reply.status(404).send(errorBody('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });

  return app;
}
