// Shapes shared by the rig (global setup, main vitest process) and the test workers.

export interface RigDescription {
  /** The rig's temporary folder (configs, logs, mail, queue, database). */
  dir: string;
  /** CA that signed every rig server certificate; test processes already trust it via NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** Domain of addresses made by createMailUser() unless another is asked for. */
  mailDomain: string;
  imap: {
    host: '127.0.0.1';
    /** IMAP with STARTTLS (plain login is also allowed: Dovecot treats loopback as secure). */
    port: number;
    /** IMAPS, implicit TLS. */
    tlsPort: number;
  };
  smtp: {
    host: '127.0.0.1';
    /** Unauthenticated MX-style port: accepts mail for rig mailboxes only; STARTTLS offered. */
    inboundPort: number;
    /** 587-style: STARTTLS required, then AUTH (PLAIN/LOGIN with the password, XOAUTH2/OAUTHBEARER with a token). */
    submissionPort: number;
    /** 465-style: implicit TLS, then AUTH. */
    smtpsPort: number;
  };
  postgres: {
    /** Superuser URL of the maintenance database; use createPostgresDatabase() for a database of your own. */
    url: string;
  };
  oauth: {
    /** RFC 7662 introspection endpoint Dovecot uses (HTTP Basic client authentication required). */
    introspectionUrl: string;
  };
  /** The OpenID provider (oidc-provider, HTTPS with the rig CA) whose access tokens Dovecot accepts; see oidc/helpers.ts. */
  oidc: {
    issuer: string;
  };
  logs: {
    dovecot: string;
    postfix: string;
    postgres: string;
  };
  /** Control endpoint of the global setup; used by the helpers in ./index.ts. */
  control: {
    url: string;
    secret: string;
  };
}

export interface MailUser {
  /** Lower-case address; also the IMAP/SMTP login. */
  email: string;
  password: string;
  localPart: string;
  domain: string;
}

export interface CreateMailUserOptions {
  /** Default: a random `user-…` local part, unique across concurrent runs. */
  localPart?: string;
  /** Default: the rig's mail domain (`rig.test`). Any other domain becomes a rig domain too. */
  domain?: string;
  /** Default: a random password. */
  password?: string;
}

export interface IssueAccessTokenOptions {
  /** Lifetime in seconds (default 3600). Zero or negative gives an already expired token. */
  expiresIn?: number;
  scope?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    rig: RigDescription;
  }
}
