// A real Mailyard (container + HTTP server on a loopback port) for integration tests, on
// either dialect, with a signed-in API client.
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.js';
import { createContainer, createHttpServer, type Container } from '../../src/container.js';
import type { SyncEngineOptions } from '../../src/sync/engine.js';
import { createLogger } from '../../src/lib/logger.js';
import type { App } from '../../src/http/app.js';
import { createTestDatabase, type TestDialect } from './database.js';
import { ApiClient } from './api-client.js';

export const adminEmail = 'admin@mailyard.test';
export const adminPassword = 'admin-password-1';

export interface TestApp {
  container: Container;
  app: App;
  baseUrl: string;
  /** every log line the app wrote, for "no secret in the logs" assertions */
  logLines: string[];
  /** a client signed in as the bootstrapped admin */
  admin: ApiClient;
  /** a new client, not signed in */
  client(): ApiClient;
  /** creates a user (through the admin API) and returns a client signed in as them */
  createUser(opts?: { role?: 'admin' | 'user'; name?: string }): Promise<ApiClient>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  configure?: (config: Config) => Config;
  webDir?: string;
  /** start background work (the sync engine), as the `all` role does */
  background?: boolean;
  /** start like a fresh installation: no admin from the environment, `admin` not signed in */
  firstRun?: boolean;
  /** sync engine timings for tests (short poll intervals, timeouts) */
  syncEngine?: SyncEngineOptions;
}

let userCounter = 0;

export async function startTestApp(dialect: TestDialect, options: TestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase(dialect);
  const base = loadConfig({
    MAILYARD_DATA_DIR: db.dataDir,
    ...(!options.firstRun && { MAILYARD_ADMIN_EMAIL: adminEmail, MAILYARD_ADMIN_PASSWORD: adminPassword }),
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
    ...options.env,
  });
  const config = (options.configure ?? ((c) => c))({ ...base, database: db.database });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const container = await createContainer(config, createLogger(config.logLevel, sink), undefined, { syncEngine: options.syncEngine });
  const app = await createHttpServer(container, options.webDir ?? '');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server did not bind a TCP port');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  container.config.baseUrl = baseUrl;
  if (options.background) await container.startBackground();

  const admin = new ApiClient(baseUrl);
  if (!options.firstRun) await admin.login(adminEmail, adminPassword);

  return {
    container,
    app,
    baseUrl,
    logLines,
    admin,
    client: () => new ApiClient(baseUrl),
    async createUser(opts = {}) {
      userCounter += 1;
      const email = `user${userCounter}-${Date.now()}@mailyard.test`;
      const password = `password-${userCounter}-secret`;
      await admin.post('/api/v1/users', { email, password, name: opts.name ?? `User ${userCounter}`, role: opts.role ?? 'user' }).expect(201);
      const client = new ApiClient(baseUrl);
      await client.login(email, password);
      return client;
    },
    async close() {
      await app.close();
      await container.close();
      await db.cleanup();
    },
  };
}
