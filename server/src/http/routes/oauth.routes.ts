import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.js';
import { actorOf } from '../auth.js';
import { errorBody, httpStatusFor } from '../errors.js';
import { Email, IdParams, Strict, errorResponses } from '../schemas.js';
import { AppError } from '../../domain/errors.js';
import { oauthCallbackPath, type OAuthService } from '../../services/oauth/oauth.service.js';

const tags = ['accounts'];
const Param = Type.Optional(Type.String({ maxLength: 4096 }));

/** A browser is sent back into the app; an API client (Accept: application/json) gets JSON. */
const wantsJson = (request: FastifyRequest) => {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
};

export function oauthRoutes(app: App, deps: { oauth: OAuthService; baseUrl: () => string }) {
  app.post(
    '/api/v1/accounts/oauth/start',
    {
      schema: {
        tags,
        summary:
          'Start connecting a mailbox with OAuth 2.0 ("Sign in"): returns the provider consent URL to open',
        description:
          'Also used for "Sign in again" on a mailbox the caller manages (same address). The provider sends the browser back to ' +
          `${oauthCallbackPath}, which checks the address, verifies IMAP and SMTP, saves the account and returns to the app.`,
        body: Type.Object(
          { email: Email, providerId: Type.String({ minLength: 1, maxLength: 100 }) },
          Strict,
        ),
        response: { 200: Type.Object({ authorizationUrl: Type.String() }), ...errorResponses },
      },
    },
    async (request) => deps.oauth.start(actorOf(request), request.body),
  );

  app.get(
    oauthCallbackPath,
    {
      // The provider redirects the browser here: the session cookie (SameSite=Lax) comes along on
      // this top-level navigation, and the service checks it is the user who started the sign-in.
      config: { public: true },
      // A malformed redirect (repeated or over-long parameters) still ends in the app, not in a JSON page.
      attachValidation: true,
      schema: {
        tags,
        summary:
          'OAuth 2.0 redirect URI (register it with the provider): finishes the sign-in and returns to the app',
        description:
          'Browsers are redirected to /#/accounts/{id}?connected=1, or to /#/accounts/new?oauthError={reason}&message=… on failure. ' +
          'With Accept: application/json the result is the account (201) or the error body (422 oauth_failed, …).',
        querystring: Type.Object({
          code: Param,
          state: Param,
          error: Param,
          error_description: Param,
          iss: Param,
        }),
        response: { 201: Type.Ref('Account'), 303: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const callbackUrl = new URL(request.url, deps.baseUrl());
      try {
        if (request.validationError)
          throw new AppError('oauth_failed', 'The sign-in response is malformed; start again', {
            reason: 'state_invalid',
          });
        const account = await deps.oauth.complete(request.actor, request.query, callbackUrl);
        if (wantsJson(request)) return reply.status(201).send(account);
        return redirect(reply, `${deps.baseUrl()}/#/accounts/${encodeURIComponent(account.id)}?connected=1`);
      } catch (thrown) {
        let error: AppError;
        if (thrown instanceof AppError) error = thrown;
        else {
          request.log.error({ err: thrown }, 'OAuth callback failed unexpectedly');
          error = new AppError('internal_error', 'Something went wrong on our side; try again');
        }
        request.log.info({ code: error.code, reason: error.details?.reason }, 'OAuth sign-in not completed');
        if (wantsJson(request))
          return reply
            .status(httpStatusFor(error.code))
            .send(errorBody(error.code, error.message, error.details));
        const reason =
          error.code === 'oauth_failed' && typeof error.details?.reason === 'string'
            ? error.details.reason
            : error.code;
        const query = new URLSearchParams({ oauthError: reason, message: error.message });
        return redirect(reply, `${deps.baseUrl()}/#/accounts/new?${query.toString()}`);
      }
    },
  );

  app.get(
    '/api/v1/providers/:id/oauth',
    {
      schema: {
        tags: ['providers'],
        summary:
          "The provider's OAuth client as the admin sees it: the redirect URI to register, and the last client failure",
        params: IdParams,
        response: {
          200: Type.Object({
            redirectUri: Type.String(),
            lastError: Type.Union([
              Type.Object({ code: Type.String(), message: Type.String(), at: Type.String() }),
              Type.Null(),
            ]),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => deps.oauth.clientStatus(actorOf(request), request.params.id),
  );
}

function redirect(reply: FastifyReply, location: string) {
  return reply.header('cache-control', 'no-store').redirect(location, 303);
}
