// Detection: from an email address to a provider and its settings (docs/product.md "Detection").
// In order, first hit wins: 1 the domain lookup, 2 the built-in catalogue, 3 MX records matched
// against the catalogue, 4 Thunderbird autoconfig, 5 SRV records (RFC 6186), 6 probing likely
// host names. Every network step has a short timeout inside one overall budget; the network
// part of an answer is cached per domain; what a user triggers never reaches private networks
// unless the admin allows them.
import { isIP } from 'node:net';
import { AppError, validationFailed } from '../../domain/errors.js';
import { canonicalHost, defaultEndpoints, type Provider } from '../../domain/provider.js';
import {
  findCatalogueEntryByDomain,
  findCatalogueEntryByMx,
  type CatalogueEntry,
} from '../../domain/provider-catalogue.js';
import type { Clock } from '../../lib/clock.js';
import {
  probeServers,
  type ProbeInput,
  type ProbeOptions,
  type ServerProbe,
} from '../../mail/diagnosis/probe.js';
import type { ResolveHost } from '../../mail/diagnosis/types.js';
import { parseAutoconfig } from './autoconfig.js';
import { resolveWith, type DnsResolver } from './dns.js';
import { fetchText as defaultFetchText, type FetchText } from './fetch-text.js';
import { guardResolve } from './network-guard.js';
import { bestSrvTarget } from './srv.js';
import { TtlCache } from './ttl-cache.js';
import type { DetectedSettings, DetectionAttempt, DetectionConfig, DetectionResult } from './types.js';

export interface DetectionDeps {
  /** the admin's domain lookup (canonical domain → provider) */
  findProviderByDomain: (domain: string) => Promise<Provider | undefined>;
  resolver: DnsResolver;
  clock: Clock;
  fetchText?: FetchText;
  probe?: (input: ProbeInput, opts: ProbeOptions) => Promise<ServerProbe>;
}

export interface DetectionOptions extends DetectionConfig {
  allowPrivateNetworks: boolean;
}

type NetworkSource = 'mx' | 'autoconfig' | 'srv' | 'probe';
type NetworkResult = Omit<DetectionResult, 'providerId'>;

/** A network step that ran out of its time. */
class StepTimeout extends Error {
  override name = 'StepTimeout';
}

const maxAutoconfigBytes = 256 * 1024;

export interface ParsedAddress {
  email: string;
  localPart: string;
  /** A-label (punycode), lower-case */
  domain: string;
}

