// The built-in catalogue of well-known email service providers: what detection answers for
// their domains and for custom domains whose MX points at them, and what an admin turns into a
// provider in one click. Pure data and lookups: no I/O.
import type { AuthMethod, LoginFormat, ServerEndpoint } from './provider.js';

export interface CatalogueOAuth {
  authorizationUrl: string;
  tokenUrl: string;
  scopes: readonly string[];
}

export interface CatalogueEntry {
  /** stable identifier, e.g. `google` */
  id: string;
  name: string;
  /** the provider's own address domains (canonical, lower-case) */
  domains: readonly string[];
  /** MX host patterns of custom domains it hosts: exact names, or `*.` for any sub-domain */
  mxPatterns: readonly string[];
  imap: ServerEndpoint;
  smtp: ServerEndpoint;
  loginFormat: LoginFormat;
  /** supported sign-in methods, preferred first */
  authMethods: readonly AuthMethod[];
  oauth?: CatalogueOAuth;
  /** what a person needs to know before connecting ("needs an app password") */
  notes: readonly string[];
}

const google: CatalogueOAuth = {
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  scopes: ['https://mail.google.com/'],
};

const microsoft: CatalogueOAuth = {
  authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
  tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
  scopes: [
    'https://outlook.office.com/IMAP.AccessAsUser.All',
    'https://outlook.office.com/SMTP.Send',
    'offline_access',
  ],
};

const tls = (host: string, port: number): ServerEndpoint => ({ host, port, security: 'tls' });
const starttls = (host: string, port: number): ServerEndpoint => ({ host, port, security: 'starttls' });

const appPassword = (where: string) =>
  `Needs an app password when two-step verification is on: create one in ${where} and use it instead of the normal password.`;

