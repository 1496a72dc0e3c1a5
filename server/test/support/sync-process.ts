// Runs Mailyard's sync engine alone in its own process (for kill -9 tests and the benchmark):
//   node --import tsx server/test/support/sync-process.ts
// with DATABASE_URL and MAILYARD_DATA_DIR in the environment (the same variables as Mailyard).
// Prints "starting <epoch ms>" just before the engine starts and "ready" once it has; SIGTERM
// stops it cleanly.
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { createLogger } from '../../src/lib/logger.js';

const config = loadConfig(process.env);
const container = await createContainer(
  config,
  createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr),
);
process.stdout.write(`starting ${Date.now()}\n`);
await container.startBackground();
process.stdout.write('ready\n');
// With no account to sync nothing else keeps the event loop alive.
const keepAlive = setInterval(() => undefined, 60_000);

process.once('SIGTERM', () => {
  clearInterval(keepAlive);
  void container.close().then(() => process.exit(0));
});
