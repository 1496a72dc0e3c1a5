// Entry point: read config, build the object graph, start the role.
import { ConfigError, loadConfig } from './config.js';
import { createContainer, createHttpServer } from './container.js';
import { createLogger } from './lib/logger.js';
import { isReady } from './db/database.js';
import { buildHealthServer } from './http/health-server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`mailyard: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const container = await createContainer(config, logger);
  // A worker serves only its health checks; `api` and `all` serve the API and the UI.
  const app =
    config.role === 'worker'
      ? buildHealthServer(logger, () => isReady(container.db))
      : await createHttpServer(container);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await container.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  // On PostgreSQL every role joins the cross-process live events (a no-op on SQLite).
  await container.scale.startEvents();
  if (config.role !== 'api') await container.startBackground();
  logger.info({ url: config.baseUrl, role: config.role, database: config.database.kind }, 'Mailyard is running');
}

main().catch((error: unknown) => {
  console.error('mailyard: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