export const providerCatalogue: readonly CatalogueEntry[] = [
  {
    id: 'google',
    name: 'Gmail / Google Workspace',
    domains: ['gmail.com', 'googlemail.com'],
    mxPatterns: [
      'aspmx.l.google.com',
      '*.aspmx.l.google.com',
      'aspmx2.googlemail.com',
      'aspmx3.googlemail.com',
      'smtp.google.com',
    ],
    imap: tls('imap.gmail.com', 993),
    smtp: tls('smtp.gmail.com', 465),
    loginFormat: 'email',
    authMethods: ['oauth2', 'basic'],
    oauth: google,
    notes: [
      'Sign in with Google (OAuth 2.0), or use an app password: Google refuses the normal password over IMAP.',
      'Google Workspace: the administrator must allow IMAP access for the organisation.',
    ],
  },
  {
    id: 'outlook',
    name: 'Outlook.com / Hotmail / Live',
    domains: [
      'outlook.com',
      'hotmail.com',
      'live.com',
      'msn.com',
      'passport.com',
      'outlook.de',
      'outlook.fr',
      'outlook.es',
      'outlook.it',
      'hotmail.co.uk',
      'hotmail.de',
      'hotmail.fr',
      'hotmail.it',
      'hotmail.es',
      'live.co.uk',
      'live.de',
      'live.fr',
      'live.nl',
    ],
    mxPatterns: ['*.olc.protection.outlook.com'],
    imap: tls('outlook.office365.com', 993),
    smtp: starttls('smtp-mail.outlook.com', 587),
    loginFormat: 'email',
    authMethods: ['oauth2'],
    oauth: microsoft,
    notes: ['Microsoft turned off password sign-in for Outlook.com: connect with Sign in (OAuth 2.0).'],
  },
  {
    id: 'microsoft365',
    name: 'Microsoft 365 (Exchange Online)',
    domains: [],
    mxPatterns: ['*.mail.protection.outlook.com'],
    imap: tls('outlook.office365.com', 993),
    smtp: starttls('smtp.office365.com', 587),
    loginFormat: 'email',
    authMethods: ['oauth2'],
    oauth: microsoft,
    notes: [
      'Microsoft 365 accepts only OAuth 2.0 sign-in: register an app in Microsoft Entra ID and enter its client ID and secret.',
      'IMAP and authenticated SMTP must be enabled for the mailbox in the Microsoft 365 admin center.',
    ],
  },
  {
    id: 'yahoo',
    name: 'Yahoo Mail',
    domains: [
      'yahoo.com',
      'ymail.com',
      'rocketmail.com',
      'yahoo.co.uk',
      'yahoo.de',
      'yahoo.fr',
      'yahoo.es',
      'yahoo.it',
      'yahoo.co.jp',
      'yahoo.ca',
    ],
    mxPatterns: ['*.yahoodns.net'],
    imap: tls('imap.mail.yahoo.com', 993),
    smtp: tls('smtp.mail.yahoo.com', 465),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: [appPassword('Yahoo Account security → Generate app password')],
  },
  {
    id: 'icloud',
    name: 'iCloud Mail',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    mxPatterns: ['*.mail.icloud.com'],
    imap: tls('imap.mail.me.com', 993),
    smtp: starttls('smtp.mail.me.com', 587),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: ['Needs an app-specific password: create one at appleid.apple.com → Sign-In and Security.'],
  },
  {
    id: 'fastmail',
    name: 'Fastmail',
    domains: ['fastmail.com', 'fastmail.fm', 'fastmail.net', 'fastmail.org', 'messagingengine.com'],
    mxPatterns: ['*.messagingengine.com'],
    imap: tls('imap.fastmail.com', 993),
    smtp: tls('smtp.fastmail.com', 465),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: ['Needs an app password: create one in Fastmail Settings → Privacy & Security → App passwords.'],
  },
  {
    id: 'zoho',
    name: 'Zoho Mail',
    domains: ['zoho.com', 'zohomail.com'],
    mxPatterns: ['mx.zoho.com', 'mx2.zoho.com', 'mx3.zoho.com'],
    imap: tls('imap.zoho.com', 993),
    smtp: tls('smtp.zoho.com', 465),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: [
      'IMAP must be enabled in Zoho Mail Settings → Mail Accounts → IMAP Access.',
      appPassword('Zoho Accounts → Security → App Passwords'),
      'Accounts in the EU data centre use imap.zoho.eu and smtp.zoho.eu.',
    ],
  },
  {
    id: 'zoho-eu',
    name: 'Zoho Mail (EU)',
    domains: ['zoho.eu', 'zohomail.eu'],
    mxPatterns: ['mx.zoho.eu', 'mx2.zoho.eu', 'mx3.zoho.eu'],
    imap: tls('imap.zoho.eu', 993),
    smtp: tls('smtp.zoho.eu', 465),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: [
      'IMAP must be enabled in Zoho Mail Settings → Mail Accounts → IMAP Access.',
      appPassword('Zoho Accounts → Security → App Passwords'),
    ],
  },
  {
    id: 'gmx',
    name: 'GMX',
    domains: ['gmx.net', 'gmx.de', 'gmx.at', 'gmx.ch', 'gmx.com', 'gmx.us', 'gmx.co.uk', 'gmx.fr'],
    mxPatterns: ['mx00.gmx.net', 'mx01.gmx.net', '*.gmx.net'],
    imap: tls('imap.gmx.net', 993),
    smtp: tls('mail.gmx.net', 465),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: ['IMAP must be enabled in GMX Settings → POP3 & IMAP → "Allow access via POP3 and IMAP".'],
  },
  {
    id: 'webde',
    name: 'WEB.DE',
    domains: ['web.de'],
    mxPatterns: ['*.web.de'],
    imap: tls('imap.web.de', 993),
    smtp: starttls('smtp.web.de', 587),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: ['IMAP must be enabled in WEB.DE Settings → POP3/IMAP → "Allow access via POP3 and IMAP".'],
  },
  {
    id: 'aol',
    name: 'AOL Mail',
    domains: ['aol.com', 'aim.com', 'aol.co.uk', 'aol.de', 'aol.fr'],
    mxPatterns: ['*.mx.aol.com'],
    imap: tls('imap.aol.com', 993),
    smtp: tls('smtp.aol.com', 465),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: [appPassword('AOL Account security → Generate app password')],
  },
  {
    id: 'yandex',
    name: 'Yandex Mail',
    domains: ['yandex.com', 'yandex.ru', 'ya.ru', 'yandex.ua', 'yandex.by', 'yandex.kz'],
    mxPatterns: ['mx.yandex.net', 'mx.yandex.ru', 'mx.yandex.com'],
    imap: tls('imap.yandex.com', 993),
    smtp: tls('smtp.yandex.com', 465),
    loginFormat: 'email',
    authMethods: ['basic', 'oauth2'],
    oauth: {
      authorizationUrl: 'https://oauth.yandex.com/authorize',
      tokenUrl: 'https://oauth.yandex.com/token',
      scopes: ['mail:imap_full', 'mail:smtp'],
    },
    notes: ['Allow access by mail clients in Yandex Mail Settings → Email clients, and use an app password.'],
  },
  {
    id: 'proton-bridge',
    name: 'Proton Mail (Bridge)',
    domains: ['proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me'],
    mxPatterns: ['mail.protonmail.ch', 'mailsec.protonmail.ch'],
    imap: starttls('127.0.0.1', 1143),
    smtp: starttls('127.0.0.1', 1025),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: [
      'Proton Mail speaks IMAP only through Proton Mail Bridge, which must run next to Mailyard; use the password Bridge shows, not the Proton password.',
      'Bridge uses its own self-signed certificate: add it to the certificates Mailyard trusts (NODE_EXTRA_CA_CERTS).',
    ],
  },
  {
    id: 'mailru',
    name: 'Mail.ru',
    domains: ['mail.ru', 'inbox.ru', 'list.ru', 'bk.ru', 'internet.ru'],
    mxPatterns: ['mxs.mail.ru', '*.mail.ru'],
    imap: tls('imap.mail.ru', 993),
    smtp: tls('smtp.mail.ru', 465),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: ['Needs a password for external applications: create one in Mail.ru Settings → Security.'],
  },
  {
    id: 'mailbox-org',
    name: 'mailbox.org',
    domains: ['mailbox.org'],
    mxPatterns: ['mxext1.mailbox.org', 'mxext2.mailbox.org', 'mxext3.mailbox.org'],
    imap: tls('imap.mailbox.org', 993),
    smtp: tls('smtp.mailbox.org', 465),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: [],
  },
  {
    id: 'posteo',
    name: 'Posteo',
    domains: ['posteo.de', 'posteo.net', 'posteo.eu', 'posteo.org'],
    mxPatterns: ['mx01.posteo.de', 'mx02.posteo.de', 'mx03.posteo.de', 'mx04.posteo.de'],
    imap: tls('posteo.de', 993),
    smtp: tls('posteo.de', 465),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: [],
  },
  {
    id: 't-online',
    name: 'Telekom Mail (t-online.de)',
    domains: ['t-online.de', 'magenta.de'],
    mxPatterns: ['mx00.t-online.de', 'mx01.t-online.de', 'mx02.t-online.de', 'mx03.t-online.de'],
    imap: tls('secureimap.t-online.de', 993),
    smtp: tls('securesmtp.t-online.de', 465),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: [
      'Needs the separate email password set in the Telekom Customer Center, not the Telekom login password.',
    ],
  },
  {
    id: 'comcast',
    name: 'Xfinity (Comcast)',
    domains: ['comcast.net'],
    mxPatterns: ['mx1.comcast.net', 'mx2.comcast.net'],
    imap: tls('imap.comcast.net', 993),
    smtp: starttls('smtp.comcast.net', 587),
    loginFormat: 'email',
    authMethods: ['basic'],
    notes: ['Third-party access must be turned on in Xfinity Connect → Settings → Security.'],
  },
];

const normalize = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');

export function findCatalogueEntry(id: string): CatalogueEntry | undefined {
  return providerCatalogue.find((entry) => entry.id === id);
}

/** The entry that owns an address domain (canonical form). */
export function findCatalogueEntryByDomain(domain: string): CatalogueEntry | undefined {
  const wanted = normalize(domain);
  return providerCatalogue.find((entry) => entry.domains.includes(wanted));
}

/** `*.example.com` matches any sub-domain of example.com (not example.com itself). */
export function matchesMxPattern(host: string, pattern: string): boolean {
  const name = normalize(host);
  const p = normalize(pattern);
  if (p.startsWith('*.')) return name.endsWith(p.slice(1)) && name.length > p.length - 1;
  return name === p;
}

/** The entry hosting a custom domain, from its MX hosts (best preference first). */
export function findCatalogueEntryByMx(mxHosts: readonly string[]): CatalogueEntry | undefined {
  for (const host of mxHosts) {
    const entry = providerCatalogue.find((e) =>
      e.mxPatterns.some((pattern) => matchesMxPattern(host, pattern)),
    );
    if (entry) return entry;
  }
  return undefined;
}
