// Thunderbird's autoconfig format (config-v1.1.xml): what a provider publishes at
// autoconfig.<domain> or <domain>/.well-known/autoconfig/ about its servers.
import { XMLParser } from 'fast-xml-parser';
import { canonicalHost, type LoginFormat, type SecurityMode } from '../../domain/provider.js';
import type { DetectedSettings } from './types.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Entities are not needed by the format and only invite expansion tricks.
  processEntities: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) =>
    ['emailProvider', 'incomingServer', 'outgoingServer', 'authentication', 'domain'].includes(name),
});

interface XmlServer {
  '@type'?: string;
  hostname?: string;
  port?: string;
  socketType?: string;
  username?: string;
  authentication?: string[];
}

interface XmlProvider {
  '@id'?: string;
  displayName?: string;
  displayShortName?: string;
  incomingServer?: XmlServer[];
  outgoingServer?: XmlServer[];
}

interface XmlDocument {
  clientConfig?: {
    emailProvider?: XmlProvider[];
    oAuth2?: { authURL?: string; tokenURL?: string; scope?: string };
  };
}

const socketTypes: Record<string, SecurityMode> = {
  SSL: 'tls',
  TLS: 'tls',
  STARTTLS: 'starttls',
  PLAIN: 'none',
};

function substitute(value: string, email: string): string {
  const [localPart = '', domain = ''] = email.split('@');
  return value
    .replace(/%EMAILADDRESS%/g, email)
    .replace(/%EMAILLOCALPART%/g, localPart)
    .replace(/%EMAILDOMAIN%/g, domain);
}

function loginFormatOf(username: string | undefined): LoginFormat {
  if (username === '%EMAILADDRESS%') return 'email';
  if (username === '%EMAILLOCALPART%') return 'localPart';
  return 'manual';
}

/** The first usable server of a type, in the document's order (the provider's preference). */
function pickServer(servers: XmlServer[] | undefined, type: string, email: string) {
  for (const server of servers ?? []) {
    if (server['@type']?.toLowerCase() !== type) continue;
    const security = socketTypes[(server.socketType ?? '').toUpperCase()];
    const port = Number(server.port);
    if (!security || !Number.isInteger(port) || port < 1 || port > 65535 || !server.hostname) continue;
    let host: string;
    try {
      host = canonicalHost(substitute(server.hostname, email));
    } catch {
      continue;
    }
    return {
      endpoint: { host, port, security },
      username: server.username,
      authentication: server.authentication ?? [],
    };
  }
  return undefined;
}

/** Parses a config-v1.1.xml; undefined when it does not describe IMAP and SMTP servers. */
export function parseAutoconfig(xml: string, email: string): DetectedSettings | undefined {
  let doc: XmlDocument;
  try {
    doc = parser.parse(xml) as XmlDocument;
  } catch {
    return undefined;
  }
  const provider = doc.clientConfig?.emailProvider?.[0];
  if (!provider) return undefined;
  const imap = pickServer(provider.incomingServer, 'imap', email);
  const smtp = pickServer(provider.outgoingServer, 'smtp', email);
  if (!imap || !smtp) return undefined;

  const oauth = doc.clientConfig?.oAuth2;
  const wantsOAuth = imap.authentication[0]?.toLowerCase() === 'oauth2';
  const auth: DetectedSettings['auth'] =
    wantsOAuth && oauth?.authURL && oauth.tokenURL
      ? {
          method: 'oauth2',
          authorizationUrl: oauth.authURL,
          tokenUrl: oauth.tokenURL,
          scopes: (oauth.scope ?? '').split(/\s+/).filter(Boolean),
        }
      : { method: 'basic' };
  return {
    name: provider.displayName || provider.displayShortName || provider['@id'] || imap.endpoint.host,
    imap: imap.endpoint,
    smtp: smtp.endpoint,
    loginFormat: loginFormatOf(imap.username),
    auth,
  };
}
