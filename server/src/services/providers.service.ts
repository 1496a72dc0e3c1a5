// The provider registry (docs/product.md "Provider") and the domain lookup. Only the two hosts are
// required: ports and security the admin left open are filled in by probing the servers, else
// by the defaults (993 TLS, 465 TLS).
import { AppError, forbidden, notFound, validationFailed } from '../domain/errors.js';
import {
  canonicalDomain,
  canonicalFingerprint,
  canonicalHost,
  defaultEndpoints,
  defaultProviderName,
  formatScopes,
  oauthPresetForHost,
  providerVisibleTo,
  securityForPort,
  standardPorts,
  toProvider,
  type AuthMethod,
  type LoginFormat,
  type Provider,
  type ProviderRecord,
  type SecurityMode,
  type ServerEndpoint,
  type ServiceType,
  type DomainEntry,
} from '../domain/provider.js';
import type { Actor } from '../domain/user.js';
import { checkedName } from '../domain/names.js';
import type { ProviderRow } from '../db/schema.js';
import {
  isForeignKeyViolation,
  isUniqueViolation,
  type ProviderRowUpdate,
  type ProvidersRepository,
} from '../db/repositories/providers.repository.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import type { SettingsService } from './settings.service.js';

type Protocol = 'imap' | 'smtp';

export interface ProbeInput {
  imapHost: string;
  smtpHost: string;
  tlsFingerprint?: string;
}

export interface ProbeResult {
  imap?: { port: number; security: SecurityMode };
  smtp?: { port: number; security: SecurityMode };
}

/**
 * Finds which ports and security the servers answer on (mail/diagnosis/probe.ts). `byAdmin`
 * says who asked: a probe a user triggered must not reach private networks unless allowed.
 */
export type ProbeServers = (input: ProbeInput, context: { byAdmin: boolean }) => Promise<ProbeResult>;

/**
 * The private-network rule for a host a user typed: false when it resolves only to private or
 * local addresses (loopback, RFC 1918, link-local, …) and the admin has not allowed private
 * networks. A host that does not resolve at all is not refused here (the defaults apply, and the
 * guard checks again whenever Mailyard connects).
 */
export type HostIsPublic = (host: string) => Promise<boolean>;

export interface EndpointInput {
  host: string;
  port?: number;
  security?: SecurityMode;
}

export interface AuthInput {
  method?: AuthMethod;
  clientId?: string | null;
  /** write-only; null removes it */
  clientSecret?: string | null;
  authorizationUrl?: string | null;
  tokenUrl?: string | null;
  scopes?: string[];
}

export interface CreateProviderInput {
  /** defaults to the IMAP host's domain */
  name?: string;
  serviceType?: ServiceType;
  imap: EndpointInput;
  smtp: EndpointInput;
  loginFormat?: LoginFormat;
  auth?: AuthInput;
  domains?: string[];
  allowReceive?: boolean;
  allowSend?: boolean;
  tlsFingerprint?: string | null;
  notes?: string | null;
}

export interface UpdateProviderInput {
  name?: string;
  serviceType?: ServiceType;
  imap?: Partial<EndpointInput>;
  smtp?: Partial<EndpointInput>;
  loginFormat?: LoginFormat;
  auth?: AuthInput;
  /** replaces the provider's domains */
  domains?: string[];
  allowReceive?: boolean;
  allowSend?: boolean;
  tlsFingerprint?: string | null;
  notes?: string | null;
}


/** The columns of the auth part, checked as a whole (OAuth needs client ID, secret and endpoints). */
type AuthColumns = Pick<
  ProviderRecord,
  'auth_method' | 'oauth_client_id' | 'oauth_client_secret' | 'oauth_authorization_url' | 'oauth_token_url' | 'oauth_scopes'
>;

const bool = (value: boolean): number => (value ? 1 : 0);

export class ProvidersService {
  constructor(
    private readonly providers: ProvidersRepository,
    private readonly settings: SettingsService,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
    private readonly probe: ProbeServers,
    private readonly hostIsPublic: HostIsPublic,
  ) {}

  /** The providers `actor` may see (providerVisibleTo). */
  async list(actor: Actor): Promise<Provider[]> {
    const [rows, domains] = await Promise.all([this.providers.list(), this.providers.listAllDomains()]);
    const byProvider = new Map<string, string[]>();
    for (const d of domains)
      byProvider.set(d.providerId, [...(byProvider.get(d.providerId) ?? []), d.domain]);
    return rows.filter((row) => providerVisibleTo(actor, row)).map((row) => toProvider(row, byProvider.get(row.id) ?? []));
  }

