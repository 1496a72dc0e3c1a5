// Who is calling: a session cookie (browser) or a Bearer API token (integrations).
// Cookie-authenticated requests that change state must echo the session's CSRF token in
// X-CSRF-Token; Bearer requests cannot be forged cross-site, so they need none.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Actor } from '../domain/user.js';
import type { AuthService, ResolvedSession } from '../services/auth.service.js';

/**
 * The names of the session cookie and of the device cookie (set on a successful sign-in: this
 * browser's failed sign-ins at that account count on their own). Served over https they are
 * Secure and carry the `__Host-` prefix, which browsers accept only from this exact origin over
 * https with Path=/ and no Domain: a neighbouring subdomain or a plain-http page cannot plant one.
 */
export interface CredentialCookies {
  session: string;
  device: string;
  secure: boolean;
}

export const credentialCookies = (https: boolean): CredentialCookies =>
  https
    ? { session: '__Host-mailyard_session', device: '__Host-mailyard_device', secure: true }
    : { session: 'mailyard_session', device: 'mailyard_device', secure: false };

declare module 'fastify' {
  interface FastifyInstance {
    credentialCookies: CredentialCookies;
  }
  interface FastifyRequest {
    actor?: Actor;
    csrfToken?: string;
  }
  interface FastifyContextConfig {
    /** the route needs no signed-in user */
    public?: boolean;
    /** the response carries a credential (a CSRF or API token): never stored by a cache */
    noStore?: boolean;
  }
}

/** The session cookie a request came with, if any. */
export const sessionCookieOf = (request: FastifyRequest): string | undefined =>
  request.cookies[request.server.credentialCookies.session];

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

// Digests have one length whatever was sent: comparing raw UTF-8 buffers would throw when a
// header with non-ASCII characters has the token's length in characters but not in bytes.
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** What a request's credential resolves to: a Bearer API token, a session cookie, or neither. */
type Credential =
  | { kind: 'token'; actor: Actor | undefined }
  | { kind: 'session'; session: ResolvedSession | 'expired' | undefined }
  | { kind: 'none' };

async function readCredential(auth: AuthService, request: FastifyRequest, extend: boolean): Promise<Credential> {
  const header = request.headers.authorization;
  // Only a Bearer header is ours: other schemes (e.g. Basic from a reverse proxy in front of
  // the app) fall through to the session cookie.
  if (header !== undefined && /^Bearer\s+/i.test(header)) {
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    return { kind: 'token', actor: token ? await auth.resolveApiToken(token) : undefined };
  }
  const cookie = sessionCookieOf(request);
  return cookie ? { kind: 'session', session: await auth.resolveSession(cookie, { extend }) } : { kind: 'none' };
}

export function authenticate(auth: AuthService) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const credential = await readCredential(auth, request, true);
    if (credential.kind === 'token') {
      if (!credential.actor) throw new AppError('unauthenticated', 'The API token is invalid or revoked');
      request.actor = credential.actor;
      return;
    }
    const session = credential.kind === 'session' ? credential.session : undefined;
    if (session === 'expired') {
      if (!request.routeOptions.config.public) throw new AppError('session_expired', 'Your session has expired; sign in again');
    } else if (session) {
      request.actor = session.actor;
      request.csrfToken = session.csrfToken;
      if (!safeMethods.has(request.method) && !request.routeOptions.config.public) {
        const sent = request.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
          throw new AppError('csrf_failed', 'Missing or invalid X-CSRF-Token header');
        }
      }
    }
    if (!request.actor && !request.routeOptions.config.public && request.url.startsWith('/api/')) {
      throw new AppError('unauthenticated', 'Sign in first');
    }
  };
}

/**
 * Whether the credential a request came with still signs the same person in: a long-lived
 * response (the event stream) re-checks it, so signing out, a revoked token or an expired
 * session ends it, whichever process served the sign-out. The check does not extend a session.
 */
export async function stillSignedIn(auth: AuthService, request: FastifyRequest): Promise<boolean> {
  const credential = await readCredential(auth, request, false);
  const actor =
    credential.kind === 'token'
      ? credential.actor
      : credential.kind === 'session' && typeof credential.session === 'object'
        ? credential.session.actor
        : undefined;
  return actor !== undefined && actor.id === request.actor?.id;
}

/** The signed-in caller of a non-public route (the hook guarantees one). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthenticated', 'Sign in first');
  return request.actor;
}
