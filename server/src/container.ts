// The composition root: builds the object graph with plain constructors. Each service gets
// only the repositories and helpers it uses. Nothing else constructs services.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';
import { createDatabase, isReady, migrateToLatest, type Db } from './db/database.js';
import { UsersRepository } from './db/repositories/users.repository.js';
import { SessionsRepository } from './db/repositories/sessions.repository.js';
import { ApiTokensRepository } from './db/repositories/api-tokens.repository.js';
import { SettingsRepository } from './db/repositories/settings.repository.js';
import { ProvidersRepository } from './db/repositories/providers.repository.js';
import { ProvidersService, type ProbeServers } from './services/providers.service.js';
import { SettingsService } from './services/settings.service.js';
import { providersRoutes } from './http/routes/providers.routes.js';
import { settingsRoutes } from './http/routes/settings.routes.js';
import { providerDiagnosticsRoutes } from './http/routes/provider-diagnostics.routes.js';
import { probeServers as probeMailServers, systemResolve } from './mail/diagnosis/probe.js';
import { DetectionService } from './services/detection/detection.service.js';
import { ProviderDiagnosticsService } from './services/detection/provider-diagnostics.service.js';
import { createDnsResolver } from './services/detection/dns.js';
import { guardResolve } from './services/detection/network-guard.js';
import { UntrustedProviderCheck, assertHostAllowed, hostIsPublicWith } from './services/provider-trust.js';
import type { DiagnoseOptions } from './mail/diagnosis/diagnose.js';
import { AccountsRepository } from './db/repositories/accounts.repository.js';
import { AccountAccess } from './services/account-access.js';
import { AccountsService } from './services/accounts.service.js';
import { accountsRoutes } from './http/routes/accounts.routes.js';
import { verifyAccountCredentials } from './mail/diagnosis/diagnose.js';
import { listServerFolders } from './mail/imap/client.js';
import { rm } from 'node:fs/promises';
import { MessageQueriesRepository } from './db/repositories/message-queries.repository.js';
import { MessageContentParser } from './services/message-content.js';
import { MessagesService } from './services/messages.service.js';
import { MessageSourceFetcher } from './services/message-source.js';
import { messagesRoutes } from './http/routes/messages.routes.js';
import { eventsRoutes } from './http/routes/events.routes.js';
import { stillSignedIn } from './http/auth.js';
import { UsersService } from './services/users.service.js';
import { AuthService } from './services/auth.service.js';
import { LoginThrottle } from './services/login-throttle.js';
import { SecretBox, loadSecretKey } from './lib/secret-box.js';
import { BlobStore } from './lib/blob-store.js';
import { EventBus } from './services/event-bus.js';
import { systemClock, type Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import { buildServer } from './http/server.js';
import { SyncAccountsRepository, type SyncAccount } from './db/repositories/sync-accounts.repository.js';
import { FoldersRepository } from './db/repositories/folders.repository.js';
import { MessagesRepository } from './db/repositories/messages.repository.js';
import { SyncEngine, defaultSyncEngineOptions, type SyncEngineOptions } from './sync/engine.js';
import { OutboxRepository } from './db/repositories/outbox.repository.js';
import { OutboxService } from './services/outbox/outbox.service.js';
import { OutboxWorker } from './services/outbox/outbox-worker.js';
import { ImapSentFolder } from './services/outbox/sent-folder.js';
import { outboxRoutes } from './http/routes/outbox.routes.js';
import { OAuthRepository } from './db/repositories/oauth.repository.js';
import { OAuthClient } from './services/oauth/oauth-client.js';
import { OAuthCredentials } from './services/oauth/oauth-credentials.js';
import { OAuthService } from './services/oauth/oauth.service.js';
import { oauthRoutes } from './http/routes/oauth.routes.js';
import { createCredentialSource } from './services/credential-source.js';
import type { App } from './http/app.js';
import { ScaleOut } from './scale/scale-out.js';

export interface Container {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  secrets: SecretBox;
  blobs: BlobStore;
  events: EventBus;
  repositories: {
    users: UsersRepository;
    sessions: SessionsRepository;
    apiTokens: ApiTokensRepository;
    settings: SettingsRepository;
    providers: ProvidersRepository;
    messageQueries: MessageQueriesRepository;
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
  /** leases, fencing, cross-process events (issue 8) */
  scale: ScaleOut;
  /** starts the sync engine (roles `all` and `worker`) */
  startBackground(): Promise<void>;
  stopBackground(): Promise<void>;
  /** stops background work and closes the database */
  close(): Promise<void>;
}

export interface ContainerOverrides {
  syncEngine?: SyncEngineOptions;
}

/** dist/web next to dist/server in a build; the same path from the sources in development. */
export const defaultWebDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

export async function createContainer(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
  overrides: ContainerOverrides = {},
): Promise<Container> {
  const db = createDatabase(config.database);
  await migrateToLatest(db);
  const secrets = new SecretBox(loadSecretKey(config.secretKey, config.dataDir));
  const blobs = new BlobStore(path.join(config.dataDir, 'blobs'));
  const events = new EventBus();

  const repositories = {
    users: new UsersRepository(db),
    sessions: new SessionsRepository(db),
    apiTokens: new ApiTokensRepository(db),
    settings: new SettingsRepository(db),
    providers: new ProvidersRepository(db),
    messageQueries: new MessageQueriesRepository(db),
  };
  const settingsService = new SettingsService(repositories.settings);
  const accountsRepository = new AccountsRepository(db);
  const accountAccess = new AccountAccess(accountsRepository);
  // What a user (not an admin) triggers obeys the private-network rule.
  const userResolve = guardResolve(systemResolve, config.allowPrivateNetworks);
  const probeServers: ProbeServers = (input, { byAdmin }) =>
    probeMailServers(input, {
      imapPorts: config.detection.imapPorts,
      smtpPorts: config.detection.smtpPorts,
      timeoutMs: config.detection.stepTimeoutMs,
      resolve: byAdmin ? systemResolve : userResolve,
    });
  const providersService = new ProvidersService(
    repositories.providers,
    settingsService,
    secrets,
    clock,
    probeServers,
    hostIsPublicWith(userResolve),
  );
  // Servers of a provider a user added (untrusted) are reached only through the guard, and
  // answers about them quote nothing the server said (review M1).
  const diagnoseOptionsFor = (provider: { trusted: boolean }): DiagnoseOptions =>
    provider.trusted ? {} : { resolve: userResolve, redactServerText: true };
  const untrustedCheck = new UntrustedProviderCheck({
    accounts: accountsRepository,
    providers: repositories.providers,
    guardedResolve: userResolve,
  });
  const detection = new DetectionService(
    {
      findProviderByDomain: (domain) => providersService.findByDomain(domain),
      // A little longer than a step, so the step's own timeout is what reports a silent server.
      resolver: createDnsResolver({
        servers: config.detection.dnsServers,
        timeoutMs: config.detection.stepTimeoutMs + 500,
      }),
      clock,
    },
    { ...config.detection, allowPrivateNetworks: config.allowPrivateNetworks },
  );
  const outboxRepository = new OutboxRepository(db);
  // OAuth 2.0 (issue 7): accounts of `oauth2` providers log in with an access token that is
  // refreshed before it expires; the sync engine and the outbox both ask for it here.
  const oauthRepository = new OAuthRepository(db);
  const oauthClient = new OAuthClient();
  const oauthCredentials = new OAuthCredentials({
    repository: oauthRepository,
    providers: repositories.providers,
    secrets,
    client: oauthClient,
    clock,
    logger: logger.child({ component: 'oauth' }),
    publish: (event) => events.publish(event),
  });
  // The one way to a mailbox login, for the sync engine, the outbox and the folder chooser alike.
  const credentials = createCredentialSource({ secrets, oauth: oauthCredentials });
  const imapCredentialsFor = async (account: SyncAccount) => {
    // Untrusted provider: its host must still resolve to a public address (provider-trust.ts).
    await untrustedCheck.assertAccountReachable(account.id, ['imap']);
    return credentials({ accountId: account.id, authMethod: account.auth_method, login: account.login, secret: account.secret });
  };
  const messagesService = new MessagesService(
    repositories.messageQueries,
    accountAccess,
    blobs,
    events,
    clock,
    new MessageContentParser({
      messages: new MessagesRepository(db),
      blobs,
      clock,
      logger,
      publish: (event) => events.publish(event),
    }),
    new MessageSourceFetcher({
      accounts: new SyncAccountsRepository(db),
      messages: new MessagesRepository(db),
      blobs,
      credentialsFor: imapCredentialsFor,
      clock,
      logger: logger.child({ component: 'message-source' }),
      publish: (event) => events.publish(event),
    }),
    // Built below; called only once requests run.
    { notifyPendingChanges: (id) => accountSync.notifyPendingChanges(id) },
  );
  const services = {
    // Deleting a user deletes their mailboxes through the accounts service first (built below;
    // called only once requests run).
    users: new UsersService(repositories.users, repositories.sessions, clock, async (owner) => {
      for (const { id } of await accountsRepository.listIdsOwnedBy(owner.id)) {
        await accountsService.delete(owner, id, { keepMail: false });
      }
    }),
    auth: new AuthService(
      repositories.users,
      repositories.sessions,
      repositories.apiTokens,
      new LoginThrottle(clock),
      clock,
      config.sessionTtlMs,
    ),
    settings: settingsService,
    providers: providersService,
    detection,
    providerDiagnostics: new ProviderDiagnosticsService(providersService, {}, { resolve: userResolve }),
    accountAccess,
    messages: messagesService,
    outbox: new OutboxService(
      outboxRepository,
      accountAccess,
      blobs,
      events,
      clock,
      () => outboxWorker.wake(),
      (id) => messagesService.completeById(id),
    ),
  };
  await services.users.bootstrapAdmin(config.admin, logger);
  // Scale-out (issue 8): on PostgreSQL the engine writes through a fenced connection and syncs
  // only the mailboxes whose leases this process holds.
  const scale = new ScaleOut({ config, db, events, logger });
  const sync = new SyncEngine(
    {
      accounts: new SyncAccountsRepository(scale.syncDb),
      folders: new FoldersRepository(scale.syncDb),
      messages: new MessagesRepository(scale.syncDb),
      blobs,
      events,
      clock,
      logger,
      credentialsFor: imapCredentialsFor,
      scale: scale.hooks,
    },
    overrides.syncEngine ?? defaultSyncEngineOptions,
  );
  scale.attach(sync);
  // Refresh requests also reach the worker holding the account when that is another process.
  const accountSync = scale.accountSync(sync);
  // Provider settings come from the registry (admins, or users the admin allowed, whose new
  // providers passed the private-network rule when they were probed).
  const accountsService = new AccountsService({
    accounts: accountsRepository,
    providers: repositories.providers,
    access: accountAccess,
    secrets,
    verifyCredentials: async (provider, credentials) => {
      await verifyAccountCredentials(provider, credentials, diagnoseOptionsFor(provider));
    },
    listServerFolders: async ({ provider, account }) => {
      if (!provider.trusted) await assertHostAllowed(userResolve, provider.imap.host);
      return (
        await listServerFolders(
          { ...provider.imap, tlsFingerprint: provider.tlsFingerprint },
          await credentials({ accountId: account.id, authMethod: provider.auth.method, login: account.login, secret: account.secret }),
          { logger },
        )
      ).filter((folder) => folder.selectable);
    },
    sync: accountSync,
    blobs: { remove: (sha256) => rm(blobs.pathFor(sha256), { force: true }) },
    clock,
    logger,
    publish: (event) => events.publish(event),
  });
  const outboxWorker = new OutboxWorker({
    outbox: outboxRepository,
    blobs,
    events,
    clock,
    logger: logger.child({ component: 'outbox' }),
    credentials: async (account) => {
      // Untrusted provider: its hosts must still resolve to public addresses (provider-trust.ts);
      // a refusal is retried like any passing failure (the name may be pointed back).
      await untrustedCheck.assertAccountReachable(account.accountId, ['smtp', 'imap']);
      return credentials(account);
    },
    sentFolder: new ImapSentFolder(logger),
    config: config.outbox,
    singleProcess: config.database.kind === 'sqlite',
    crashPoint: config.testCrashPoint,
    // The Sent copy reaches the panel through the sync engine: ask it to look now.
    afterSent: (accountId) => void accountSync.refreshAccount(accountId).catch(() => undefined),
    markAnswered: (messageId) => services.messages.markAnswered(messageId),
  });

  return {
    config,
    db,
    logger,
    clock,
    secrets,
    blobs,
    events,
    repositories,
    services: {
      ...services,
      accounts: accountsService,
      oauth: new OAuthService({
        repository: oauthRepository,
        providers: repositories.providers,
        accountsRepository,
        accounts: accountsService,
        access: accountAccess,
        secrets,
        client: oauthClient,
        verify: async (provider, credentials) => {
          await verifyAccountCredentials(provider, credentials, diagnoseOptionsFor(provider));
        },
        baseUrl: () => config.baseUrl,
        clock,
        logger: logger.child({ component: 'oauth' }),
      }),
    },
    sync,
    outboxWorker,
    scale,
    startBackground: async () => {
      scale.acquireWorker();
      await sync.start();
      await scale.startOwnership();
      outboxWorker.start();
    },
    stopBackground: async () => {
      await outboxWorker.stop();
      await scale.stopWorker();
      await sync.stop();
    },
    close: async () => {
      await outboxWorker.stop();
      await scale.stopWorker();
      await sync.stop();
      await scale.close();
      await db.destroy();
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
    secureCookies: c.config.baseUrl.startsWith('https://'),
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