  /** A provider `actor` may see; one they may not is not found, like one that does not exist. */
  async get(actor: Actor, id: string): Promise<Provider> {
    const row = await this.providers.findById(id);
    if (!row || !providerVisibleTo(actor, row)) throw notFound('Provider');
    return toProvider(row, await this.providers.listDomains(id));
  }

  async create(actor: Actor, input: CreateProviderInput): Promise<Provider> {
    await this.requireMayCreate(actor);
    const byAdmin = actor.role === 'admin';
    const imapHost = canonicalHost(input.imap.host, 'imap.host');
    const smtpHost = canonicalHost(input.smtp.host, 'smtp.host');
    if (!byAdmin) await this.checkUserProvider(input, [imapHost, smtpHost]);
    const tlsFingerprint = input.tlsFingerprint ? canonicalFingerprint(input.tlsFingerprint) : null;
    const domains = canonicalDomains(input.domains ?? []);
    const explicitName = input.name === undefined ? undefined : checkName(input.name);
    const auth = this.authColumns(input.auth ?? {}, undefined, imapHost);

    const endpoints = await this.completeEndpoints(
      { ...input.imap, host: imapHost },
      { ...input.smtp, host: smtpHost },
      tlsFingerprint,
      byAdmin,
    );

    const now = this.clock.now();
    const id = newId();
    await this.conflictsAsErrors(
      () =>
        this.providers.transaction(async (repo) => {
          const name = explicitName ?? (await uniqueDefaultName(repo, defaultProviderName(imapHost)));
          await assertNameFree(repo, name, undefined);
          await assertDomainsFree(repo, domains, undefined);
          await repo.insert({
            id,
            name,
            service_type: input.serviceType ?? 'imap',
            imap_host: imapHost,
            imap_port: endpoints.imap.port,
            imap_security: endpoints.imap.security,
            smtp_host: smtpHost,
            smtp_port: endpoints.smtp.port,
            smtp_security: endpoints.smtp.security,
            login_format: input.loginFormat ?? 'email',
            ...auth,
            allow_receive: bool(input.allowReceive ?? true),
            allow_send: bool(input.allowSend ?? true),
            tls_fingerprint: tlsFingerprint,
            notes: cleanNotes(input.notes),
            created_by: actor.id,
            trusted: bool(byAdmin),
            created_at: now,
            updated_at: now,
          });
          for (const domain of domains) await repo.addDomain(domain, id, now);
        }),
      async () => {
        if (explicitName !== undefined) await assertNameFree(this.providers, explicitName, undefined);
        await assertDomainsFree(this.providers, domains, undefined);
      },
    );
    return this.get(actor, id);
  }

  async update(actor: Actor, id: string, input: UpdateProviderInput): Promise<Provider> {
    requireAdmin(actor);
    const row = await this.providers.findById(id);
    if (!row) throw notFound('Provider');

    const now = this.clock.now();
    // An admin who edits a provider a user added has reviewed it: from now on it is treated like
    // the admin's own (domains may be learned, no private-network guard).
    const changes: ProviderRowUpdate = { updated_at: now, trusted: 1 };
    const name = input.name === undefined ? undefined : checkName(input.name);
    if (name !== undefined) changes.name = name;
    if (input.serviceType !== undefined) changes.service_type = input.serviceType;
    if (input.imap)
      Object.assign(changes, prefixed('imap', mergeEndpoint('imap', endpointOf(row, 'imap'), input.imap)));
    if (input.smtp)
      Object.assign(changes, prefixed('smtp', mergeEndpoint('smtp', endpointOf(row, 'smtp'), input.smtp)));
    if (input.loginFormat !== undefined) changes.login_format = input.loginFormat;
    if (input.auth)
      Object.assign(changes, this.authColumns(input.auth, row, changes.imap_host ?? row.imap_host));
    if (input.allowReceive !== undefined) changes.allow_receive = bool(input.allowReceive);
    if (input.allowSend !== undefined) changes.allow_send = bool(input.allowSend);
    if (input.tlsFingerprint !== undefined)
      changes.tls_fingerprint = input.tlsFingerprint ? canonicalFingerprint(input.tlsFingerprint) : null;
    if (input.notes !== undefined) changes.notes = cleanNotes(input.notes);
    const domains = input.domains === undefined ? undefined : canonicalDomains(input.domains);

    await this.conflictsAsErrors(
      () =>
        this.providers.transaction(async (repo) => {
          if (name !== undefined) await assertNameFree(repo, name, id);
          await repo.update(id, changes);
          if (domains !== undefined) {
            await assertDomainsFree(repo, domains, id);
            const current = new Set(await repo.listDomains(id));
            for (const domain of current) if (!domains.includes(domain)) await repo.removeDomain(domain);
            for (const domain of domains) if (!current.has(domain)) await repo.addDomain(domain, id, now);
          }
        }),
      async () => {
        if (name !== undefined) await assertNameFree(this.providers, name, id);
        await assertDomainsFree(this.providers, domains ?? [], id);
      },
    );
    return this.get(actor, id);
  }

