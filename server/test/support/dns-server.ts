// A tiny authoritative DNS server on a loopback UDP port for detection tests: answers A, AAAA,
// MX and SRV from a table the test controls, NXDOMAIN for unknown names, and can be told to
// stay silent (a DNS server that never answers). Packets are encoded by dns-packet.
import dgram from 'node:dgram';
import dnsPacket, { type Answer, type RecordType } from 'dns-packet';

export interface DnsZone {
  A?: string[];
  AAAA?: string[];
  MX?: { exchange: string; priority: number }[];
  /** target "." means "service not offered" (RFC 2782) */
  SRV?: { target: string; port: number; priority: number; weight: number }[];
}

const NXDOMAIN = 3;

export class TestDnsServer {
  /** every question received, e.g. `MX example.test` */
  readonly queries: string[] = [];
  /** when true, queries are read but never answered */
  silent = false;
  private readonly zones = new Map<string, DnsZone>();

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
  ) {
    socket.on('message', (message, remote) => this.answer(message, remote));
  }

  static async start(zones: Record<string, DnsZone> = {}): Promise<TestDnsServer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    const server = new TestDnsServer(socket, socket.address().port);
    for (const [name, zone] of Object.entries(zones)) server.set(name, zone);
    return server;
  }

  /** `127.0.0.1:port`, for Resolver.setServers / MAILYARD_DNS_SERVERS */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(name: string, zone: DnsZone): void {
    this.zones.set(name.toLowerCase().replace(/\.$/, ''), zone);
  }

  /** queries for a name (any type) so far */
  queriesFor(name: string): string[] {
    return this.queries.filter((q) => q.endsWith(` ${name.toLowerCase()}`));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(message: Buffer, remote: dgram.RemoteInfo): void {
    let query;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    this.queries.push(`${question.type} ${name}`);
    if (this.silent) return;

    const zone = this.zones.get(name);
    const answers = zone ? answersFor(question.name, question.type, zone) : [];
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (zone ? 0 : NXDOMAIN),
      questions: [question],
      answers,
    });
    this.socket.send(response, remote.port, remote.address);
  }
}

function answersFor(name: string, type: RecordType, zone: DnsZone): Answer[] {
  const ttl = 60;
  if (type === 'A') return (zone.A ?? []).map((data) => ({ type: 'A', name, ttl, data }));
  if (type === 'AAAA') return (zone.AAAA ?? []).map((data) => ({ type: 'AAAA', name, ttl, data }));
  if (type === 'MX') {
    return (zone.MX ?? []).map((mx) => ({
      type: 'MX',
      name,
      ttl,
      data: { preference: mx.priority, exchange: mx.exchange },
    }));
  }
  if (type === 'SRV') {
    return (zone.SRV ?? []).map((srv) => ({
      type: 'SRV',
      name,
      ttl,
      data: { priority: srv.priority, weight: srv.weight, port: srv.port, target: srv.target },
    }));
  }
  return [];
}
