// The composition root: one small factory per module (server/src/modules/), called in the order
// their parameters say they depend on each other. Each service gets only what it uses, and
// services that call each other are handed to each other here, where a reader sees who calls whom.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';
import { isReady, type Db } from './db/database.js';
import type { MessageStore } from './db/message-store/message-store.js';
import type { ProvidersRepository } from './db/repositories/providers.repository.js';
import type { SettingsRepository } from './db/repositories/settings.repository.js';
import type { UsersRepository } from './db/repositories/users.repository.js';
import type { SessionsRepository } from './db/repositories/sessions.repository.js';
import type { ApiTokensRepository } from './db/repositories/api-tokens.repository.js';
import type { App } from './http/app.js';
import { stillSignedIn } from './http/auth.js';
import { accountsRoutes } from './http/routes/accounts.routes.js';
import { eventsRoutes } from './http/routes/events.routes.js';
import { messagesRoutes } from './http/routes/messages.routes.js';
import { oauthRoutes } from './http/routes/oauth.routes.js';
import { outboxRoutes } from './http/routes/outbox.routes.js';
import { providerDiagnosticsRoutes } from './http/routes/provider-diagnostics.routes.js';
import { providersRoutes } from './http/routes/providers.routes.js';
import { settingsRoutes } from './http/routes/settings.routes.js';
import { buildServer } from './http/server.js';
import type { BlobStore } from './lib/blob-store.js';
import { systemClock, type Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import type { SecretBox } from './lib/secret-box.js';
import { createAccessModule } from './modules/access.js';
import { createAccountsModule } from './modules/accounts.js';
import { createAuthModule } from './modules/auth.js';
import { createCore } from './modules/core.js';
import { createLoginsModule } from './modules/logins.js';
import { createMessageStoreModule } from './modules/message-store.js';
import { createMessagesService } from './modules/messages.js';
import { createOutboxModule } from './modules/outbox.js';
import { createProvidersModule } from './modules/providers.js';
import { createSyncModule } from './modules/sync.js';
import type { ScaleOut } from './scale/scale-out.js';
import type { AccountAccess } from './services/account-access.js';
import type { AccountsService } from './services/accounts.service.js';
import type { AuthService } from './services/auth.service.js';
import type { DetectionService } from './services/detection/detection.service.js';
import type { ProviderDiagnosticsService } from './services/detection/provider-diagnostics.service.js';
import type { EventBus } from './services/event-bus.js';
import type { HtmlTextBackfill } from './services/html-text-backfill.js';
import type { MessagesService } from './services/messages.service.js';
import type { OAuthService } from './services/oauth/oauth.service.js';
import type { OutboxCheckpoint, OutboxWorker } from './services/outbox/outbox-worker.js';
import type { OutboxService } from './services/outbox/outbox.service.js';
import type { ProvidersService } from './services/providers.service.js';
import type { SettingsService } from './services/settings.service.js';
import type { UsersService } from './services/users.service.js';
import type { SyncEngine, SyncEngineOptions } from './sync/engine.js';

export interface Container {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  secrets: SecretBox;
  blobs: BlobStore;
  events: EventBus;
  /** the panel's message store: every stored message, read and changed through it */
  messageStore: MessageStore;
  repositories: {
    users: UsersRepository;
    sessions: SessionsRepository;
    apiTokens: ApiTokensRepository;
    settings: SettingsRepository;
    providers: ProvidersRepository;
  };
  services: {
    users: UsersService;
    auth: AuthService;
    settings: SettingsService;
    providers: ProvidersService;
    detection: DetectionService;
    providerDiagnostics: ProviderDiagnosticsService;
    accountAccess: AccountAccess;
    accounts: AccountsService;
    messages: MessagesService;
    outbox: OutboxService;
    oauth: OAuthService;
  };
  sync: SyncEngine;
  outboxWorker: OutboxWorker;
  /** plain text for messages stored before HTML-only mail was rendered (runs with the background) */
  htmlTextBackfill: HtmlTextBackfill;
  /** leases, fencing, cross-process events */
  scale: ScaleOut;
  /** starts the sync engine (roles `all` and `worker`) */
  startBackground(): Promise<void>;
  stopBackground(): Promise<void>;
  /** stops background work and closes the database */
  close(): Promise<void>;
}

export interface ContainerOverrides {
  syncEngine?: SyncEngineOptions;
  /** called after each step of a send a crash must not undo (the outbox crash test stops there) */
  outboxCheckpoint?: (point: OutboxCheckpoint) => void;
}

/** dist/web next to dist/server in a build; the same path from the sources in development. */
export const defaultWebDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

export async function createContainer(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
  overrides: ContainerOverrides = {},
): Promise<Container> {
  const core = await createCore(config, logger, clock);
  const access = createAccessModule(core);
  const providers = createProvidersModule(core, access.accounts);
  const logins = createLoginsModule(core, providers);
  const stored = createMessageStoreModule(core);
  const sync = createSyncModule(core, stored, logins, overrides.syncEngine);
  const accounts = createAccountsModule(core, access, providers, logins, sync.accountSync);
  const messages = createMessagesService(core, stored, access, logins, sync.accountSync);
  const auth = await createAuthModule(core, accounts.service);
  const outbox = createOutboxModule(core, stored, messages, access, logins, sync.accountSync, overrides.outboxCheckpoint);
  const { scale, engine } = sync;

  const stopBackground = async () => {
    await stored.htmlTextBackfill.stop();
    await outbox.worker.stop();
    await scale.stopWorker();
    await engine.stop();
  };
  return {
    ...core,
    messageStore: stored.store,
    repositories: { ...auth.repositories, settings: providers.settingsRepository, providers: providers.repository },
    services: {
      users: auth.users,
      auth: auth.auth,
      settings: providers.settings,
      providers: providers.service,
      detection: providers.detection,
      providerDiagnostics: providers.diagnostics,
      accountAccess: access.access,
      accounts: accounts.service,
      messages,
      outbox: outbox.service,
      oauth: accounts.oauth,
    },
    sync: engine,
    outboxWorker: outbox.worker,
    htmlTextBackfill: stored.htmlTextBackfill,
    scale,
    startBackground: async () => {
      scale.acquireWorker();
      await engine.start();
      await scale.startOwnership();
      outbox.worker.start();
      stored.htmlTextBackfill.start();
    },
    stopBackground,
    close: async () => {
      await stopBackground();
      await scale.close();
      await core.db.destroy();
    },
  };
}

export function createHttpServer(c: Container, webDir: string | undefined = defaultWebDir): Promise<App> {
  return buildServer({
    logger: c.logger,
    auth: c.services.auth,
    users: c.services.users,
    isReady: () => isReady(c.db),
    webDir,
    https: c.config.baseUrl.startsWith('https://'),
    trustProxy: c.config.trustProxy,
    routes: [
      (app) => providersRoutes(app, { providers: c.services.providers }),
      (app) => providerDiagnosticsRoutes(app, { detection: c.services.detection, diagnostics: c.services.providerDiagnostics }),
      (app) => settingsRoutes(app, { settings: c.services.settings }),
      (app) => accountsRoutes(app, { accounts: c.services.accounts }),
      (app) => messagesRoutes(app, { messages: c.services.messages }),
      (app) =>
        eventsRoutes(app, {
          events: c.events,
          access: c.services.accountAccess,
          clock: c.clock,
          signedIn: (request) => stillSignedIn(c.services.auth, request),
          onSignOut: (listener) => c.services.auth.onSignOut(listener),
        }),
      (app) => outboxRoutes(app, { outbox: c.services.outbox }),
      (app) => oauthRoutes(app, { oauth: c.services.oauth, baseUrl: () => c.config.baseUrl }),
    ],
  });
}