  /** docs/product.md, flow 3: a provider that still has mailboxes is not deleted; the answer lists them. */
  async delete(actor: Actor, id: string): Promise<void> {
    requireAdmin(actor);
    const row = await this.providers.findById(id);
    if (!row) throw notFound('Provider');
    await this.assertUnused(row);
    try {
      await this.providers.delete(id);
    } catch (error) {
      // A mailbox was added between the check and the delete.
      if (isForeignKeyViolation(error)) await this.assertUnused(row);
      throw error;
    }
  }

  async listDomains(): Promise<DomainEntry[]> {
    return this.providers.listAllDomains();
  }

  /**
   * Adds a domain to the lookup. 'system' is the add-account wizard recording the provider a
   * user chose by hand. Adding a domain its provider already has changes nothing (`created` false).
   */
  async assignDomain(
    actor: Actor | 'system',
    input: { domain: string; providerId: string },
  ): Promise<DomainEntry & { created: boolean }> {
    if (actor !== 'system') requireAdmin(actor);
    const domain = canonicalDomain(input.domain);
    const provider = await this.providers.findById(input.providerId);
    if (!provider) throw validationFailed({ providerId: 'no provider has this id' });
    const existing = await this.providers.findDomain(domain);
    if (existing) {
      if (existing.providerId !== provider.id) throw domainTaken(existing);
      return { ...existing, created: false };
    }
    await this.conflictsAsErrors(
      () => this.providers.addDomain(domain, provider.id, this.clock.now()),
      () => assertDomainsFree(this.providers, [domain], provider.id),
    );
    return { domain, providerId: provider.id, providerName: provider.name, created: true };
  }

  async removeDomain(actor: Actor, input: string): Promise<void> {
    requireAdmin(actor);
    const domain = canonicalDomain(input);
    if (!(await this.providers.removeDomain(domain))) throw notFound('Domain');
  }

  /** The domain lookup itself (detection step 1). */
  async findByDomain(input: string): Promise<Provider | undefined> {
    const row = await this.providers.findProviderByDomain(canonicalDomain(input));
    return row ? toProvider(row, await this.providers.listDomains(row.id)) : undefined;
  }

  /** The decrypted client secret, for the OAuth flow only (never for the API). */
  async clientSecretOf(id: string): Promise<string | undefined> {
    const row = await this.providers.findById(id);
    return row?.oauth_client_secret ? this.secrets.decrypt(row.oauth_client_secret) : undefined;
  }

  /**
   * A provider a user adds points Mailyard at a server of the user's choosing, so:
   * no domains (the lookup would send other people's logins there), no OAuth (Mailyard would
   * fetch URLs the user chose), and no host on a private network unless the admin allows them.
   */
  private async checkUserProvider(input: CreateProviderInput, hosts: string[]): Promise<void> {
    if (input.domains !== undefined && input.domains.length > 0) {
      throw validationFailed({
        domains: 'only administrators assign domains; leave this empty',
      });
    }
    if (input.auth !== undefined && (input.auth.method ?? 'basic') !== 'basic') {
      throw forbidden(
        'Only administrators can add providers that sign in with OAuth 2.0; choose password sign-in or ask an administrator',
      );
    }
    for (const host of new Set(hosts)) {
      if (!(await this.hostIsPublic(host))) {
        throw new AppError(
          'private_network_refused',
          `${host} is on a private or local network, which Mailyard does not contact on a user's behalf; ask an administrator to add this server`,
          { host },
        );
      }
    }
  }

