// The DNS resolver detection uses: node:dns's Resolver, pointed at configured servers (tests run
// one on loopback). Resolving A/AAAA through it too, rather than getaddrinfo, keeps every answer
// detection acts on from one source the private-network rule can check.
import { Resolver } from 'node:dns/promises';
import type { MxRecord, SrvRecord } from 'node:dns';
import { isIP } from 'node:net';
import { DiagnosisError, type ResolveHost } from '../../mail/diagnosis/types.js';

export interface DnsResolver {
  resolveMx(name: string): Promise<MxRecord[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

export function createDnsResolver(opts: { servers: string[] | undefined; timeoutMs: number }): DnsResolver {
  // One try: detection has its own time budget and moves on rather than retrying.
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
  if (opts.servers) resolver.setServers(opts.servers);
  return resolver;
}

const noRecords = (error: unknown) => {
  const code = (error as { code?: unknown }).code;
  return code === 'ENODATA' || code === 'ENOTFOUND';
};

/** A and AAAA of a name (IPv4 first); an IP literal is its own address. */
export function resolveWith(resolver: DnsResolver): ResolveHost {
  return async (host) => {
    if (isIP(host)) return [host];
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const addresses = [
      ...(v4.status === 'fulfilled' ? v4.value : []),
      ...(v6.status === 'fulfilled' ? v6.value : []),
    ];
    if (addresses.length > 0) return addresses;
    // Report the real failure (a timeout is not "no such name").
    const failure = [v4, v6].find(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && !noRecords(r.reason),
    );
    if (failure) throw failure.reason;
    throw new DiagnosisError('NO_ADDRESS', `${host} has no address`);
  };
}
