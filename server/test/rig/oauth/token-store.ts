import { randomBytes } from 'node:crypto';

/** An RFC 7662 introspection response: `active` plus optional claims. */
export interface IntrospectionResult {
  active: boolean;
  [claim: string]: unknown;
}

/** What the introspection endpoint asks to decide whether a bearer token is valid. */
export type ValidateToken = (token: string) => IntrospectionResult | Promise<IntrospectionResult>;

export interface IssueTokenOptions {
  /** Lifetime in seconds (default one hour). Zero or negative issues an already expired token. */
  expiresIn?: number;
  scope?: string;
}

export interface IssuedToken {
  accessToken: string;
  /** Unix time in seconds. */
  expiresAt: number;
}

interface TokenRecord {
  email: string;
  scope: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * Opaque bearer tokens kept in memory: enough to exercise XOAUTH2/OAUTHBEARER against Dovecot
 * and Postfix without a real authorisation server.
 */
export class InMemoryTokenStore {
  private readonly tokens = new Map<string, TokenRecord>();

  issue(email: string, opts: IssueTokenOptions = {}): IssuedToken {
    const accessToken = `rig-at-${randomBytes(24).toString('base64url')}`;
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + (opts.expiresIn ?? 3600);
    this.tokens.set(accessToken, {
      email: email.toLowerCase(),
      scope: opts.scope ?? 'openid email https://mail.rig.test/imap',
      issuedAt: now,
      expiresAt,
    });
    return { accessToken, expiresAt };
  }

  /** Returns whether the token existed; revoking an unknown token is not an error (RFC 7009). */
  revoke(token: string): boolean {
    return this.tokens.delete(token);
  }

  readonly validate: ValidateToken = (token) => {
    const record = this.tokens.get(token);
    if (record === undefined || record.expiresAt <= Date.now() / 1000) return { active: false };
    return {
      active: true,
      token_type: 'Bearer',
      client_id: 'mailyard-rig',
      scope: record.scope,
      // Dovecot matches `username` (see oauth2 username_attribute) against the login name.
      username: record.email,
      email: record.email,
      sub: record.email,
      iat: record.issuedAt,
      exp: record.expiresAt,
    };
  };
}