  private async requireMayCreate(actor: Actor): Promise<void> {
    if (actor.role === 'admin') return;
    if (!(await this.settings.allowUsersToAddProviders())) {
      throw forbidden(
        'Only administrators can add email providers (an administrator can allow users to add them in Settings)',
      );
    }
  }

  private async assertUnused(row: ProviderRow): Promise<void> {
    const accounts = await this.providers.listAccountsUsing(row.id);
    if (accounts.length === 0) return;
    const count = accounts.length === 1 ? '1 mailbox' : `${accounts.length} mailboxes`;
    throw new AppError(
      'provider_in_use',
      `The provider "${row.name}" still has ${count}: delete all its mailboxes first`,
      {
        accounts,
      },
    );
  }

  /** Fills port and security: what the admin chose, else what the servers answer on, else defaults. */
  private async completeEndpoints(
    imap: EndpointInput,
    smtp: EndpointInput,
    tlsFingerprint: string | null,
    byAdmin: boolean,
  ): Promise<{ imap: ServerEndpoint; smtp: ServerEndpoint }> {
    const open = (e: EndpointInput) => e.port === undefined && e.security === undefined;
    let probed: ProbeResult = {};
    if (open(imap) || open(smtp)) {
      try {
        probed = await this.probe(
          { imapHost: imap.host, smtpHost: smtp.host, ...(tlsFingerprint && { tlsFingerprint }) },
          { byAdmin },
        );
      } catch {
        // An unreachable server is no reason to refuse the provider: the defaults apply, and the
        // connection test tells the admin what is wrong.
        probed = {};
      }
    }
    return {
      imap: completeEndpoint('imap', imap, probed.imap),
      smtp: completeEndpoint('smtp', smtp, probed.smtp),
    };
  }

