// The OAuth 2.0 / OpenID Connect protocol, through openid-client (panva): authorisation URL with
// PKCE (S256), state and nonce; the code exchange with its response checks; refresh; and the one
// place where the library's errors become Mailyard's failure reasons.
import * as oidc from 'openid-client';
import type { TokenResponse } from './tokens.js';

/** A provider's OAuth client as the admin configured it (secret decrypted). */
export interface OAuthClientSettings {
  providerId: string;
  clientId: string;
  clientSecret: string;
  authorizationUrl: string;
  tokenUrl: string;
  scopes: readonly string[];
}

export const oauthFailureReasons = [
  /** the provider rejected the client ID or secret: only the admin can fix it */
  'invalid_client',
  /** the code or refresh token is not (any longer) valid: the person must sign in again */
  'invalid_grant',
  /** the person did not allow access */
  'access_denied',
  /** the provider could not be reached, or answered with a server error: try again */
  'unreachable',
  /** the provider's settings cannot work (an endpoint that is not https, an invalid certificate): only the admin can fix it */
  'configuration',
  /** anything else the provider or the response checks refused */
  'protocol',
] as const;
export type OAuthFailureReason = (typeof oauthFailureReasons)[number];

export class OAuthProtocolError extends Error {
  override name = 'OAuthProtocolError';
  constructor(
    readonly reason: OAuthFailureReason,
    message: string,
    /** the provider's `error` code, when it sent one */
    readonly providerError?: string,
  ) {
    super(message);
  }
}

export interface ExchangedTokens {
  tokens: TokenResponse;
  /** the address the tokens belong to (ID token or userinfo), when the provider tells */
  email: string | undefined;
  emailVerified: boolean | undefined;
}

export interface OAuthClientOptions {
  /** seconds for each HTTP request to the provider */
  timeoutSeconds?: number;
  /** replaces fetch (tests count token requests with it) */
  fetch?: oidc.CustomFetch;
}

interface CachedConfiguration {
  key: string;
  configuration: Promise<{ config: oidc.Configuration; openid: boolean }>;
}

const openidScopes = ['openid', 'email'];

export class OAuthClient {
  private readonly cache = new Map<string, CachedConfiguration>();
  private readonly timeoutSeconds: number;

  constructor(private readonly options: OAuthClientOptions = {}) {
    this.timeoutSeconds = options.timeoutSeconds ?? 15;
  }

  async authorizationUrl(
    settings: OAuthClientSettings,
    request: { redirectUri: string; state: string; codeVerifier: string; nonce: string; loginHint: string },
  ): Promise<string> {
    const { config, openid } = await this.configuration(settings);
    const scopes = [...new Set([...(openid ? openidScopes : []), ...settings.scopes])];
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: request.redirectUri,
      scope: scopes.join(' '),
      state: request.state,
      code_challenge: await oidc.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: 'S256',
      ...(openid && { nonce: request.nonce }),
      login_hint: request.loginHint,
      // A refresh token every time: Google issues one only with offline access and fresh consent
      // (Microsoft and OpenID providers use the offline_access scope, which consent also keeps).
      prompt: 'consent',
      access_type: 'offline',
    });
    return url.href;
  }

  /** Checks the authorisation response (state, iss, error) and redeems the code with its PKCE verifier. */
  async exchangeCode(
    settings: OAuthClientSettings,
    response: { callbackUrl: URL; redirectUri: string; state: string; codeVerifier: string; nonce: string },
  ): Promise<ExchangedTokens> {
    const { config, openid } = await this.configuration(settings);
    try {
      const tokens = await oidc.authorizationCodeGrant(
        config,
        response.callbackUrl,
        {
          pkceCodeVerifier: response.codeVerifier,
          expectedState: response.state,
          ...(openid && { expectedNonce: response.nonce }),
        },
        { redirect_uri: response.redirectUri },
      );
      const claims = tokens.claims();
      let email = typeof claims?.email === 'string' ? claims.email : undefined;
      let emailVerified = typeof claims?.email_verified === 'boolean' ? claims.email_verified : undefined;
      if (email === undefined && openid && config.serverMetadata().userinfo_endpoint !== undefined) {
        const info = await oidc.fetchUserInfo(
          config,
          tokens.access_token,
          claims?.sub ?? oidc.skipSubjectCheck,
        );
        email = typeof info.email === 'string' ? info.email : undefined;
        emailVerified = typeof info.email_verified === 'boolean' ? info.email_verified : undefined;
      }
      return { tokens: tokenResponse(tokens), email, emailVerified };
    } catch (error) {
      throw translate(error);
    }
  }

  async refresh(settings: OAuthClientSettings, refreshToken: string): Promise<TokenResponse> {
    const { config } = await this.configuration(settings);
    try {
      return tokenResponse(await oidc.refreshTokenGrant(config, refreshToken));
    } catch (error) {
      throw translate(error);
    }
  }

  /**
   * The provider's metadata. OpenID discovery, from the issuer the authorisation URL implies,
   * gives what checking the ID token needs (issuer, userinfo); a plain OAuth 2.0 server without
   * discovery is used with the two endpoints alone. Cached per provider until its settings change.
   */
  private configuration(
    settings: OAuthClientSettings,
  ): Promise<{ config: oidc.Configuration; openid: boolean }> {
    const key = JSON.stringify([
      settings.clientId,
      settings.clientSecret,
      settings.authorizationUrl,
      settings.tokenUrl,
    ]);
    const cached = this.cache.get(settings.providerId);
    if (cached?.key === key) return cached.configuration;
    const configuration = this.build(settings);
    this.cache.set(settings.providerId, { key, configuration });
    // A provider that was down must be asked again next time, not remembered as down.
    configuration.catch(() => {
      if (this.cache.get(settings.providerId)?.configuration === configuration)
        this.cache.delete(settings.providerId);
    });
    return configuration;
  }

  private async build(
    settings: OAuthClientSettings,
  ): Promise<{ config: oidc.Configuration; openid: boolean }> {
    for (const issuer of issuerCandidates(settings.authorizationUrl)) {
      let discovered: oidc.Configuration;
      try {
        discovered = await oidc.discovery(new URL(issuer), settings.clientId, undefined, undefined, {
          timeout: this.timeoutSeconds,
          ...(this.options.fetch && { [oidc.customFetch]: this.options.fetch }),
        });
      } catch {
        continue;
      }
      const metadata = discovered.serverMetadata();
      // Only when discovery describes the endpoints the admin entered is its issuer trusted.
      if (
        metadata.authorization_endpoint !== settings.authorizationUrl ||
        metadata.token_endpoint !== settings.tokenUrl
      )
        continue;
      const config = await oidc.discovery(
        new URL(issuer),
        settings.clientId,
        undefined,
        clientAuth(metadata, settings.clientSecret),
        {
          timeout: this.timeoutSeconds,
          ...(this.options.fetch && { [oidc.customFetch]: this.options.fetch }),
        },
      );
      return { config: this.tune(config), openid: true };
    }
    const config = new oidc.Configuration(
      {
        issuer: new URL(settings.authorizationUrl).origin,
        authorization_endpoint: settings.authorizationUrl,
        token_endpoint: settings.tokenUrl,
      },
      settings.clientId,
      undefined,
      oidc.ClientSecretPost(settings.clientSecret),
    );
    return { config: this.tune(config), openid: false };
  }

  private tune(config: oidc.Configuration): oidc.Configuration {
    config.timeout = this.timeoutSeconds;
    if (this.options.fetch) config[oidc.customFetch] = this.options.fetch;
    return config;
  }
}

