// Who is calling: a session cookie (browser) or a Bearer API token (integrations).
// Cookie-authenticated requests that change state must echo the session's CSRF token in
// X-CSRF-Token; Bearer requests cannot be forged cross-site, so they need none.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Actor } from '../domain/user.js';
import type { AuthService } from '../services/auth.service.js';

export const sessionCookie = 'mailyard_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
    csrfToken?: string;
  }
  interface FastifyContextConfig {
    /** the route needs no signed-in user */
    public?: boolean;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

// Digests have one length whatever was sent: comparing raw UTF-8 buffers would throw when a
// header with non-ASCII characters has the token's length in characters but not in bytes.
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export function authenticate(auth: AuthService) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    // Only a Bearer header is ours: other schemes (e.g. Basic from a reverse proxy in front of
    // the app) fall through to the session cookie.
    if (header !== undefined && /^Bearer\s+/i.test(header)) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const actor = match?.[1] ? await auth.resolveApiToken(match[1]) : undefined;
      if (!actor) throw new AppError('unauthenticated', 'The API token is invalid or revoked');
      request.actor = actor;
      return;
    }
    const cookie = request.cookies[sessionCookie];
    if (cookie) {
      const session = await auth.resolveSession(cookie);
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
    }
    if (!request.actor && !request.routeOptions.config.public && request.url.startsWith('/api/')) {
      throw new AppError('unauthenticated', 'Sign in first');
    }
  };
}

/**
 * Whether the credential a request came with still signs the same person in: a long-lived
 * response (the event stream) re-checks it, so signing out, a revoked token or an expired
 * session ends it, whichever process served the sign-out.
 */
export async function stillSignedIn(auth: AuthService, request: FastifyRequest): Promise<boolean> {
  const signedIn = request.actor?.id;
  if (signedIn === undefined) return false;
  const header = request.headers.authorization;
  if (header !== undefined && /^Bearer\s+/i.test(header)) {
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    return token !== undefined && (await auth.resolveApiToken(token))?.id === signedIn;
  }
  const cookie = request.cookies[sessionCookie];
  if (!cookie) return false;
  const session = await auth.resolveSession(cookie, { extend: false });
  return typeof session === 'object' && session.actor.id === signedIn;
}

/** The signed-in caller of a non-public route (the hook guarantees one). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthenticated', 'Sign in first');
  return request.actor;
}