  private authColumns(input: AuthInput, row: ProviderRow | undefined, imapHost: string): AuthColumns {
    const method = input.method ?? row?.auth_method ?? 'basic';
    if (method === 'basic') {
      // Basic needs none of the OAuth settings; keeping a stale secret around helps nobody.
      return {
        auth_method: 'basic',
        oauth_client_id: null,
        oauth_client_secret: null,
        oauth_authorization_url: null,
        oauth_token_url: null,
        oauth_scopes: null,
      };
    }
    const pick = (value: string | null | undefined, stored: string | null | undefined) =>
      value === undefined ? (stored ?? null) : value === null || value.trim() === '' ? null : value.trim();
    const clientId = pick(input.clientId, row?.oauth_client_id);
    const secretInput = input.clientSecret;
    const clientSecret =
      secretInput === undefined || secretInput === ''
        ? (row?.oauth_client_secret ?? null)
        : secretInput === null
          ? null
          : this.secrets.encrypt(secretInput);
    const preset = oauthPresetForHost(imapHost);
    let authorizationUrl = pick(input.authorizationUrl, row?.oauth_authorization_url);
    let tokenUrl = pick(input.tokenUrl, row?.oauth_token_url);
    let scopes = input.scopes === undefined ? (row?.oauth_scopes ?? null) : formatScopes(input.scopes);
    if (preset) {
      authorizationUrl ??= preset.authorizationUrl;
      tokenUrl ??= preset.tokenUrl;
      scopes ??= formatScopes(preset.scopes);
    }

    const fields: Record<string, string> = {};
    if (!clientId) fields['auth.clientId'] = 'is required for OAuth 2.0';
    if (!clientSecret) fields['auth.clientSecret'] = 'is required for OAuth 2.0';
    const urlProblem = (url: string | null) => {
      if (!url) return 'is required for OAuth 2.0 (filled in automatically only for Google and Microsoft)';
      // The client secret, the sign-in code and the tokens travel over these: never in clear text.
      return isHttpsUrl(url) ? undefined : 'must be an https:// URL';
    };
    const authProblem = urlProblem(authorizationUrl);
    if (authProblem) fields['auth.authorizationUrl'] = authProblem;
    const tokenProblem = urlProblem(tokenUrl);
    if (tokenProblem) fields['auth.tokenUrl'] = tokenProblem;
    if (scopes?.split(' ').some((s) => /[\s"\\]/.test(s)))
      fields['auth.scopes'] = 'each scope is one word without spaces or quotes';
    if (Object.keys(fields).length > 0) throw validationFailed(fields);

    return {
      auth_method: 'oauth2',
      oauth_client_id: clientId,
      oauth_client_secret: clientSecret,
      oauth_authorization_url: authorizationUrl,
      oauth_token_url: tokenUrl,
      oauth_scopes: scopes,
    };
  }

  /** A unique violation means a concurrent request took the name or a domain: `recheck` says which. */
  private async conflictsAsErrors<T>(work: () => Promise<T>, recheck: () => Promise<void>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await recheck();
      throw new AppError('conflict', 'Another change to the providers happened at the same time; try again');
    }
  }
}

function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw forbidden('Only administrators can change email providers');
}

function checkName(input: string): string {
  const name = checkedName(input);
  if (name === '') throw validationFailed({ name: 'must not be empty' });
  return name;
}

function cleanNotes(notes: string | null | undefined): string | null {
  const trimmed = notes?.trim();
  return trimmed ? trimmed : null;
}

function canonicalDomains(inputs: string[]): string[] {
  return [...new Set(inputs.map((input) => canonicalDomain(input, 'domains')))];
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}

function domainTaken(owner: DomainEntry): AppError {
  return new AppError(
    'domain_taken',
    `The domain ${owner.domain} already belongs to the provider "${owner.providerName}"`,
    {
      domain: owner.domain,
      providerId: owner.providerId,
      providerName: owner.providerName,
    },
  );
}

async function assertNameFree(
  repo: ProvidersRepository,
  name: string,
  selfId: string | undefined,
): Promise<void> {
  const existing = await repo.findByName(name);
  if (existing && existing.id !== selfId) {
    throw new AppError('provider_exists', `A provider named "${existing.name}" already exists`, {
      fields: { name: 'already in use' },
      providerId: existing.id,
    });
  }
}

async function assertDomainsFree(
  repo: ProvidersRepository,
  domains: string[],
  selfId: string | undefined,
): Promise<void> {
  for (const domain of domains) {
    const owner = await repo.findDomain(domain);
    if (owner && owner.providerId !== selfId) throw domainTaken(owner);
  }
}

/** "example.com", else "example.com (2)", … : a name the admin did not type never fails the create. */
async function uniqueDefaultName(repo: ProvidersRepository, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base} (${n})`;
    if (!(await repo.findByName(candidate))) return candidate;
  }
}

function completeEndpoint(
  protocol: Protocol,
  input: EndpointInput,
  probed: ProbeResult[Protocol],
): ServerEndpoint {
  const { host, port, security } = input;
  if (port !== undefined && security !== undefined) return { host, port, security };
  if (port !== undefined) return { host, port, security: securityForPort(protocol, port) ?? 'tls' };
  if (security !== undefined) return { host, port: standardPorts[protocol][security], security };
  return { host, ...(probed ?? defaultEndpoints[protocol]) };
}

function endpointOf(row: ProviderRow, protocol: Protocol): ServerEndpoint {
  return protocol === 'imap'
    ? { host: row.imap_host, port: row.imap_port, security: row.imap_security }
    : { host: row.smtp_host, port: row.smtp_port, security: row.smtp_security };
}

/**
 * A partial change of one server. A new port alone brings its usual security (143 → STARTTLS);
 * a new security alone moves a well-known port to its counterpart (993 → 143) and keeps a custom one.
 */
function mergeEndpoint(
  protocol: Protocol,
  current: ServerEndpoint,
  change: Partial<EndpointInput>,
): ServerEndpoint {
  const host = change.host === undefined ? current.host : canonicalHost(change.host, `${protocol}.host`);
  const wellKnown = (Object.values(standardPorts[protocol]) as number[]).includes(current.port);
  const port =
    change.port ??
    (change.security !== undefined && wellKnown ? standardPorts[protocol][change.security] : current.port);
  const security =
    change.security ??
    (change.port !== undefined
      ? (securityForPort(protocol, change.port) ?? current.security)
      : current.security);
  return { host, port, security };
}

function prefixed(protocol: Protocol, e: ServerEndpoint): ProviderRowUpdate {
  return protocol === 'imap'
    ? { imap_host: e.host, imap_port: e.port, imap_security: e.security }
    : { smtp_host: e.host, smtp_port: e.port, smtp_security: e.security };
}