/** Splits and checks an address; a malformed one is a 400 `validation_failed` on `email`. */
export function parseEmailAddress(input: string): ParsedAddress {
  const invalid = () => validationFailed({ email: 'enter a valid email address such as jane@example.com' });
  const email = input.trim();
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1 || email.length > 320) throw invalid();
  const localPart = email.slice(0, at);
  if (
    localPart.length > 64 ||
    /[\s"(),:;<>@[\\\]]/.test(localPart) ||
    /[^\x21-\x7e\u00a0-\uffff]/.test(localPart)
  )
    throw invalid();
  let domain: string;
  try {
    domain = canonicalHost(email.slice(at + 1), 'email');
  } catch {
    throw invalid();
  }
  if (isIP(domain)) throw invalid();
  return { email: `${localPart}@${domain}`, localPart, domain };
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

const isTimeout = (error: unknown) =>
  error instanceof StepTimeout ||
  errorCode(error) === 'ETIMEOUT' ||
  (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'));

const notFound = (error: unknown) => ['ENOTFOUND', 'ENODATA', 'NO_ADDRESS'].includes(errorCode(error) ?? '');

function fromCatalogue(entry: CatalogueEntry): DetectedSettings {
  const method = entry.authMethods[0] ?? 'basic';
  return {
    name: entry.name,
    imap: { ...entry.imap },
    smtp: { ...entry.smtp },
    loginFormat: entry.loginFormat,
    auth:
      method === 'oauth2' && entry.oauth
        ? {
            method,
            authorizationUrl: entry.oauth.authorizationUrl,
            tokenUrl: entry.oauth.tokenUrl,
            scopes: [...entry.oauth.scopes],
          }
        : { method: 'basic' },
  };
}

function fromProvider(provider: Provider): DetectedSettings {
  const { auth } = provider;
  return {
    name: provider.name,
    imap: { ...provider.imap },
    smtp: { ...provider.smtp },
    loginFormat: provider.loginFormat,
    auth:
      auth.method === 'oauth2'
        ? {
            method: 'oauth2',
            ...(auth.authorizationUrl && { authorizationUrl: auth.authorizationUrl }),
            ...(auth.tokenUrl && { tokenUrl: auth.tokenUrl }),
            scopes: auth.scopes,
          }
        : { method: 'basic' },
  };
}

export class DetectionService {
  private readonly cache: TtlCache<NetworkResult>;
  private readonly inFlight = new Map<string, Promise<NetworkResult>>();
  private readonly fetchText: FetchText;
  private readonly probe: (input: ProbeInput, opts: ProbeOptions) => Promise<ServerProbe>;
  /** host → addresses through the configured DNS, with the private-network rule applied */
  private readonly resolveForConnect: ResolveHost;

  constructor(
    private readonly deps: DetectionDeps,
    private readonly options: DetectionOptions,
  ) {
    this.cache = new TtlCache(deps.clock, options.cacheTtlMs);
    this.fetchText = deps.fetchText ?? defaultFetchText;
    this.probe = deps.probe ?? probeServers;
    this.resolveForConnect = guardResolve(resolveWith(deps.resolver), options.allowPrivateNetworks);
  }

  async detect(input: string): Promise<DetectionResult> {
    const address = parseEmailAddress(input);
    const attempts: DetectionAttempt[] = [];

    const registered = await this.lookup(address.domain);
    if (registered) {
      return {
        source: 'lookup',
        providerId: registered.id,
        provider: fromProvider(registered),
        ...(registered.notes && { notes: [registered.notes] }),
        attempts: [{ source: 'lookup', outcome: 'hit', ms: 0 }],
      };
    }
    attempts.push({ source: 'lookup', outcome: 'miss', ms: 0 });

    const entry = findCatalogueEntryByDomain(address.domain);
    if (entry) {
      attempts.push({ source: 'catalogue', outcome: 'hit', ms: 0 });
      return {
        source: 'catalogue',
        catalogueId: entry.id,
        provider: fromCatalogue(entry),
        notes: [...entry.notes],
        attempts,
      };
    }
    attempts.push({ source: 'catalogue', outcome: 'miss', ms: 0 });

    const network = await this.detectOverNetwork(address);
    return { ...network, attempts: [...attempts, ...network.attempts] };
  }

  /** The domain lookup holds only domains with a dot; anything else cannot be in it. */
  private async lookup(domain: string): Promise<Provider | undefined> {
    try {
      return await this.deps.findProviderByDomain(domain);
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation_failed') return undefined;
      throw error;
    }
  }

  private detectOverNetwork(address: ParsedAddress): Promise<NetworkResult> {
    const cached = this.cache.get(address.domain);
    if (cached) return Promise.resolve(cached);
    // Two people typing the same domain at once share one detection.
    let pending = this.inFlight.get(address.domain);
    if (!pending) {
      pending = this.runNetworkSteps(address).finally(() => this.inFlight.delete(address.domain));
      this.inFlight.set(address.domain, pending);
    }
    return pending;
  }

  private async runNetworkSteps(address: ParsedAddress): Promise<NetworkResult> {
    const deadline = performance.now() + this.options.budgetMs;
    const attempts: DetectionAttempt[] = [];
    const steps: [NetworkSource, (timeoutMs: number) => Promise<NetworkResult | undefined>][] = [
      ['mx', () => this.fromMx(address)],
      ['autoconfig', (t) => this.fromAutoconfig(address, t)],
      ['srv', () => this.fromSrv(address)],
      ['probe', (t) => this.fromProbe(address, t)],
    ];
    let result: NetworkResult | undefined;
    for (const [source, step] of steps) {
      const remaining = Math.floor(deadline - performance.now());
      if (remaining <= 0) {
        attempts.push({
          source,
          outcome: 'skipped',
          detail: `Detection ran out of its ${this.options.budgetMs} ms budget`,
          ms: 0,
        });
        continue;
      }
      const timeoutMs = Math.min(this.options.stepTimeoutMs, remaining);
      const started = performance.now();
      const ms = () => Math.round(performance.now() - started);
      try {
        result = await withTimeout(step(timeoutMs), timeoutMs);
        if (result) {
          attempts.push(...result.attempts, { source, outcome: 'hit', ms: ms() });
          break;
        }
        attempts.push({ source, outcome: 'miss', ms: ms() });
      } catch (error) {
        attempts.push(describeFailure(source, error, ms(), timeoutMs));
      }
    }
    const final: NetworkResult = result
      ? { ...result, attempts }
      : { source: 'none', notes: noneNotes(attempts), attempts };
    // A timeout or an error may be gone next time: only clean answers are reused.
    if (!attempts.some((a) => a.outcome === 'timeout' || a.outcome === 'error' || a.outcome === 'skipped')) {
      this.cache.set(address.domain, final);
    }
    return final;
  }

  private async fromMx(address: ParsedAddress): Promise<NetworkResult | undefined> {
    let records;
    try {
      records = await this.deps.resolver.resolveMx(address.domain);
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
    const hosts = [...records].sort((a, b) => a.priority - b.priority).map((r) => r.exchange.toLowerCase());
    const entry = findCatalogueEntryByMx(hosts);
    if (!entry) return undefined;
    return {
      source: 'mx',
      catalogueId: entry.id,
      provider: fromCatalogue(entry),
      notes: [`${address.domain} receives its mail at ${entry.name} (MX ${hosts[0] ?? ''}).`, ...entry.notes],
      attempts: [],
    };
  }

  private autoconfigUrls(address: ParsedAddress): string[] {
    const { scheme, port } = this.options.autoconfig;
    const origin = (host: string) => `${scheme}://${host}${port ? `:${port}` : ''}`;
    const query = `?emailaddress=${encodeURIComponent(address.email)}`;
    return [
      `${origin(`autoconfig.${address.domain}`)}/mail/config-v1.1.xml${query}`,
      `${origin(address.domain)}/.well-known/autoconfig/mail/config-v1.1.xml${query}`,
    ];
  }

  private async fromAutoconfig(
    address: ParsedAddress,
    timeoutMs: number,
  ): Promise<NetworkResult | undefined> {
    const urls = this.autoconfigUrls(address);
    const fetched = await Promise.allSettled(
      urls.map((url) =>
        this.fetchText(url, { timeoutMs, maxBytes: maxAutoconfigBytes, resolve: this.resolveForConnect }),
      ),
    );
    const failures: unknown[] = [];
    for (const [i, outcome] of fetched.entries()) {
      if (outcome.status === 'rejected') {
        failures.push(outcome.reason);
        continue;
      }
      if (outcome.value.status !== 200) continue;
      const settings = parseAutoconfig(outcome.value.body, address.email);
      if (settings)
        return {
          source: 'autoconfig',
          provider: settings,
          notes: [`Settings published by the provider at ${urls[i] ?? ''}.`],
          attempts: [],
        };
    }
    // Say why when every URL failed for the same kind of reason (e.g. the private-network rule).
    if (failures.length === urls.length) {
      const refused = failures.find(
        (f): f is Error => f instanceof Error && errorCode(f) === 'PRIVATE_NETWORK',
      );
      if (refused) throw refused;
      if (failures.every(isTimeout)) throw new StepTimeout('no autoconfig server answered in time');
    }
    return undefined;
  }

  private async fromSrv(address: ParsedAddress): Promise<NetworkResult | undefined> {
    const query = async (service: string) => {
      try {
        return await this.deps.resolver.resolveSrv(`${service}._tcp.${address.domain}`);
      } catch (error) {
        if (notFound(error)) return [];
        throw error;
      }
    };
    const [imaps, imap, submissions, submission] = await Promise.all(
      ['_imaps', '_imap', '_submissions', '_submission'].map(query),
    );
    // RFC 8314: implicit TLS is preferred over STARTTLS when both are published.
    const imapTls = bestSrvTarget(imaps ?? []);
    const imapStarttls = bestSrvTarget(imap ?? []);
    const smtpTls = bestSrvTarget(submissions ?? []);
    const smtpStarttls = bestSrvTarget(submission ?? []);
    const incoming = imapTls
      ? { ...imapTls, security: 'tls' as const }
      : imapStarttls
        ? { ...imapStarttls, security: 'starttls' as const }
        : undefined;
    const outgoing = smtpTls
      ? { ...smtpTls, security: 'tls' as const }
      : smtpStarttls
        ? { ...smtpStarttls, security: 'starttls' as const }
        : undefined;
    if (!incoming || !outgoing) return undefined;
    return {
      source: 'srv',
      provider: {
        name: address.domain,
        imap: incoming,
        smtp: outgoing,
        loginFormat: 'email',
        auth: { method: 'basic' },
      },
      notes: [`Settings published in DNS (SRV records of ${address.domain}).`],
      attempts: [],
    };
  }

  private async fromProbe(address: ParsedAddress, timeoutMs: number): Promise<NetworkResult | undefined> {
    const d = address.domain;
    const imapHosts = [`imap.${d}`, `mail.${d}`, d];
    const smtpHosts = [`smtp.${d}`, `mail.${d}`, d];
    const opts = {
      imapPorts: this.options.imapPorts,
      smtpPorts: this.options.smtpPorts,
      timeoutMs,
      resolve: this.resolveForConnect,
    };
    const [imapProbes, smtpProbes] = await Promise.all([
      Promise.all(imapHosts.map((imapHost) => this.probe({ imapHost }, opts))),
      Promise.all(smtpHosts.map((smtpHost) => this.probe({ smtpHost }, opts))),
    ]);
    const imap = imapProbes.find((p) => p.imap)?.imap;
    const smtp = smtpProbes.find((p) => p.smtp)?.smtp;
    if (!imap) {
      const all = [...imapProbes, ...smtpProbes].flatMap((p) => p.attempts);
      const refusal = all.find((a) => a.error.code === 'private_network_refused');
      if (
        refusal &&
        all.every((a) => a.error.code === 'private_network_refused' || a.error.code === 'dns_failed')
      ) {
        throw Object.assign(new Error(refusal.error.explanation), { code: 'PRIVATE_NETWORK' });
      }
      // Nothing answered in time (a silent DNS server or a firewall): a timeout, not "no server".
      const timedOut = (a: (typeof all)[number]) => /TIMEOUT/.test(a.cause ?? '');
      const nameMissing = (a: (typeof all)[number]) => a.cause !== undefined && notFound({ code: a.cause });
      if (all.some(timedOut) && all.every((a) => timedOut(a) || nameMissing(a))) {
        throw new StepTimeout('no server answered in time');
      }
      return undefined;
    }
    const notes = [
      `Found by connecting to ${imap.host}:${imap.port}${smtp ? ` and ${smtp.host}:${smtp.port}` : ''}.`,
    ];
    if (!smtp) notes.push(`No SMTP server answered on ${smtpHosts.join(', ')}: check the outgoing server.`);
    if (imap.security === 'none' || smtp?.security === 'none')
      notes.push('A server offers no encryption: passwords would cross the network in clear text.');
    return {
      source: 'probe',
      provider: {
        name: d,
        imap: { host: imap.host, port: imap.port, security: imap.security },
        smtp: smtp
          ? { host: smtp.host, port: smtp.port, security: smtp.security }
          : { host: smtpHosts[0] ?? d, ...defaultEndpoints.smtp },
        loginFormat: 'email',
        auth: { method: 'basic' },
      },
      notes,
      attempts: [],
    };
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(`no answer within ${ms} ms`)), ms);
  });
  // The step may still settle after its time is up; nobody waits for it then.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeFailure(
  source: NetworkSource,
  error: unknown,
  ms: number,
  timeoutMs: number,
): DetectionAttempt {
  if (errorCode(error) === 'PRIVATE_NETWORK') {
    return {
      source,
      outcome: 'refused',
      code: 'private_network_refused',
      detail: `${error instanceof Error ? error.message : 'a private address'}; an admin can allow private networks`,
      ms,
    };
  }
  if (isTimeout(error)) {
    const dnsOnly = source === 'mx' || source === 'srv';
    return {
      source,
      outcome: 'timeout',
      ...(dnsOnly && { code: 'dns_failed' }),
      detail: `No answer within ${timeoutMs} ms`,
      ms,
    };
  }
  const code = errorCode(error);
  return {
    source,
    outcome: 'error',
    detail: `${code ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`.slice(
      0,
      300,
    ),
    ms,
  };
}

function noneNotes(attempts: DetectionAttempt[]): string[] {
  const notes = ['No settings were found for this domain: choose a provider or add the server by hand.'];
  if (attempts.some((a) => a.outcome === 'timeout' || a.outcome === 'skipped'))
    notes.push('Some checks timed out; trying again later may find more.');
  if (attempts.some((a) => a.outcome === 'refused'))
    notes.push('Some servers are on a private network, which detection does not contact.');
  return notes;
}
