// A `worker` process serves no API or UI, but still answers /healthz and /readyz on its port so
// an orchestrator can check it.
import Fastify, { LogController } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from '../lib/logger.js';
import type { App } from './app.js';
import { healthRoutes } from './routes/health.routes.js';

export function buildHealthServer(logger: Logger, isReady: () => Promise<boolean>): App {
  const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) }).withTypeProvider<TypeBoxTypeProvider>();
  healthRoutes(app, { isReady });
  return app;
}
