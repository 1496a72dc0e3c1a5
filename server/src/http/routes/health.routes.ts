import { Type } from '@sinclair/typebox';
import type { App } from '../app.js';

export function healthRoutes(app: App, deps: { isReady: () => Promise<boolean> }) {
  const Status = Type.Object({ status: Type.String() });
  app.get('/healthz', { config: { public: true }, schema: { hide: true, response: { 200: Status } } }, () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { config: { public: true }, schema: { hide: true, response: { 200: Status, 503: Status } } },
    async (_req, reply) => ((await deps.isReady()) ? { status: 'ready' } : reply.status(503).send({ status: 'not ready' })),
  );
}