/** `https://accounts.google.com/o/oauth2/v2/auth` → its origin; Microsoft's tenant paths → `…/{tenant}/v2.0`. */
export function issuerCandidates(authorizationUrl: string): string[] {
  const url = new URL(authorizationUrl);
  const candidates: string[] = [];
  const entra = /^(\/[^/]+)\/oauth2\/v2\.0\/authorize$/.exec(url.pathname);
  if (entra) candidates.push(`${url.origin}${entra[1]}/v2.0`);
  candidates.push(url.origin);
  return candidates;
}

/** client_secret_post where the server offers it (Google, Microsoft), else HTTP Basic (RFC 6749's default). */
function clientAuth(metadata: oidc.ServerMetadata, secret: string): oidc.ClientAuth {
  const supported = metadata.token_endpoint_auth_methods_supported;
  return supported === undefined || supported.includes('client_secret_post')
    ? oidc.ClientSecretPost(secret)
    : oidc.ClientSecretBasic(secret);
}

function tokenResponse(tokens: oidc.TokenEndpointResponse): TokenResponse {
  return {
    access_token: tokens.access_token,
    ...(typeof tokens.refresh_token === 'string' && { refresh_token: tokens.refresh_token }),
    ...(typeof tokens.expires_in === 'number' && { expires_in: tokens.expires_in }),
  };
}

const insecureRequestCodes = new Set(['OAUTH_HTTP_REQUEST_FORBIDDEN', 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN']);

/** Node's TLS verification failure codes (e.g. CERT_HAS_EXPIRED), found in a fetch failure's causes. */
function certificateProblem(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) return code;
  }
  return undefined;
}

/** The library's errors as failure reasons; messages never carry tokens or secrets. */
export function translate(error: unknown): OAuthProtocolError {
  if (error instanceof OAuthProtocolError) return error;
  if (error instanceof oidc.ResponseBodyError) {
    const description = error.error_description ? `: ${error.error_description}` : '';
    if (error.error === 'invalid_client' || error.error === 'unauthorized_client') {
      return new OAuthProtocolError(
        'invalid_client',
        `The provider rejected the OAuth client ID or secret (${error.error}${description})`,
        error.error,
      );
    }
    if (error.error === 'invalid_grant')
      return new OAuthProtocolError(
        'invalid_grant',
        `The provider refused the grant${description}`,
        error.error,
      );
    if (error.status >= 500 || error.error === 'temporarily_unavailable' || error.error === 'server_error') {
      return new OAuthProtocolError(
        'unreachable',
        `The provider is not available right now (${error.error})`,
        error.error,
      );
    }
    return new OAuthProtocolError(
      'protocol',
      `The provider refused the request (${error.error}${description})`,
      error.error,
    );
  }
  if (error instanceof oidc.AuthorizationResponseError) {
    if (error.error === 'access_denied')
      return new OAuthProtocolError('access_denied', 'Access was not allowed at the provider', error.error);
    const description = error.error_description ? `: ${error.error_description}` : '';
    return new OAuthProtocolError('protocol', `The provider reported an error (${error.error}${description})`, error.error);
  }
  if (error instanceof oidc.ClientError && insecureRequestCodes.has(error.code ?? '')) {
    return new OAuthProtocolError('configuration', 'The provider’s OAuth endpoints must be https:// URLs');
  }
  const certificate = certificateProblem(error);
  if (certificate) {
    return new OAuthProtocolError('configuration', `The provider’s certificate is not valid (${certificate})`);
  }
  if (error instanceof oidc.ClientError) {
    return new OAuthProtocolError(
      'protocol',
      `The provider's answer did not pass the checks (${error.code ?? error.message})`,
    );
  }
  // fetch failures (TypeError with a network cause), timeouts (AbortError/TimeoutError), HTTP 5xx
  return new OAuthProtocolError('unreachable', 'The provider could not be reached');
}
